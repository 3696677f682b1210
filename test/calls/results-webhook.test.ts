import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { api } from "../helpers/api";
import { notify, setUpCall, waitForCallEnd } from "../helpers/calls";

interface Received {
  path: string;
  body: string;
  verified: boolean | null;
  status: number;
}

async function receiverLog(key: string): Promise<Received[]> {
  return (await fetch(`https://receiver.test/__log?key=${key}`)).json();
}

async function waitForDelivery(key: string, eventName: string, timeoutMs = 30_000): Promise<Received> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = (await receiverLog(key)).find((r) => JSON.parse(r.body).event_name === eventName);
    if (found) return found;
    if (Date.now() > deadline) throw new Error(`no ${eventName} delivered to ${key}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

describe("after the call: results and the signed webhook (Echo quickstart step 5)", () => {
  it("delivers call.summary, verified by the seed's receiver code, with data.analysis matching the agent's output_schema", async () => {
    const setup = await setUpCall("+14155550101");
    const key = crypto.randomUUID();
    const registered = await api(`/api/v1/projects/${setup.account.projectId}/webhooks`, {
      key: setup.account.apiKey,
      body: { url: `https://receiver.test/echo-seed?key=${key}`, events: ["call.summary"] },
    });
    expect(registered.status).toBe(201);
    const secret: string = registered.body.signing_secret;
    // The test receiver learns the secret from its URL, as the seed's server would from its environment.
    const patched = await api(`/api/v1/projects/${setup.account.projectId}/webhooks/${registered.body.id}`, {
      method: "PATCH",
      key: setup.account.apiKey,
      body: { url: `https://receiver.test/echo-seed?key=${key}&secret=${encodeURIComponent(secret)}` },
    });
    expect(patched.status).toBe(200);

    const sent = await notify(setup);
    const call = await waitForCallEnd(setup.account, sent.body.call.callId);
    expect(call.status).toBe("completed");

    const delivery = await waitForDelivery(key, "call.summary");
    expect(delivery).toMatchObject({ path: "/echo-seed", verified: true, status: 200 });
    const event = JSON.parse(delivery.body);
    expect(event).toMatchObject({ event_name: "call.summary", call_id: call.id, data: { analysis: { confirmed: true, reschedule_request: null } } });

    // The results are stored on the call and as the notification's call_result.
    const stored = await env.DB.prepare("SELECT analysis, summary FROM calls WHERE id = ?").bind(call.id).first<{ analysis: string; summary: string }>();
    expect(JSON.parse(stored!.analysis)).toEqual({ confirmed: true, reschedule_request: null });
    expect(stored!.summary).toEqual(expect.any(String));
    const notification = await api(`/api/v1/notifications/${sent.body.notification.id}`, { key: setup.account.apiKey });
    expect(notification.body.call_result).toEqual({ confirmed: true, reschedule_request: null });
    const read = await api(`/api/v1/calls/${call.id}`, { key: setup.account.apiKey });
    expect(read.body).toMatchObject({ analysis: { confirmed: true, reschedule_request: null }, analysis_error: null, summary: expect.any(String) });
  }, 60_000);

  it("extracts the requested time when the callee asks to reschedule", async () => {
    const setup = await setUpCall("+14155550103");
    const sent = await notify(setup);
    await waitForCallEnd(setup.account, sent.body.call.callId);
    const deadline = Date.now() + 30_000;
    let row: { analysis: string | null } | null = null;
    while (Date.now() < deadline) {
      row = await env.DB.prepare("SELECT analysis FROM calls WHERE id = ? AND processed_at IS NOT NULL").bind(sent.body.call.callId).first();
      if (row) break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect(JSON.parse(row!.analysis!)).toMatchObject({ reschedule_request: expect.stringMatching(/Friday at 3/i) });
  }, 60_000);
});
