import { createRouter } from "../../lib/router";
import * as handlers from "./api-keys.handlers";
import * as routes from "./api-keys.routes";

export const apiKeysRouter = createRouter()
  .openapi(routes.listApiKeys, handlers.listApiKeysHandler)
  .openapi(routes.createApiKey, handlers.createApiKeyHandler)
  .openapi(routes.revokeApiKey, handlers.revokeApiKeyHandler)
  .openapi(routes.rollApiKey, handlers.rollApiKeyHandler);
