import { createRouter } from "../../lib/router";
import * as handlers from "./agents.handlers";
import * as routes from "./agents.routes";

export const agentsRouter = createRouter()
  .openapi(routes.createAgent, handlers.createAgentHandler)
  .openapi(routes.listAgents, handlers.listAgentsHandler)
  .openapi(routes.getAgent, handlers.getAgentHandler)
  .openapi(routes.updateAgent, handlers.updateAgentHandler)
  .openapi(routes.deleteAgent, handlers.deleteAgentHandler);
