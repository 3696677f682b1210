import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { type Account, api, expectError, signup } from "../helpers/api";

// The emulated carrier refuses this number at once, so a call that is placed ends deterministically.
const REFUSED = "+14155550110";
const PHONE = "+14155552671";
const DEFAULT_RETRY = { max_attempts: 3, retry_on: ["no_answer", "busy", "voicemail"], intervals_seconds: [300, 3600] };

async function setUp(phone = PHONE) {
  const account = await signup();
  const customer = await api("/api/v1/customers", { key: account.apiKey, body: { first_name: "John", last_name: "Smith", phone } });
  if (customer.status !== 201) throw new Error("setup failed");
  return { account, customerId: customer.body.id as string };
}

const notify = (account: Account, body: Record<string, unknown>) => api("/api/v1/notifications", { key: account.apiKey, body: { message: "Your order has shipped.", ...body } });
const listNumber = (account: Account, phone: string) => api("/api/v1/do-not-call", { key: account.apiKey, body: { phone, reason: "Asked not to be called" } });
const unlist = (account: Account, phone: string) => api(`/api/v1/do-not-call/${encodeURIComponent(phone)}`, { method: "DELETE", key: account.apiKey });
const callsOf = (notificationId: string) => env.DB.prepare("SELECT COUNT(*) AS n FROM calls WHERE notification_id = ?").bind(notificationId).first<number>("n");
const action = (account: Account, id: string, name: string) => api(`/api/v1/notifications/${id}/${name}`, { method: "POST", key: account.apiKey });

describe("notifications to a number on the do-not-call list", () => {
  it("are stored as blocked with the reason, answered 201 with call null, and never called", async () => {
    const { account, customerId } = await setUp();
    await listNumber(account, PHONE);
    const res = await notify(account, { customer_id: customerId });
    expect(res.status).toBe(201);
    expect(res.body.call).toBeNull();
    expect(res.body.notification).toMatchObject({ status: "blocked", attempts: 0, last_call_id: null, target_phone_e164: PHONE });
    expect(res.body.notification.failure_reason).toContain(`${PHONE} is on the project's do-not-call list`);
    expect(res.body.notification.failure_reason).toContain("Asked not to be called");
    expect(await callsOf(res.body.notification.id)).toBe(0);
    const stored = await env.DB.prepare("SELECT status, failure_reason FROM notifications WHERE id = ?").bind(res.body.notification.id).first();
    expect(stored).toEqual({ status: "blocked", failure_reason: res.body.notification.failure_reason });
  });

  it("are blocked rather than scheduled when they have a scheduled_at", async () => {
    const { account, customerId } = await setUp();
    await listNumber(account, PHONE);
    const res = await notify(account, { customer_id: customerId, scheduled_at: new Date(Date.now() + 3_600_000).toISOString() });
    expect(res.status).toBe(201);
    expect(res.body.notification.status).toBe("blocked");
  });

  it("are not blocked by another project's list", async () => {
    const { account, customerId } = await setUp();
    const other = await signup();
    await listNumber(other, PHONE);
    const res = await notify(account, { customer_id: customerId, dispatch: "manual" });
    expect(res.body.notification).toMatchObject({ status: "pending", failure_reason: null });
  });

  it("become blocked when edited after the number was listed", async () => {
    const { account, customerId } = await setUp();
    const created = await notify(account, { customer_id: customerId, dispatch: "manual" });
    await listNumber(account, PHONE);
    const updated = await api(`/api/v1/notifications/${created.body.notification.id}`, { method: "PATCH", key: account.apiKey, body: { priority: 3 } });
    expect(updated.status).toBe(200);
    expect(updated.body).toMatchObject({ status: "blocked", priority: 3 });
  });

  it("are blocked again, not called, when reset and executed while still listed, and called once unlisted", async () => {
    const { account, customerId } = await setUp(REFUSED);
    await listNumber(account, REFUSED);
    const id = (await notify(account, { customer_id: customerId })).body.notification.id;

    const reset = await action(account, id, "reset");
    expect(reset.status).toBe(200);
    expect(reset.body.notification).toMatchObject({ status: "pending", failure_reason: null });
    const executed = await action(account, id, "execute");
    expect(executed.status).toBe(200);
    expect(executed.body).toMatchObject({ notification: { status: "blocked" }, call: null });
    expect(await callsOf(id)).toBe(0);

    await unlist(account, REFUSED);
    await action(account, id, "reset");
    const called = await action(account, id, "execute");
    expect(called.body.call).toEqual({ callId: expect.any(String), status: expect.any(String) });
    expect(await callsOf(id)).toBe(1);
  });

  it("can be deleted while blocked", async () => {
    const { account, customerId } = await setUp();
    await listNumber(account, PHONE);
    const id = (await notify(account, { customer_id: customerId })).body.notification.id;
    expect((await api(`/api/v1/notifications/${id}`, { method: "DELETE", key: account.apiKey })).status).toBe(204);
    expect(await env.DB.prepare("SELECT id FROM notifications WHERE id = ?").bind(id).first()).toBeNull();
  });
});

