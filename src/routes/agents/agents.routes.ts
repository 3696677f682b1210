import { createRoute } from "@hono/zod-openapi";
import { apiKeySecurity, commonErrors, errors, json, jsonBody, sessionSecurity } from "../../lib/openapi";
import { Agent, AgentIdParam, AgentListQuery, AgentPage, CreateAgentBody, UpdateAgentBody } from "./agents.schemas";

const tags = ["Agents"];
// openapi.ts infers the security lists as unions with optional keys, which createRoute refuses; widen them here.
const security = [...apiKeySecurity, ...sessionSecurity];
const scoped = "Agents belong to the business: any project's API key, or a signed-in member, sees the same agents.";

export const createAgent = createRoute({
  method: "post",
  path: "/agents",
  tags,
  security,
  summary: "Create a voice agent",
  description: `A reusable persona: a system prompt with \`{{variable}}\` placeholders and, optionally, a JSON Schema of what to extract from each call. ${scoped}`,
  request: { body: jsonBody(CreateAgentBody) },
  responses: {
    201: json(Agent, "The new agent."),
    ...commonErrors,
    409: errors[409],
    415: errors[415],
    422: errors[422],
  },
});

export const listAgents = createRoute({
  method: "get",
  path: "/agents",
  tags,
  security,
  summary: "List agents, newest first",
  description: `Filter with \`enabled\`; page with \`limit\` and \`offset\`, or with \`cursor\`. ${scoped}`,
  request: { query: AgentListQuery },
  responses: { 200: json(AgentPage, "A page of agents."), ...commonErrors },
});

export const getAgent = createRoute({
  method: "get",
  path: "/agents/{id}",
  tags,
  security,
  summary: "Get an agent",
  description: scoped,
  request: { params: AgentIdParam },
  responses: { 200: json(Agent, "The agent."), ...commonErrors, 404: errors[404] },
});

export const updateAgent = createRoute({
  method: "patch",
  path: "/agents/{id}",
  tags,
  security,
  summary: "Change some of an agent's fields",
  description: `Only the fields sent change; null clears an optional field. ${scoped}`,
  request: { params: AgentIdParam, body: jsonBody(UpdateAgentBody) },
  responses: { 200: json(Agent, "The updated agent."), ...commonErrors, 404: errors[404], 415: errors[415] },
});

export const deleteAgent = createRoute({
  method: "delete",
  path: "/agents/{id}",
  tags,
  security,
  summary: "Delete an agent",
  description: `Refused with 409 \`agent_in_use\` while any of the agent's notifications is pending, scheduled or in progress. ${scoped}`,
  request: { params: AgentIdParam },
  responses: { 204: { description: "Deleted." }, ...commonErrors, 404: errors[404], 409: errors[409] },
});
