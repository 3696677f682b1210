import type { RouteHandler } from "@hono/zod-openapi";
import { and, asc, eq, inArray, type SQL } from "drizzle-orm";
import type { Db } from "../../db/client";
import { webhookAttempts, webhookDeliveries, webhookEvents } from "../../db/schema";
import type { AppEnv } from "../../lib/app-env";
import { notFound } from "../../lib/errors";
import { nowIso } from "../../lib/ids";
import { type PageRequest, pageClauses, toPage } from "../../lib/pagination";
import type { WebhookMessage } from "../../queues";
import { findEndpoint, pathProject } from "./webhooks.records";
import type { listDeliveries, redeliver } from "./webhooks.routes";

/** A page of deliveries matching `where`, newest first, each with its attempts. */
export async function deliveryPage(db: Db, where: SQL | undefined, query: PageRequest) {
  const page = pageClauses({ createdAt: webhookDeliveries.createdAt, id: webhookDeliveries.id }, query);
  const rows = await db
    .select({ delivery: webhookDeliveries, eventType: webhookEvents.type })
    .from(webhookDeliveries)
    .innerJoin(webhookEvents, eq(webhookEvents.id, webhookDeliveries.eventId))
    .where(and(where, page.after))
    .orderBy(...page.orderBy)
    .limit(page.limit)
    .offset(page.offset);
  // Attempts only for the rows shown (the extra row that tells whether there is more is cut off).
  const ids = rows.slice(0, query.limit).map((row) => row.delivery.id);
  const attempts = ids.length
    ? await db.select().from(webhookAttempts).where(inArray(webhookAttempts.deliveryId, ids)).orderBy(asc(webhookAttempts.attempt))
    : [];
  const positioned = rows.map((row) => ({ ...row, createdAt: row.delivery.createdAt, id: row.delivery.id }));
  return toPage(positioned, query, ({ delivery, eventType }) => ({
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
}

/** Sends one delivery again (back to pending, same event id and body); 404 unless `owned` finds it. */
export async function redeliverOne(env: Env, db: Db, deliveryId: string, owned: SQL | undefined): Promise<void> {
  const ownDelivery = and(eq(webhookDeliveries.id, deliveryId), owned);
  const delivery = await db.select({ id: webhookDeliveries.id }).from(webhookDeliveries).where(ownDelivery).get();
  if (!delivery) throw notFound("delivery", "deliveryId");
  // Back to pending: the consumer only sends pending deliveries, and the attempt log keeps counting.
  await db.update(webhookDeliveries).set({ status: "pending", nextAttemptAt: null, updatedAt: nowIso() }).where(ownDelivery);
  await env.WEBHOOK_QUEUE.send({ deliveryId } satisfies WebhookMessage);
}

export const listDeliveriesHandler: RouteHandler<typeof listDeliveries, AppEnv> = async (c) => {
  const { projectId, id } = c.req.valid("param");
  await findEndpoint(c, pathProject(c, projectId), id);
  const page = await deliveryPage(c.get("db"), and(eq(webhookDeliveries.endpointId, id), eq(webhookDeliveries.projectId, projectId)), c.req.valid("query"));
  return c.json(page, 200);
};

export const redeliverHandler: RouteHandler<typeof redeliver, AppEnv> = async (c) => {
  const { projectId, id, deliveryId } = c.req.valid("param");
  await findEndpoint(c, pathProject(c, projectId), id);
  await redeliverOne(c.env, c.get("db"), deliveryId, and(eq(webhookDeliveries.endpointId, id), eq(webhookDeliveries.projectId, projectId)));
  return c.body(null, 202);
};
