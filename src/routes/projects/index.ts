import { createRouter } from "../../lib/router";
import * as handlers from "./projects.handlers";
import * as routes from "./projects.routes";

export const projectsRouter = createRouter()
  .openapi(routes.listProjects, handlers.listProjectsHandler)
  .openapi(routes.createProject, handlers.createProjectHandler)
  .openapi(routes.getProject, handlers.getProjectHandler)
  .openapi(routes.updateProject, handlers.updateProjectHandler)
  .openapi(routes.deleteProject, handlers.deleteProjectHandler);