describe("POST /api/v1/calls to a number on the do-not-call list", () => {
  it("is refused with 422 naming the number's field, storing no notification, customer or call", async () => {
    const account = await signup();
    const agent = await api("/api/v1/agents", { key: account.apiKey, body: { name: "Orders", system_prompt: "You help with orders." } });
    await listNumber(account, REFUSED);
    const res = await api("/api/v1/calls", { key: account.apiKey, body: { agentId: agent.body.id, channel: "call", customerOverride: { phoneNumber: REFUSED } } });
    const error = expectError(res, 422, "unprocessable", "customerOverride.phoneNumber");
    expect(error.message).toContain("do-not-call list");
    for (const table of ["notifications", "customers", "calls"]) {
      expect(await env.DB.prepare(`SELECT COUNT(*) AS n FROM ${table} WHERE project_id = ?`).bind(account.projectId).first<number>("n")).toBe(0);
    }
  });
});

describe("a notification's retry policy", () => {
  it("shows the effective policy, the wait fields and attempts; an override merges over the project's policy", async () => {
    const { account, customerId } = await setUp();
    await api(`/api/v1/projects/${account.projectId}`, { method: "PATCH", token: account.accessToken, body: { retry_policy: { intervals_seconds: [900] } } });
    const plain = await notify(account, { customer_id: customerId, dispatch: "manual" });
    expect(plain.body.notification).toMatchObject({
      retry_policy: { ...DEFAULT_RETRY, intervals_seconds: [900] },
      next_attempt_at: null,
      wait_reason: null,
      attempts: 0,
    });
    const own = await notify(account, { customer_id: customerId, dispatch: "manual", retry_policy: { max_attempts: 5 } });
    expect(own.body.notification.retry_policy).toEqual({ ...DEFAULT_RETRY, max_attempts: 5, intervals_seconds: [900] });
    const stored = await env.DB.prepare("SELECT retry_policy FROM notifications WHERE id = ?").bind(own.body.notification.id).first<string>("retry_policy");
    expect(JSON.parse(stored!)).toEqual({ max_attempts: 5 });
    const read = await api(`/api/v1/notifications/${own.body.notification.id}`, { key: account.apiKey });
    expect(read.body.retry_policy).toEqual(own.body.notification.retry_policy);
  });

  it("is merged field by field on update, and null removes the override", async () => {
    const { account, customerId } = await setUp();
    const id = (await notify(account, { customer_id: customerId, dispatch: "manual", retry_policy: { max_attempts: 5 } })).body.notification.id;
    const path = `/api/v1/notifications/${id}`;
    const merged = await api(path, { method: "PATCH", key: account.apiKey, body: { retry_policy: { retry_on: ["busy"] } } });
    expect(merged.body.retry_policy).toEqual({ max_attempts: 5, retry_on: ["busy"], intervals_seconds: [300, 3600] });
    const removed = await api(path, { method: "PATCH", key: account.apiKey, body: { retry_policy: null } });
    expect(removed.body.retry_policy).toEqual(DEFAULT_RETRY);
    expect(await env.DB.prepare("SELECT retry_policy FROM notifications WHERE id = ?").bind(id).first<string | null>("retry_policy")).toBeNull();
  });

  it("names the invalid field", async () => {
    const { account, customerId } = await setUp();
    expectError(await notify(account, { customer_id: customerId, retry_policy: { max_attempts: 0 } }), 400, "validation_failed", "retry_policy.max_attempts");
    expectError(await notify(account, { customer_id: customerId, retry_policy: { intervals_seconds: [10] } }), 400, "validation_failed", "retry_policy.intervals_seconds.0");
    expectError(await notify(account, { customer_id: customerId, retry_policy: { jitter: true } }), 400, "unknown_field", "retry_policy.jitter");
  });
});
