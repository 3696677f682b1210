import { createExecutionContext, createMessageBatch, env, getQueueResult } from "cloudflare:test";
import { describe, expect, it, vi } from "vitest";
import { createDb } from "../src/db/client";
import { handleDeliveryBatch, handleDeliveryDeadLetters } from "../src/delivery/consumer";
import type { EventType } from "../src/delivery/events";
import { emitEvent } from "../src/delivery/events";
import type { WebhookMessage } from "../src/queues";
import { type Account, api, signup } from "./helpers/api";

interface Received {
  path: string;
  headers: Record<string, string>;
  body: string;
  verified: boolean | null;
  status: number;
}

const receiverLog = async (key: string): Promise<Received[]> => (await fetch(`https://receiver.test/__log?key=${key}`)).json();
const webhooks = (account: Account, rest = "") => `/api/v1/projects/${account.projectId}/webhooks${rest}`;

/** An endpoint on the test receiver whose URL tells the receiver the secret to verify with. */
async function receiverEndpoint(account: Account, route: string, events = ["call.summary"]) {
  const key = crypto.randomUUID();
  const created = await api(webhooks(account), { key: account.apiKey, body: { url: `https://receiver.test${route}?key=${key}`, events } });
  if (created.status !== 201) throw new Error(JSON.stringify(created.body));
  const secret: string = created.body.signing_secret;
  await useSecret(account, created.body.id, route, key, secret);
  return { id: created.body.id as string, key, secret, route };
}

const useSecret = (account: Account, id: string, route: string, key: string, secret: string) =>
  api(webhooks(account, `/${id}`), { key: account.apiKey, method: "PATCH", body: { url: `https://receiver.test${route}?key=${key}&secret=${encodeURIComponent(secret)}` } });

/** Emits through a stand-in queue so the test, not the queue's own consumer, decides when to deliver. */
async function emit(account: Account, type: EventType = "call.summary", notificationId?: string) {
  const sent: WebhookMessage[] = [];
  const queue = { sendBatch: async (messages: { body: WebhookMessage }[]) => void sent.push(...messages.map((m) => m.body)) };
  const eventId = await emitEvent({ ...env, WEBHOOK_QUEUE: queue as unknown as Queue }, createDb(env.DB), {
    projectId: account.projectId,
    type,
    callId: crypto.randomUUID(),
    notificationId,
    data: { analysis: { outcome: "confirmed" } },
  });
  return { eventId, deliveryIds: sent.map((m) => m.deliveryId) };
}

async function consume(deliveryId: string, attempts = 1, handler = handleDeliveryBatch) {
  const batch = createMessageBatch<WebhookMessage>("parley-webhooks", [{ id: `msg-${attempts}`, timestamp: new Date(), attempts, body: { deliveryId } }]);
  const ctx = createExecutionContext();
  // The plugin's queue result leaves out retry delays, so the retry call itself is watched.
  const retry = vi.spyOn(batch.messages[0]!, "retry");
  await handler(batch, env);
  const result = await getQueueResult(batch, ctx);
  return { ...result, retryMessages: result.retryMessages.map((m) => ({ ...m, delaySeconds: retry.mock.calls[0]?.[0]?.delaySeconds })) };
}

const delivery = (id: string) => env.DB.prepare("SELECT * FROM webhook_deliveries WHERE id = ?").bind(id).first<Record<string, any>>();
const attemptsOf = (id: string) => env.DB.prepare("SELECT * FROM webhook_attempts WHERE delivery_id = ? ORDER BY attempt").bind(id).all().then((r) => r.results);

