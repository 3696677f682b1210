import { createRouter } from "../../lib/router";
import * as handlers from "./auth.handlers";
import * as routes from "./auth.routes";

export const authRouter = createRouter()
  .openapi(routes.signup, handlers.signupHandler)
  .openapi(routes.login, handlers.loginHandler)
  .openapi(routes.refresh, handlers.refreshHandler)
  .openapi(routes.logout, handlers.logoutHandler);
