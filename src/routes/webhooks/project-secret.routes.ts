import { createRoute } from "@hono/zod-openapi";
import { commonErrors, errors, json, jsonBody, sessionSecurity } from "../../lib/openapi";
import { ProjectParam, ProjectWebhookSecret, RotateBody } from "./webhooks.schemas";

const tags = ["Webhooks"];
const security = sessionSecurity;
const adminsOnly = "Owners and admins only, signed in with a session token; another business's project answers 404.";
const what =
  "Deliveries to a notification's own `webhook_url` (seed 004's task webhooks) are signed with this project secret, " +
  "exactly like endpoint deliveries: `X-Echo-Signature: sha256=<hex HMAC-SHA256 of the raw body>` and the Standard Webhooks headers.";

export const getProjectWebhookSecret = createRoute({
  method: "get",
  path: "/projects/{projectId}/webhook-secret",
  tags,
  security,
  summary: "Get the signing secret for notifications' webhook_url",
  description: `${what} It is made on first use (here, or at the first such delivery) and can be read again at any time. ${adminsOnly}`,
  request: { params: ProjectParam },
  responses: { 200: json(ProjectWebhookSecret, "The project's current signing secret."), ...commonErrors, 403: errors[403], 404: errors[404] },
});

export const rotateProjectWebhookSecret = createRoute({
  method: "post",
  path: "/projects/{projectId}/webhook-secret/rotate",
  tags,
  security,
  summary: "Rotate the signing secret for notifications' webhook_url",
  description:
    "Answers the new secret, which signs from now on. Like an endpoint rotation, the old secret keeps signing alongside it " +
    "(a second `webhook-signature` entry; `X-Echo-Signature` carries only the new one) for `expires_in_seconds`, default one day; " +
    `0 retires it at once. ${adminsOnly}`,
  request: { params: ProjectParam, body: { ...jsonBody(RotateBody), required: false } },
  responses: { 200: json(ProjectWebhookSecret, "The new secret."), ...commonErrors, 403: errors[403], 404: errors[404], 415: errors[415] },
});
