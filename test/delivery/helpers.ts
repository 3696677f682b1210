import { createExecutionContext, createMessageBatch, env, getQueueResult } from "cloudflare:test";
import { vi } from "vitest";
import { createDb } from "../../src/db/client";
import { handleDeliveryBatch } from "../../src/delivery/consumer";
import { type EventType, emitEvent } from "../../src/delivery/events";
import type { WebhookMessage } from "../../src/queues";
import { type Account, api } from "../helpers/api";

/** What the test receiver (vitest.config.ts, https://receiver.test) saw, per key. */
export interface Received {
  path: string;
  headers: Record<string, string>;
  body: string;
  verified: boolean | null;
  status: number;
}

export const receiverLog = async (key: string): Promise<Received[]> => (await fetch(`https://receiver.test/__log?key=${key}`)).json();

/** A receiver URL: `route` picks its behaviour, `key` its log, `secret` what it verifies with. */
export const receiverUrl = (route: string, key: string, secret?: string) =>
  `https://receiver.test${route}?key=${key}${secret === undefined ? "" : `&secret=${encodeURIComponent(secret)}`}`;

export const webhooksPath = (account: Account, rest = "") => `/api/v1/projects/${account.projectId}/webhooks${rest}`;
export const secretPath = (account: Account, rest = "") => `/api/v1/projects/${account.projectId}/webhook-secret${rest}`;

/** Emits through a stand-in queue so the test, not the queue's consumer, decides when to deliver. */
export async function emit(account: Account, options: { type?: EventType; notificationId?: string; data?: unknown } = {}) {
  const sent: WebhookMessage[] = [];
  const queue = { sendBatch: async (messages: { body: WebhookMessage }[]) => void sent.push(...messages.map((m) => m.body)) };
  const eventId = await emitEvent({ ...env, WEBHOOK_QUEUE: queue as unknown as Queue }, createDb(env.DB), {
    projectId: account.projectId,
    type: options.type ?? "call.summary",
    callId: crypto.randomUUID(),
    notificationId: options.notificationId,
    data: options.data ?? { status: "completed", analysis: { confirmed: true } },
  });
  return { eventId, deliveryIds: sent.map((m) => m.deliveryId) };
}

/** Runs the delivery consumer on one message, as the queue would on its `attempts`-th try. */
export async function consume(deliveryId: string, attempts = 1) {
  const batch = createMessageBatch<WebhookMessage>("parley-webhooks", [{ id: `msg-${attempts}`, timestamp: new Date(), attempts, body: { deliveryId } }]);
  const retry = vi.spyOn(batch.messages[0]!, "retry");
  await handleDeliveryBatch(batch, env);
  const result = await getQueueResult(batch, createExecutionContext());
  return { acked: result.explicitAcks, retried: retry.mock.calls.length > 0 };
}

export const storedDelivery = (id: string) => env.DB.prepare("SELECT * FROM webhook_deliveries WHERE id = ?").bind(id).first<Record<string, any>>();

/** A notification that will not be dialled during the test (scheduled an hour ahead). */
export async function scheduledNotification(account: Account, webhook: { webhook_url: string; webhook_events: string[] }) {
  const customer = await api("/api/v1/customers", { key: account.apiKey, body: { first_name: "John", last_name: "Smith", phone: "+14155552671" } });
  if (customer.status !== 201) throw new Error(`customer: ${customer.status} ${JSON.stringify(customer.body)}`);
  const body = { customer_id: customer.body.id, message: "Your order ships tomorrow.", scheduled_at: new Date(Date.now() + 3_600_000).toISOString(), ...webhook };
  const created = await api("/api/v1/notifications", { key: account.apiKey, body });
  if (created.status !== 201) throw new Error(`notification: ${created.status} ${JSON.stringify(created.body)}`);
  return created.body.notification.id as string;
}
