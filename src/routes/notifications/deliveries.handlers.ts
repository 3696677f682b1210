import type { RouteHandler } from "@hono/zod-openapi";
import { and, eq, inArray, isNull } from "drizzle-orm";
import type { Db } from "../../db/client";
import { webhookDeliveries, webhookEvents } from "../../db/schema";
import type { AppEnv } from "../../lib/app-env";
import { projectCaller } from "../../lib/caller";
import { deliveryPage, redeliverOne } from "../webhooks/deliveries.handlers";
import type { listNotificationDeliveries, redeliverNotificationDelivery } from "./deliveries.routes";
import { findNotification } from "./notifications.records";

/** Deliveries with no endpoint, of this notification's events: those to its own webhook_url. */
function toOwnWebhook(db: Db, projectId: string, notificationId: string) {
  // A subquery, so the page stays one statement however many events the notification has.
  const events = db.select({ id: webhookEvents.id }).from(webhookEvents).where(eq(webhookEvents.notificationId, notificationId));
  return and(eq(webhookDeliveries.projectId, projectId), isNull(webhookDeliveries.endpointId), inArray(webhookDeliveries.eventId, events));
}

export const listNotificationDeliveriesHandler: RouteHandler<typeof listNotificationDeliveries, AppEnv> = async (c) => {
  const { projectId } = projectCaller(c);
  const { id } = c.req.valid("param");
  const db = c.get("db");
  await findNotification(db, projectId, id);
  return c.json(await deliveryPage(db, toOwnWebhook(db, projectId, id), c.req.valid("query")), 200);
};

export const redeliverNotificationDeliveryHandler: RouteHandler<typeof redeliverNotificationDelivery, AppEnv> = async (c) => {
  const { projectId } = projectCaller(c);
  const { id, deliveryId } = c.req.valid("param");
  const db = c.get("db");
  await findNotification(db, projectId, id);
  await redeliverOne(c.env, db, deliveryId, toOwnWebhook(db, projectId, id));
  return c.body(null, 202);
};