describe("webhook deliveries", () => {
  it("stores the event once with its exact body and a delivery per subscribed endpoint", async () => {
    const account = await signup();
    const summary = await receiverEndpoint(account, "/echo-seed", ["call.summary"]);
    await receiverEndpoint(account, "/echo-seed", ["call.started"]);
    const { eventId, deliveryIds } = await emit(account);
    expect(eventId).toMatch(/^evt_[0-9a-f]{32}$/);
    expect(deliveryIds).toHaveLength(1);
    expect((await delivery(deliveryIds[0]!))).toMatchObject({ endpoint_id: summary.id, status: "pending", event_id: eventId });
    const stored = JSON.parse((await env.DB.prepare("SELECT body FROM webhook_events WHERE id = ?").bind(eventId).first<string>("body"))!);
    expect(Object.keys(stored)).toEqual(["id", "event_name", "event_type", "created_at", "project_id", "task_id", "notification_id", "call_id", "status", "data"]);
    expect(stored).toMatchObject({ id: eventId, event_name: "call.summary", event_type: "call_summary", project_id: account.projectId });
  });

  it("is verified by the seed's receiver code (X-Echo-Signature over the raw body) and succeeds", async () => {
    const account = await signup();
    const endpoint = await receiverEndpoint(account, "/echo-seed");
    const { eventId, deliveryIds } = await emit(account);
    const result = await consume(deliveryIds[0]!);
    expect(result.explicitAcks).toEqual(["msg-1"]);
    const [received] = await receiverLog(endpoint.key);
    expect(received).toMatchObject({ verified: true, status: 200 });
    expect(JSON.parse(received!.body)).toMatchObject({ id: eventId, event_name: "call.summary" });
    expect(received!.headers["content-type"]).toBe("application/json");
    expect(await delivery(deliveryIds[0]!)).toMatchObject({ status: "succeeded", attempts: 1, last_status_code: 200 });
  });

  it("fails the seed's verification when the receiver holds another secret", async () => {
    const account = await signup();
    const endpoint = await receiverEndpoint(account, "/echo-seed");
    await useSecret(account, endpoint.id, "/echo-seed", endpoint.key, "whsec_not-the-secret");
    const { deliveryIds } = await emit(account);
    expect((await consume(deliveryIds[0]!)).retryMessages).toEqual([{ msgId: "msg-1", delaySeconds: 5 }]);
    expect(await receiverLog(endpoint.key)).toMatchObject([{ verified: false, status: 401 }]);
  });

  it("is verified by the standardwebhooks package", async () => {
    const account = await signup();
    const endpoint = await receiverEndpoint(account, "/standard");
    const { eventId, deliveryIds } = await emit(account);
    await consume(deliveryIds[0]!);
    const [received] = await receiverLog(endpoint.key);
    expect(received).toMatchObject({ verified: true, status: 200 });
    expect(received!.headers["webhook-id"]).toBe(eventId);
  });

  it("retries a 500 after 5 seconds, then succeeds, logging both attempts", async () => {
    const account = await signup();
    const endpoint = await receiverEndpoint(account, "/fail-once");
    const { deliveryIds } = await emit(account);
    const id = deliveryIds[0]!;
    const first = await consume(id, 1);
    expect(first.retryMessages).toEqual([{ msgId: "msg-1", delaySeconds: 5 }]);
    expect((await delivery(id))!.next_attempt_at).not.toBeNull();
    const second = await consume(id, 2);
    expect(second.explicitAcks).toEqual(["msg-2"]);
    expect((await attemptsOf(id)).map((a) => a.status_code)).toEqual([500, 200]);
    expect(await delivery(id)).toMatchObject({ status: "succeeded", attempts: 2 });
    expect((await receiverLog(endpoint.key)).map((r) => r.status)).toEqual([500, 200]);
    const listed = await api(webhooks(account, `/${endpoint.id}/deliveries`), { key: account.apiKey });
    expect(listed.body.data[0]).toMatchObject({ id, status: "succeeded", attempts: [{ attempt: 1, status_code: 500 }, { attempt: 2, status_code: 200 }] });
  });

  it("honours a larger Retry-After and gives up after the schedule", async () => {
    const account = await signup();
    const endpoint = await receiverEndpoint(account, "/retry-after");
    const { deliveryIds } = await emit(account);
    expect((await consume(deliveryIds[0]!, 1)).retryMessages).toEqual([{ msgId: "msg-1", delaySeconds: 600 }]);
    expect((await consume(deliveryIds[0]!, 8)).explicitAcks).toEqual(["msg-8"]);
    expect(await delivery(deliveryIds[0]!)).toMatchObject({ status: "failed" });
    expect((await api(webhooks(account, `/${endpoint.id}`), { key: account.apiKey })).body.failing_since).not.toBeNull();
  });

  it("disables the endpoint when it answers 410 Gone", async () => {
    const account = await signup();
    const endpoint = await receiverEndpoint(account, "/gone");
    const { deliveryIds } = await emit(account);
    expect((await consume(deliveryIds[0]!)).explicitAcks).toEqual(["msg-1"]);
    expect(await delivery(deliveryIds[0]!)).toMatchObject({ status: "failed", last_status_code: 410 });
    const read = await api(webhooks(account, `/${endpoint.id}`), { key: account.apiKey });
    expect(read.body).toMatchObject({ enabled: false, disabled_reason: "The endpoint answered 410 Gone." });
    expect((await emit(account)).deliveryIds).toEqual([]);
  });

  it("does not follow a redirect: it counts as a failure to retry", async () => {
    const account = await signup();
    const endpoint = await receiverEndpoint(account, "/redirect");
    const { deliveryIds } = await emit(account);
    expect((await consume(deliveryIds[0]!)).retryMessages).toEqual([{ msgId: "msg-1", delaySeconds: 5 }]);
    expect(await delivery(deliveryIds[0]!)).toMatchObject({ status: "pending", last_status_code: 302 });
    expect(await receiverLog(`${endpoint.key}-redirected`)).toEqual([]);
  });

  it("marks a dead-lettered delivery failed", async () => {
    const account = await signup();
    await receiverEndpoint(account, "/fail-once");
    const { deliveryIds } = await emit(account);
    const result = await consume(deliveryIds[0]!, 11, handleDeliveryDeadLetters);
    expect(result.explicitAcks).toEqual(["msg-11"]);
    expect(await delivery(deliveryIds[0]!)).toMatchObject({ status: "failed", last_error: "retries exhausted" });
  });

  it("redelivers through the queue with the same event id", async () => {
    const account = await signup();
    const endpoint = await receiverEndpoint(account, "/echo-seed");
    const { eventId, deliveryIds } = await emit(account);
    await consume(deliveryIds[0]!);
    const res = await api(webhooks(account, `/${endpoint.id}/deliveries/${deliveryIds[0]}/redeliver`), { key: account.apiKey, method: "POST" });
    expect(res.status).toBe(202);
    let log: Received[] = [];
    for (let i = 0; i < 50 && log.length < 2; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      log = await receiverLog(endpoint.key);
    }
    expect(log.map((r) => [JSON.parse(r.body).id, r.verified])).toEqual([[eventId, true], [eventId, true]]);
    const other = await signup();
    const foreign = await api(webhooks(other, `/${endpoint.id}/deliveries/${deliveryIds[0]}/redeliver`), { key: other.apiKey, method: "POST" });
    expect(foreign.status).toBe(404);
  });

  it("signs with both secrets during a rotation overlap", async () => {
    const account = await signup();
    const endpoint = await receiverEndpoint(account, "/standard");
    const rotated = await api(webhooks(account, `/${endpoint.id}/rotate`), { key: account.apiKey, body: { expires_in_seconds: 600 } });
    // The receiver still holds the old secret; a second receiver key checks the new one.
    const { deliveryIds } = await emit(account);
    await consume(deliveryIds[0]!);
    const [withOld] = await receiverLog(endpoint.key);
    expect(withOld!.verified).toBe(true);
    expect(withOld!.headers["webhook-signature"]!.split(" ")).toHaveLength(2);

    const newKey = crypto.randomUUID();
    await useSecret(account, endpoint.id, "/standard", newKey, rotated.body.signing_secret);
    const again = await emit(account);
    await consume(again.deliveryIds[0]!);
    expect((await receiverLog(newKey))[0]!.verified).toBe(true);
  });
});
