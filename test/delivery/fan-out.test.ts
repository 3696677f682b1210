import { createExecutionContext, createMessageBatch, env, getQueueResult } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { createDb } from "../../src/db/client";
import { handleDeliveryBatch } from "../../src/delivery/consumer";
import { emitEvent } from "../../src/delivery/events";
import type { WebhookMessage } from "../../src/queues";
import { type Account, api, signup } from "../helpers/api";
import { emit, receiverLog, receiverUrl, storedDelivery, webhooksPath } from "./helpers";

async function register(account: Account, url: string) {
  const created = await api(webhooksPath(account), { key: account.apiKey, body: { url, events: ["call.summary"] } });
  if (created.status !== 201) throw new Error(JSON.stringify(created.body));
  return created.body as { id: string; signing_secret: string };
}

describe("fan-out and batches", () => {
  it("records and queues an event for over a hundred endpoints (D1 and queue limits respected)", async () => {
    const account = await signup();
    for (let i = 0; i < 101; i += 20) {
      await Promise.all(Array.from({ length: Math.min(20, 101 - i) }, (_, j) => register(account, `https://hooks.example.com/${i + j}`)));
    }
    const sends: number[] = [];
    const queue = { sendBatch: async (messages: unknown[]) => void sends.push(messages.length) };
    const eventId = await emitEvent({ ...env, WEBHOOK_QUEUE: queue as unknown as Queue }, createDb(env.DB), { projectId: account.projectId, type: "call.summary", callId: null, data: {} });
    expect(sends).toEqual([100, 1]);
    expect(await env.DB.prepare("SELECT COUNT(*) AS n FROM webhook_deliveries WHERE event_id = ?").bind(eventId).first("n")).toBe(101);
  }, 30_000);

  it("delivers each message of a batch on its own: one failing does not hold back the other", async () => {
    const account = await signup();
    const failing = await register(account, receiverUrl("/fail-once", crypto.randomUUID()));
    const okKey = crypto.randomUUID();
    const ok = await register(account, receiverUrl("/echo-seed", okKey));
    await api(webhooksPath(account, `/${ok.id}`), { key: account.apiKey, method: "PATCH", body: { url: receiverUrl("/echo-seed", okKey, ok.signing_secret) } });
    const { deliveryIds } = await emit(account);
    const rows = await Promise.all(deliveryIds.map(storedDelivery));
    const byEndpoint = new Map(rows.map((row) => [row!.endpoint_id, row!.id as string]));
    const batch = createMessageBatch<WebhookMessage>("parley-webhooks", [
      { id: "msg-failing", timestamp: new Date(), attempts: 1, body: { deliveryId: byEndpoint.get(failing.id)! } },
      { id: "msg-ok", timestamp: new Date(), attempts: 1, body: { deliveryId: byEndpoint.get(ok.id)! } },
    ]);
    await handleDeliveryBatch(batch, env);
    const result = await getQueueResult(batch, createExecutionContext());
    expect(result.explicitAcks).toEqual(["msg-ok"]);
    expect(result.retryMessages.map((m) => m.msgId)).toEqual(["msg-failing"]);
    expect(await receiverLog(okKey)).toMatchObject([{ verified: true, status: 200 }]);
  });
});
