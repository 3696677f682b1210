import { createRoute } from "@hono/zod-openapi";
import { apiKeySecurity, commonErrors, errors, json, jsonBody } from "../../lib/openapi";
import {
  CreateWebhookBody,
  DeliveryParam,
  EndpointParam,
  ListQuery,
  ProjectParam,
  RotateBody,
  UpdateWebhookBody,
  WebhookDeliveryList,
  WebhookEndpoint,
  WebhookEndpointList,
  WebhookEndpointWithSecret,
} from "./webhooks.schemas";

const tags = ["Webhooks"];
const security = apiKeySecurity;
const scoped = "Use the API key of the project in the path; any other project answers 404.";
const base = "/projects/{projectId}/webhooks";

export const createWebhook = createRoute({
  method: "post",
  path: base,
  tags,
  security,
  summary: "Register a webhook endpoint",
  description: `Answers the endpoint with its \`signing_secret\`, shown only this once. ${scoped}`,
  request: { params: ProjectParam, body: jsonBody(CreateWebhookBody) },
  responses: { 201: json(WebhookEndpointWithSecret, "The new endpoint and its secret."), ...commonErrors, 403: errors[403], 404: errors[404], 415: errors[415], 422: errors[422] },
});

export const listWebhooks = createRoute({
  method: "get",
  path: base,
  tags,
  security,
  summary: "List the project's webhook endpoints",
  description: `Newest first, a page at a time (limit/offset, or cursor from next_cursor). Disabled endpoints are listed too, with their disabled_reason. ${scoped}`,
  request: { params: ProjectParam, query: ListQuery },
  responses: { 200: json(WebhookEndpointList, "A page of endpoints, newest first."), ...commonErrors, 403: errors[403], 404: errors[404] },
});

export const getWebhook = createRoute({
  method: "get",
  path: `${base}/{id}`,
  tags,
  security,
  summary: "Get a webhook endpoint",
  description: `The signing secret is never shown again; rotate it if it was lost. ${scoped}`,
  request: { params: EndpointParam },
  responses: { 200: json(WebhookEndpoint, "The endpoint."), ...commonErrors, 403: errors[403], 404: errors[404] },
});

export const updateWebhook = createRoute({
  method: "patch",
  path: `${base}/{id}`,
  tags,
  security,
  summary: "Change a webhook endpoint",
  description: `Only the fields sent change. Enabling an endpoint (also one disabled after failing for days) clears its disabled_reason and failing_since. ${scoped}`,
  request: { params: EndpointParam, body: jsonBody(UpdateWebhookBody) },
  responses: { 200: json(WebhookEndpoint, "The updated endpoint."), ...commonErrors, 403: errors[403], 404: errors[404], 415: errors[415] },
});

export const deleteWebhook = createRoute({
  method: "delete",
  path: `${base}/{id}`,
  tags,
  security,
  summary: "Delete a webhook endpoint and its delivery log",
  description: scoped,
  request: { params: EndpointParam },
  responses: { 204: { description: "Deleted." }, ...commonErrors, 403: errors[403], 404: errors[404] },
});

export const rotateWebhookSecret = createRoute({
  method: "post",
  path: `${base}/{id}/rotate`,
  tags,
  security,
  summary: "Rotate an endpoint's signing secret",
  description: `Answers the new secret, shown once. The old one keeps signing alongside it for \`expires_in_seconds\` (default one day). ${scoped}`,
  request: { params: EndpointParam, body: { ...jsonBody(RotateBody), required: false } },
  responses: { 200: json(WebhookEndpointWithSecret, "The endpoint and its new secret."), ...commonErrors, 403: errors[403], 404: errors[404], 415: errors[415] },
});

export const listDeliveries = createRoute({
  method: "get",
  path: `${base}/{id}/deliveries`,
  tags,
  security,
  summary: "List an endpoint's deliveries with their attempts",
  description: `Newest first, a page at a time (limit/offset, or cursor from next_cursor). ${scoped}`,
  request: { params: EndpointParam, query: ListQuery },
  responses: { 200: json(WebhookDeliveryList, "A page of deliveries, newest first."), ...commonErrors, 403: errors[403], 404: errors[404] },
});

export const redeliver = createRoute({
  method: "post",
  path: `${base}/{id}/deliveries/{deliveryId}/redeliver`,
  tags,
  security,
  summary: "Send a delivery again",
  description: `Queues a new attempt with the same event id and body. ${scoped}`,
  request: { params: DeliveryParam },
  responses: { 202: { description: "Queued." }, ...commonErrors, 403: errors[403], 404: errors[404] },
});
