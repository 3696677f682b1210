import { createRouter } from "../../lib/router";
import * as handlers from "./business.handlers";
import * as routes from "./business.routes";

export const businessRouter = createRouter()
  .openapi(routes.getBusiness, handlers.getBusinessHandler)
  .openapi(routes.updateBusiness, handlers.updateBusinessHandler);
