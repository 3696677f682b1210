import type { RouteHandler } from "@hono/zod-openapi";
import { and, asc, eq, inArray } from "drizzle-orm";
import { webhookAttempts, webhookDeliveries, webhookEvents } from "../../db/schema";
import type { AppEnv } from "../../lib/app-env";
import { notFound } from "../../lib/errors";
import { nowIso } from "../../lib/ids";
import { pageClauses, toPage } from "../../lib/pagination";
import type { WebhookMessage } from "../../queues";
import { findEndpoint, pathProject } from "./webhooks.records";
import type { listDeliveries, redeliver } from "./webhooks.routes";

export const listDeliveriesHandler: RouteHandler<typeof listDeliveries, AppEnv> = async (c) => {
  const { projectId, id } = c.req.valid("param");
  await findEndpoint(c, pathProject(c, projectId), id);
  const db = c.get("db");
  const query = c.req.valid("query");
  const page = pageClauses({ createdAt: webhookDeliveries.createdAt, id: webhookDeliveries.id }, query);
  const rows = await db
    .select({ delivery: webhookDeliveries, eventType: webhookEvents.type })
    .from(webhookDeliveries)
    .innerJoin(webhookEvents, eq(webhookEvents.id, webhookDeliveries.eventId))
    .where(and(eq(webhookDeliveries.endpointId, id), eq(webhookDeliveries.projectId, projectId), page.after))
    .orderBy(...page.orderBy)
    .limit(page.limit)
    .offset(page.offset);
  // Attempts only for the rows shown (the extra row that tells whether there is more is cut off).
  const ids = rows.slice(0, query.limit).map((row) => row.delivery.id);
  const attempts = ids.length
    ? await db.select().from(webhookAttempts).where(inArray(webhookAttempts.deliveryId, ids)).orderBy(asc(webhookAttempts.attempt))
    : [];
  const positioned = rows.map((row) => ({ ...row, createdAt: row.delivery.createdAt, id: row.delivery.id }));
  const shown = toPage(positioned, query, ({ delivery, eventType }) => ({
    id: delivery.id,
    event_id: delivery.eventId,
    event_type: eventType,
    url: delivery.url,
    status: delivery.status,
    attempts: attempts
      .filter((attempt) => attempt.deliveryId === delivery.id)
      .map((a) => ({ attempt: a.attempt, status_code: a.statusCode, error: a.error, duration_ms: a.durationMs, created_at: a.createdAt })),
    next_attempt_at: delivery.nextAttemptAt,
    last_status_code: delivery.lastStatusCode,
    last_error: delivery.lastError,
    created_at: delivery.createdAt,
  }));
  return c.json(shown, 200);
};

export const redeliverHandler: RouteHandler<typeof redeliver, AppEnv> = async (c) => {
  const { projectId, id, deliveryId } = c.req.valid("param");
  await findEndpoint(c, pathProject(c, projectId), id);
  const db = c.get("db");
  const ownDelivery = and(eq(webhookDeliveries.id, deliveryId), eq(webhookDeliveries.endpointId, id), eq(webhookDeliveries.projectId, projectId));
  const delivery = await db.select({ id: webhookDeliveries.id }).from(webhookDeliveries).where(ownDelivery).get();
  if (!delivery) throw notFound("delivery", "deliveryId");
  // Back to pending: the consumer only sends pending deliveries, and the attempt log keeps counting.
  await db.update(webhookDeliveries).set({ status: "pending", nextAttemptAt: null, updatedAt: nowIso() }).where(ownDelivery);
  await c.env.WEBHOOK_QUEUE.send({ deliveryId } satisfies WebhookMessage);
  return c.body(null, 202);
};
