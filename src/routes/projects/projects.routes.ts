import { createRoute } from "@hono/zod-openapi";
import { commonErrors, errors, json, jsonBody, sessionSecurity } from "../../lib/openapi";
import { CreateProjectBody, ListProjectsQuery, ProjectListSchema, ProjectParams, ProjectSchema, UpdateProjectBody } from "./projects.schemas";

const tags = ["Projects"];
const security = sessionSecurity;

export const listProjects = createRoute({
  method: "get",
  path: "/projects",
  tags,
  summary: "List the business's projects",
  description: "Newest first. Any member may read projects.",
  security,
  request: { query: ListProjectsQuery },
  responses: { 200: json(ProjectListSchema, "A page of projects."), ...commonErrors, 403: errors[403] },
});

export const createProject = createRoute({
  method: "post",
  path: "/projects",
  tags,
  summary: "Create a project",
  description:
    "Owners and admins only. A project starts with no API key: create one with `POST /projects/{projectId}/api-keys`, so every key is named and made on purpose. " +
    "The calling policy (`max_concurrent_calls`, `retry_policy`, `calling_window`) may be set now or later; left out, Parley's defaults apply.",
  security,
  request: { body: jsonBody(CreateProjectBody) },
  responses: {
    201: json(ProjectSchema, "The new project."),
    ...commonErrors,
    403: errors[403],
    409: errors[409],
    415: errors[415],
    422: errors[422],
  },
});

export const getProject = createRoute({
  method: "get",
  path: "/projects/{projectId}",
  tags,
  summary: "Retrieve a project",
  security,
  request: { params: ProjectParams },
  responses: { 200: json(ProjectSchema, "The project."), ...commonErrors, 403: errors[403], 404: errors[404] },
});

export const updateProject = createRoute({
  method: "patch",
  path: "/projects/{projectId}",
  tags,
  summary: "Update a project's name, environment, rate limit or calling policy",
  description:
    "Owners and admins only. Fields left out are unchanged; `null` returns a setting to its default. `retry_policy` and `calling_window` " +
    "are replaced whole. Reads show each setting as set and, in `effective_calling_policy`, what applies with the defaults filled in.",
  security,
  request: { params: ProjectParams, body: jsonBody(UpdateProjectBody) },
  responses: { 200: json(ProjectSchema, "The updated project."), ...commonErrors, 403: errors[403], 404: errors[404], 415: errors[415] },
});

export const deleteProject = createRoute({
  method: "delete",
  path: "/projects/{projectId}",
  tags,
  summary: "Delete a project with its keys, customers and history",
  description: "Owners and admins only. Its API keys stop working at once. A business keeps at least one project, so deleting the last one answers 409.",
  security,
  request: { params: ProjectParams },
  responses: { 204: { description: "Deleted." }, ...commonErrors, 403: errors[403], 404: errors[404], 409: errors[409] },
});
