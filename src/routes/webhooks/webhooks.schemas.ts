import { z } from "@hono/zod-openapi";
import { DELIVERY_STATUSES } from "../../db/schema";
import { ACCEPTED_EVENT_NAMES } from "../../delivery/events";
import { PaginationQuery, pageSchema } from "../../lib/pagination";
import { IdSchema, TimestampSchema } from "../../lib/schemas";

const Url = z.string().max(2048).openapi({ example: "https://your-server.com/webhooks/echo", description: "https only; private and local hosts are refused." });
const Events = z
  .array(z.enum(ACCEPTED_EVENT_NAMES))
  .min(1)
  .max(ACCEPTED_EVENT_NAMES.length)
  .openapi({ example: ["call.summary"], description: "call.started, call.completed, call.failed, call.summary (call_started style names are accepted too)." });
const Description = z.string().trim().max(500).openapi({ example: "Production receiver" });

export const ProjectParam = z.object({ projectId: IdSchema.openapi({ param: { name: "projectId", in: "path" } }) });
export const EndpointParam = ProjectParam.extend({ id: IdSchema.openapi({ param: { name: "id", in: "path" } }) });
export const DeliveryParam = EndpointParam.extend({ deliveryId: IdSchema.openapi({ param: { name: "deliveryId", in: "path" } }) });

export const CreateWebhookBody = z.strictObject({ url: Url, events: Events, description: Description.nullable().optional() }).openapi("CreateWebhookRequest", {
  example: { url: "https://your-server.com/webhooks/echo", events: ["call.summary"] },
});
export const UpdateWebhookBody = z
  .strictObject({ url: Url.optional(), events: Events.optional(), description: Description.nullable().optional(), enabled: z.boolean().optional() })
  .openapi("UpdateWebhookRequest", { example: { enabled: true } });
export const RotateBody = z
  .strictObject({ expires_in_seconds: z.number().int().min(0).max(604800).optional().openapi({ example: 86400, description: "How long the old secret keeps signing too; default 86400." }) })
  .openapi("RotateWebhookSecretRequest");

export const WebhookEndpoint = z
  .object({
    id: IdSchema,
    project_id: IdSchema,
    url: Url,
    events: z.array(z.string()).openapi({ example: ["call.summary"] }),
    description: z.string().nullable(),
    enabled: z.boolean().openapi({ example: true }),
    disabled_reason: z.string().nullable().openapi({ example: null }),
    failing_since: TimestampSchema.nullable(),
    previous_secret_expires_at: TimestampSchema.nullable(),
    created_at: TimestampSchema,
    updated_at: TimestampSchema,
  })
  .openapi("WebhookEndpoint");

export const WebhookEndpointWithSecret = WebhookEndpoint.extend({
  signing_secret: z.string().openapi({ example: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", description: "Shown only now: store it to verify X-Echo-Signature." }),
}).openapi("WebhookEndpointWithSecret");

export const ListQuery = z.object(PaginationQuery);
export const WebhookEndpointList = pageSchema(WebhookEndpoint, "WebhookEndpointList");

export const WebhookAttempt = z
  .object({ attempt: z.number().int(), status_code: z.number().int().nullable().openapi({ example: 200 }), error: z.string().nullable(), duration_ms: z.number().int(), created_at: TimestampSchema })
  .openapi("WebhookAttempt");

export const WebhookDelivery = z
  .object({
    id: IdSchema,
    event_id: z.string().openapi({ example: "evt_5f0c2a9e8d1b4c7aa1e2f3b4c5d6e7f8" }),
    event_type: z.string().openapi({ example: "call.summary" }),
    url: Url,
    status: z.enum(DELIVERY_STATUSES),
    attempts: z.array(WebhookAttempt),
    next_attempt_at: TimestampSchema.nullable(),
    last_status_code: z.number().int().nullable(),
    last_error: z.string().nullable(),
    created_at: TimestampSchema,
  })
  .openapi("WebhookDelivery");
export const WebhookDeliveryList = pageSchema(WebhookDelivery, "WebhookDeliveryList");

export const ProjectWebhookSecret = z
  .object({
    project_id: IdSchema,
    signing_secret: z.string().openapi({ example: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", description: "Verifies X-Echo-Signature and the Standard Webhooks signature of deliveries to notifications' webhook_url." }),
    previous_secret_expires_at: TimestampSchema.nullable().openapi({ description: "Until then the previous secret signs too (a second webhook-signature entry); null when there is no overlap." }),
  })
  .openapi("ProjectWebhookSecret");
