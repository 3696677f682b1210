import { createRoute } from "@hono/zod-openapi";
import { apiKeySecurity, commonErrors, errors, json } from "../../lib/openapi";
import { IdSchema } from "../../lib/schemas";
import { ListQuery, WebhookDeliveryList } from "../webhooks/webhooks.schemas";
import { NotificationIdParam } from "./notifications.schemas";

const tags = ["Notifications"];
const security = apiKeySecurity;
const own =
  "The deliveries to this notification's own `webhook_url` (seed 004's task webhooks), signed with the project's webhook secret; " +
  "deliveries to the project's endpoints are listed under each endpoint. Another project's notification answers 404.";

export const listNotificationDeliveries = createRoute({
  method: "get",
  path: "/notifications/{id}/deliveries",
  tags,
  security,
  summary: "List deliveries to a notification's own webhook_url, with their attempts",
  description: `Newest first, a page at a time (limit/offset, or cursor from next_cursor). ${own}`,
  request: { params: NotificationIdParam, query: ListQuery },
  responses: { 200: json(WebhookDeliveryList, "A page of deliveries, newest first."), ...commonErrors, 403: errors[403], 404: errors[404] },
});

export const redeliverNotificationDelivery = createRoute({
  method: "post",
  path: "/notifications/{id}/deliveries/{deliveryId}/redeliver",
  tags,
  security,
  summary: "Send a delivery to a notification's webhook_url again",
  description: `Queues a new attempt with the same event id and body. ${own}`,
  request: { params: NotificationIdParam.extend({ deliveryId: IdSchema.openapi({ param: { name: "deliveryId", in: "path" } }) }) },
  responses: { 202: { description: "Queued." }, ...commonErrors, 403: errors[403], 404: errors[404] },
});

