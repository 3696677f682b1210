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

/**
 * Seed 004's task webhook carries `status` at the top and `data.transcript_excerpt` /
 * `data.report_excerpt`; every call event has them (null before there is anything to excerpt)
 * so a receiver written against that payload reads the same fields on every event.
 */
function seedShape(type: EventType, data: unknown): { status: string | null; data: unknown } {
  if (typeof data !== "object" || data === null || Array.isArray(data)) return { status: null, data };
  const fields = data as Record<string, unknown>;
  const status = typeof fields.status === "string" ? fields.status : null;
  if (type === "call.summary") return { status, data };
  return { status, data: { transcript_excerpt: null, report_excerpt: null, ...fields } };
}

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
  const shaped = seedShape(event.type, event.data);
  const body = JSON.stringify({
    id,
    event_name: event.type,
    event_type: underscored(event.type),
    created_at: createdAt,
    project_id: event.projectId,
    task_id: event.notificationId ?? null,
    notification_id: event.notificationId ?? null,
    call_id: event.callId ?? null,
    status: shaped.status,
    data: shaped.data,
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
  // D1 binds at most 100 values per statement (9 per delivery) and a queue takes 100 messages per send.
  const inserts = chunks(deliveries, ROWS_PER_INSERT).map((rows) => db.insert(webhookDeliveries).values(rows));
  await db.batch([insertEvent, ...inserts]);
  for (const sends of chunks(deliveries, MESSAGES_PER_SEND)) {
    await env.WEBHOOK_QUEUE.sendBatch(sends.map((d) => ({ body: { deliveryId: d.id } satisfies WebhookMessage })));
  }
  return id;
}

const ROWS_PER_INSERT = 10;
const MESSAGES_PER_SEND = 100;

function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
