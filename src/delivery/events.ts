import { and, eq } from "drizzle-orm";
import type { Db } from "../db/client";
import { notifications, webhookDeliveries, webhookEndpoints, webhookEvents } from "../db/schema";
import { newId, nowIso } from "../lib/ids";
import type { WebhookMessage } from "../queues";

export const EVENT_TYPES = ["call.started", "call.completed", "call.failed", "call.summary"] as const;
export type EventType = (typeof EVENT_TYPES)[number];

/** Echo's task webhooks spell events with underscores; both spellings mean the same event. */
const SYNONYMS: Record<string, EventType> = { call_started: "call.started", call_completed: "call.completed", call_failed: "call.failed", call_summary: "call.summary" };
export const ACCEPTED_EVENT_NAMES = [...EVENT_TYPES, "call_started", "call_completed", "call_failed"] as const;

export const normaliseEvent = (name: string): EventType | null =>
  (EVENT_TYPES as readonly string[]).includes(name) ? (name as EventType) : (SYNONYMS[name] ?? null);

const underscored = (type: EventType) => type.replace(".", "_");

export interface NewEvent {
  projectId: string;
  type: EventType;
  callId?: string | null;
  notificationId?: string | null;
  data: unknown;
}

/**
 * Records an event once (its id and body are what every attempt sends, so signatures and
 * receivers' de-duplication stay stable), then queues one delivery per subscribed destination.
 */
export async function emitEvent(env: Env, db: Db, event: NewEvent): Promise<string> {
  const id = `evt_${crypto.randomUUID().replace(/-/g, "")}`;
  const createdAt = nowIso();
  const body = JSON.stringify({
    id,
    event_name: event.type,
    event_type: underscored(event.type),
    created_at: createdAt,
    project_id: event.projectId,
    task_id: event.notificationId ?? null,
    notification_id: event.notificationId ?? null,
    call_id: event.callId ?? null,
    data: event.data,
  });

  const endpoints = await db
    .select({ id: webhookEndpoints.id, url: webhookEndpoints.url, events: webhookEndpoints.events })
    .from(webhookEndpoints)
    .where(and(eq(webhookEndpoints.projectId, event.projectId), eq(webhookEndpoints.enabled, true)));
  const destinations: { endpointId: string | null; url: string }[] = endpoints
    .filter((endpoint) => endpoint.events.some((name) => normaliseEvent(name) === event.type))
    .map((endpoint) => ({ endpointId: endpoint.id, url: endpoint.url }));

  if (event.notificationId) {
    const notification = await db
      .select({ url: notifications.webhookUrl, events: notifications.webhookEvents })
      .from(notifications)
      .where(and(eq(notifications.id, event.notificationId), eq(notifications.projectId, event.projectId)))
      .get();
    if (notification?.url && (notification.events ?? []).some((name) => normaliseEvent(name) === event.type)) {
      destinations.push({ endpointId: null, url: notification.url });
    }
  }

  const deliveries = destinations.map((destination) => ({
    id: newId(),
    projectId: event.projectId,
    eventId: id,
    endpointId: destination.endpointId,
    url: destination.url,
    status: "pending" as const,
    createdAt,
    updatedAt: createdAt,
  }));
  const insertEvent = db.insert(webhookEvents).values({ id, projectId: event.projectId, type: event.type, callId: event.callId ?? null, notificationId: event.notificationId ?? null, body, createdAt });
  await db.batch(deliveries.length ? [insertEvent, db.insert(webhookDeliveries).values(deliveries)] : [insertEvent]);
  if (deliveries.length) await env.WEBHOOK_QUEUE.sendBatch(deliveries.map((d) => ({ body: { deliveryId: d.id } satisfies WebhookMessage })));
  return id;
}
