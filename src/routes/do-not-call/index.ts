import { createRouter } from "../../lib/router";
import * as handlers from "./do-not-call.handlers";
import * as routes from "./do-not-call.routes";

// The import route is registered before /do-not-call/{phone}, so "import" is never read as a number.
export const doNotCallRouter = createRouter()
  .openapi(routes.addDoNotCall, handlers.addDoNotCallHandler)
  .openapi(routes.importDoNotCall, handlers.importDoNotCallHandler)
  .openapi(routes.listDoNotCall, handlers.listDoNotCallHandler)
  .openapi(routes.getDoNotCall, handlers.getDoNotCallHandler)
  .openapi(routes.deleteDoNotCall, handlers.deleteDoNotCallHandler);
