import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { type Account, api, expectError, signup } from "./helpers/api";

// The emulated carrier refuses this number (21211): each executed notification leaves one failed call, at once.
const REFUSED = "+14155550110";

async function setUp() {
  const account = await signup();
  const agent = await api("/api/v1/agents", { key: account.apiKey, body: { name: "Notice", system_prompt: "Tell {{recipient_first_name}} the news." } });
  const customer = await api("/api/v1/customers", { key: account.apiKey, body: { first_name: "John", phone: REFUSED } });
  return { account, agentId: agent.body.id as string, customerId: customer.body.id as string };
}

type Setup = Awaited<ReturnType<typeof setUp>>;

/** Sends a notification and returns its call (failed, since the number is refused). */
async function placeCall(setup: Setup, agentPath = true) {
  const body = agentPath ? { customer_id: setup.customerId, agent_id: setup.agentId } : { customer_id: setup.customerId, message: "Hello" };
  const res = await api("/api/v1/notifications", { key: setup.account.apiKey, body });
  if (res.status !== 201) throw new Error(`notification: ${res.status} ${JSON.stringify(res.body)}`);
  return { notificationId: res.body.notification.id as string, callId: res.body.call.callId as string };
}

const getCall = (account: Account, id: string) => api(`/api/v1/calls/${id}`, { key: account.apiKey });
const ids = async (account: Account, query: string) => (await api(`/api/v1/calls?${query}`, { key: account.apiKey })).body.data.map((c: { id: string }) => c.id);

describe("GET /api/v1/calls/{id}", () => {
  it("answers the call's status, timings, numbers and why it ended", async () => {
    const setup = await setUp();
    const { notificationId, callId } = await placeCall(setup);
    const res = await getCall(setup.account, callId);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      id: callId,
      project_id: setup.account.projectId,
      notification_id: notificationId,
      agent_id: setup.agentId,
      customer_id: setup.customerId,
      carrier: "emulator",
      status: "failed",
      to: REFUSED,
      from: "+14155550100",
      answered_by: null,
      queued_at: expect.any(String),
      ended_at: expect.any(String),
      end_reason: expect.any(String),
      error_message: expect.any(String),
      transcript: [],
      messages: [],
    });
  });

  it("answers the transcript in order, and the same lines as Elemente's messages timed from the answer", async () => {
    const setup = await setUp();
    const { callId } = await placeCall(setup);
    await env.DB.prepare("UPDATE calls SET answered_at = ? WHERE id = ?").bind("2026-03-18T17:51:00.000Z", callId).run();
    const insert = env.DB.prepare(
      "INSERT INTO transcript_entries (id, call_id, seq, speaker, text, start_ms, end_ms, interrupted, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
    );
    await env.DB.batch([
      insert.bind(crypto.randomUUID(), callId, 1, "customer", "Yes, that works.", 4200, 5400, 0, "2026-03-18T17:51:06.000Z"),
      insert.bind(crypto.randomUUID(), callId, 0, "agent", "Hi John, can you make Thursday?", 300, 3900, 1, "2026-03-18T17:51:04.000Z"),
    ]);
    const res = await getCall(setup.account, callId);
    expect(res.body.transcript).toEqual([
      { seq: 0, speaker: "agent", text: "Hi John, can you make Thursday?", start_ms: 300, end_ms: 3900, interrupted: true },
      { seq: 1, speaker: "customer", text: "Yes, that works.", start_ms: 4200, end_ms: 5400, interrupted: false },
    ]);
    expect(res.body.messages).toEqual([
      { sender: "agent", content: "Hi John, can you make Thursday?", timestamp: "2026-03-18T17:51:00.300Z" },
      { sender: "customer", content: "Yes, that works.", timestamp: "2026-03-18T17:51:04.200Z" },
    ]);
  });

  it("answers 404 for another project's call", async () => {
    const { callId } = await placeCall(await setUp());
    expectError(await getCall((await setUp()).account, callId), 404, "not_found", "id");
  });

  it("needs the project's API key", async () => {
    const setup = await setUp();
    const { callId } = await placeCall(setup);
    expectError(await api(`/api/v1/calls/${callId}`), 401, "unauthenticated");
    expectError(await api(`/api/v1/calls/${callId}`, { token: setup.account.accessToken }), 403, "forbidden");
  });
});

describe("GET /api/v1/calls", () => {
  it("lists the project's calls newest first, filtered by notification (or task), agent and status", async () => {
    const setup = await setUp();
    const first = await placeCall(setup);
    const second = await placeCall(setup, false);
    await env.DB.prepare("UPDATE calls SET created_at = ? WHERE id = ?").bind("2026-01-01T10:00:00.000Z", first.callId).run();
    await env.DB.prepare("UPDATE calls SET created_at = ?, status = 'completed' WHERE id = ?").bind("2026-01-01T11:00:00.000Z", second.callId).run();

    expect(await ids(setup.account, "")).toEqual([second.callId, first.callId]);
    expect(await ids(setup.account, `notification_id=${first.notificationId}`)).toEqual([first.callId]);
    expect(await ids(setup.account, `task_id=${second.notificationId}`)).toEqual([second.callId]);
    expect(await ids(setup.account, `agent_id=${setup.agentId}`)).toEqual([first.callId]);
    expect(await ids(setup.account, "status=completed")).toEqual([second.callId]);
    expect(await ids(setup.account, "limit=1")).toEqual([second.callId]);
  });

  it("shows nothing of another project", async () => {
    const theirs = await setUp();
    const { notificationId } = await placeCall(theirs);
    const mine = await setUp();
    expect(await ids(mine.account, "")).toEqual([]);
    expect(await ids(mine.account, `notification_id=${notificationId}`)).toEqual([]);
  });

  it("refuses two different ids for the notification and an unknown status", async () => {
    const setup = await setUp();
    const query = `notification_id=${crypto.randomUUID()}&task_id=${crypto.randomUUID()}`;
    expectError(await api(`/api/v1/calls?${query}`, { key: setup.account.apiKey }), 400, "validation_failed", "task_id");
    expectError(await api("/api/v1/calls?status=initiated", { key: setup.account.apiKey }), 400, "validation_failed", "status");
  });
});

describe("POST /api/v1/calls/{id}/end and /cancel", () => {
  it("cancels a live call at once and closes its notification", async () => {
    const setup = await setUp();
    // The emulated callee at this number never speaks, so the call is still live when stopped.
    const silent = await api("/api/v1/customers", { key: setup.account.apiKey, body: { first_name: "Sam", phone: "+14155550109" } });
    const created = await api("/api/v1/notifications", { key: setup.account.apiKey, body: { customer_id: silent.body.id, message: "Hello" } });
    const res = await api(`/api/v1/calls/${created.body.call.callId}/cancel`, { method: "POST", key: setup.account.apiKey });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: created.body.call.callId, status: "canceled", ended_at: expect.any(String) });
    expect((await api(`/api/v1/notifications/${created.body.notification.id}`, { key: setup.account.apiKey })).body.status).toBe("canceled");
  });

  it("accepts a request to end a live call and answers the call", async () => {
    const setup = await setUp();
    const silent = await api("/api/v1/customers", { key: setup.account.apiKey, body: { first_name: "Sam", phone: "+14155550109" } });
    const created = await api("/api/v1/notifications", { key: setup.account.apiKey, body: { customer_id: silent.body.id, message: "Hello" } });
    const res = await api(`/api/v1/calls/${created.body.call.callId}/end`, { method: "POST", key: setup.account.apiKey });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: created.body.call.callId, notification_id: created.body.notification.id });
  });

  it("answers 409 for a call that has already ended, and leaves it as it was", async () => {
    const setup = await setUp();
    const { callId } = await placeCall(setup);
    for (const action of ["end", "cancel"]) {
      expectError(await api(`/api/v1/calls/${callId}/${action}`, { method: "POST", key: setup.account.apiKey }), 409, "conflict");
    }
    expect((await getCall(setup.account, callId)).body.status).toBe("failed");
  });

  it("answers 404 for another project's call", async () => {
    const theirs = await setUp();
    const { callId } = await placeCall(theirs);
    await env.DB.prepare("UPDATE calls SET status = 'in_progress' WHERE id = ?").bind(callId).run();
    const mine = await setUp();
    for (const action of ["end", "cancel"]) {
      expectError(await api(`/api/v1/calls/${callId}/${action}`, { method: "POST", key: mine.account.apiKey }), 404, "not_found", "id");
    }
    expect((await env.DB.prepare("SELECT status FROM calls WHERE id = ?").bind(callId).first("status"))).toBe("in_progress");
  });
});
