import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { type Account, api, expectError, signup } from "./helpers/api";

// The emulated carrier refuses this number (21211): an executed notification fails at once, deterministically.
const REFUSED = "+14155550110";
const PROMPT = "Confirm {{recipient_first_name}}'s appointment on {{appointment_time}} with {{doctor_name}}.";
const VARIABLES = { appointment_time: "Thursday at 2 PM", doctor_name: "Dr. Patel" };

async function setUp(phone = REFUSED) {
  const account = await signup();
  const agent = await api("/api/v1/agents", { key: account.apiKey, body: { name: "Reminder", system_prompt: PROMPT } });
  const customer = await api("/api/v1/customers", { key: account.apiKey, body: { first_name: "John", last_name: "Smith", phone } });
  return { account, agentId: agent.body.id as string, customerId: customer.body.id as string };
}

type Setup = Awaited<ReturnType<typeof setUp>>;

async function pending(setup: Setup, extra: Record<string, unknown> = {}) {
  const body = { customer_id: setup.customerId, agent_id: setup.agentId, variables: VARIABLES, dispatch: "manual", ...extra };
  const res = await api("/api/v1/notifications", { key: setup.account.apiKey, body });
  if (res.status !== 201) throw new Error(`notification: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.notification;
}

const setStatus = (id: string, status: string) => env.DB.prepare("UPDATE notifications SET status = ? WHERE id = ?").bind(status, id).run();
const stored = (id: string) => env.DB.prepare("SELECT * FROM notifications WHERE id = ?").bind(id).first<Record<string, any>>();
const call = (account: Account, path: string, method = "POST", body?: unknown) =>
  api(`/api/v1/notifications/${path}`, { method, key: account.apiKey, ...(body !== undefined && { body }) });
const inAnHour = () => new Date(Date.now() + 3_600_000).toISOString();

describe("GET /api/v1/notifications/{id}", () => {
  it("answers the notification with its calls, oldest first", async () => {
    const setup = await setUp();
    const created = await pending(setup);
    const executed = await call(setup.account, `${created.id}/execute`);
    const res = await call(setup.account, created.id, "GET");
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: created.id, status: "failed", attempts: 1 });
    expect(res.body.calls).toHaveLength(1);
    expect(res.body.calls[0]).toMatchObject({ id: executed.body.call.callId, notification_id: created.id, to: REFUSED, status: "failed" });
  });

  it("answers 404 for another project's notification", async () => {
    const mine = await setUp();
    const theirs = await pending(await setUp());
    expectError(await call(mine.account, theirs.id, "GET"), 404, "not_found", "id");
  });
});

describe("GET /api/v1/notifications", () => {
  it("filters by status, agent, customer and creation time, newest first", async () => {
    const setup = await setUp();
    const other = await api("/api/v1/customers", { key: setup.account.apiKey, body: { first_name: "Ana", phone: "+14155552671" } });
    const first = await pending(setup);
    const second = await pending(setup, { customer_id: other.body.id });
    const llm = await pending(setup, { agent_id: null, message: "Hello there" });
    await setStatus(first.id, "completed");
    // Distinct creation times, so the time filters have exact boundaries.
    const times = ["2026-01-01T10:00:00.000Z", "2026-01-01T11:00:00.000Z", "2026-01-01T12:00:00.000Z"];
    for (const [index, n] of [first, second, llm].entries()) {
      await env.DB.prepare("UPDATE notifications SET created_at = ? WHERE id = ?").bind(times[index], n.id).run();
    }
    const ids = async (query: string) => (await call(setup.account, `?${query}`, "GET")).body.data.map((n: { id: string }) => n.id);

    expect(await ids("")).toEqual([llm.id, second.id, first.id]);
    expect(await ids("status=completed")).toEqual([first.id]);
    expect(await ids(`agent_id=${setup.agentId}`)).toEqual([second.id, first.id]);
    expect(await ids(`customer_id=${other.body.id}`)).toEqual([second.id]);
    expect(await ids("created_after=2026-01-01T11:00:00Z")).toEqual([llm.id, second.id]);
    expect(await ids("created_before=2026-01-01T12:00:00%2B01:00")).toEqual([first.id]);
  });

  it("pages with limit and cursor", async () => {
    const setup = await setUp();
    const made = [await pending(setup), await pending(setup), await pending(setup)];
    for (const [index, n] of made.entries()) {
      await env.DB.prepare("UPDATE notifications SET created_at = ? WHERE id = ?").bind(`2026-01-01T1${index}:00:00.000Z`, n.id).run();
    }
    const page1 = await call(setup.account, "?limit=2", "GET");
    expect(page1.body).toMatchObject({ has_more: true, next_cursor: expect.any(String) });
    const page2 = await call(setup.account, `?limit=2&cursor=${page1.body.next_cursor}`, "GET");
    expect([...page1.body.data, ...page2.body.data].map((n: { id: string }) => n.id)).toEqual(made.map((n) => n.id).reverse());
    expect(page2.body.has_more).toBe(false);
  });

  it("shows only the caller's project", async () => {
    const mine = await setUp();
    await pending(await setUp());
    expect((await call(mine.account, "", "GET")).body.data).toEqual([]);
  });

  it("refuses an unknown status", async () => {
    const setup = await setUp();
    expectError(await call(setup.account, "?status=done", "GET"), 400, "validation_failed", "status");
  });
});

describe("PATCH /api/v1/notifications/{id}", () => {
  it("changes a pending notification and renders its script again", async () => {
    const setup = await setUp();
    const created = await pending(setup);
    const res = await call(setup.account, created.id, "PATCH", { variables: { ...VARIABLES, doctor_name: "Dr. Lee" }, priority: 3, name: "Reminder" });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ priority: 3, name: "Reminder", variables: { doctor_name: "Dr. Lee" } });
    expect(res.body.instructions).toContain("with Dr. Lee.");
    expect((await stored(created.id))?.instructions).toContain("with Dr. Lee.");
  });

  it("schedules a pending notification with a future scheduled_at and unschedules it with null", async () => {
    const setup = await setUp();
    const created = await pending(setup);
    const at = inAnHour();
    expect((await call(setup.account, created.id, "PATCH", { scheduled_at: at })).body).toMatchObject({ status: "scheduled", scheduled_at: at });
    expect((await call(setup.account, created.id, "PATCH", { scheduled_at: null })).body).toMatchObject({ status: "pending", scheduled_at: null });
  });

  it("refuses variables that leave a placeholder unfilled, and changes nothing", async () => {
    const setup = await setUp();
    const created = await pending(setup);
    const res = await call(setup.account, created.id, "PATCH", { variables: { appointment_time: "Friday" } });
    expect(expectError(res, 422, "unprocessable", "variables").message).toContain("Missing variables: doctor_name");
    expect((await stored(created.id))?.variables).toBe(JSON.stringify(VARIABLES));
  });

  it("answers 409 once the notification has been called", async () => {
    const setup = await setUp();
    const created = await pending(setup);
    for (const status of ["in_progress", "completed", "failed", "canceled"]) {
      await setStatus(created.id, status);
      expectError(await call(setup.account, created.id, "PATCH", { priority: 1 }), 409, "conflict");
    }
    expect((await stored(created.id))?.priority).toBe(0);
  });

  it("answers 404 for another project's notification or customer, and refuses read-only fields", async () => {
    const mine = await setUp();
    const theirs = await setUp();
    const created = await pending(mine);
    expectError(await call(theirs.account, created.id, "PATCH", { priority: 9 }), 404, "not_found", "id");
    expectError(await call(mine.account, created.id, "PATCH", { customer_id: theirs.customerId }), 404, "not_found", "customer_id");
    expectError(await call(mine.account, created.id, "PATCH", { status: "completed" }), 400, "unknown_field", "status");
    expectError(await call(mine.account, created.id, "PATCH", {}), 400, "validation_failed");
    expect(await stored(created.id)).toMatchObject({ priority: 0, status: "pending", customer_id: mine.customerId });
  });
});

describe("DELETE /api/v1/notifications/{id}", () => {
  it("deletes a pending notification", async () => {
    const setup = await setUp();
    const created = await pending(setup);
    expect((await call(setup.account, created.id, "DELETE")).status).toBe(204);
    expect(await stored(created.id)).toBeNull();
  });

  it("deletes a failed notification together with its calls", async () => {
    const setup = await setUp();
    const created = await pending(setup);
    const executed = await call(setup.account, `${created.id}/execute`);
    expect(executed.body.notification.status).toBe("failed");
    expect((await call(setup.account, created.id, "DELETE")).status).toBe(204);
    expect(await env.DB.prepare("SELECT id FROM calls WHERE id = ?").bind(executed.body.call.callId).first()).toBeNull();
  });

  it("answers 409 for scheduled, in-progress, completed and canceled notifications", async () => {
    const setup = await setUp();
    const created = await pending(setup);
    for (const status of ["scheduled", "in_progress", "completed", "canceled"]) {
      await setStatus(created.id, status);
      expectError(await call(setup.account, created.id, "DELETE"), 409, "conflict");
    }
    expect(await stored(created.id)).not.toBeNull();
  });

  it("answers 404 for another project's notification and deletes nothing", async () => {
    const created = await pending(await setUp());
    expectError(await call((await setUp()).account, created.id, "DELETE"), 404, "not_found", "id");
    expect(await stored(created.id)).not.toBeNull();
  });
});

describe("POST /api/v1/notifications/{id}/execute", () => {
  it("places the call of a pending notification, recording the attempt", async () => {
    const setup = await setUp();
    const created = await pending(setup);
    const res = await call(setup.account, `${created.id}/execute`);
    expect(res.status).toBe(200);
    expect(res.body.notification).toMatchObject({ id: created.id, attempts: 1, last_call_id: res.body.call.callId, status: "failed" });
    expect(res.body.call.status).toBe("failed");
  });

  it("answers 409 unless pending, placing no call", async () => {
    const setup = await setUp();
    const created = await pending(setup);
    for (const status of ["scheduled", "in_progress", "completed", "failed", "canceled"]) {
      await setStatus(created.id, status);
      expectError(await call(setup.account, `${created.id}/execute`), 409, "conflict");
    }
    expect(await env.DB.prepare("SELECT COUNT(*) AS n FROM calls WHERE notification_id = ?").bind(created.id).first("n")).toBe(0);
  });

  it("places one call when executed twice at once", async () => {
    const setup = await setUp();
    const created = await pending(setup);
    const answers = await Promise.all([call(setup.account, `${created.id}/execute`), call(setup.account, `${created.id}/execute`)]);
    expect(answers.map((a) => a.status).sort()).toEqual([200, 409]);
    expect(await env.DB.prepare("SELECT COUNT(*) AS n FROM calls WHERE notification_id = ?").bind(created.id).first("n")).toBe(1);
    expect((await stored(created.id))?.attempts).toBe(1);
  });

  it("answers 404 for another project's notification", async () => {
    const created = await pending(await setUp());
    expectError(await call((await setUp()).account, `${created.id}/execute`), 404, "not_found", "id");
    expect((await stored(created.id))?.status).toBe("pending");
  });
});

describe("POST /api/v1/notifications/{id}/reset", () => {
  it("makes a failed notification pending again, so it can be executed for a second attempt", async () => {
    const setup = await setUp();
    const created = await pending(setup);
    await call(setup.account, `${created.id}/execute`);
    const reset = await call(setup.account, `${created.id}/reset`);
    expect(reset.status).toBe(200);
    expect(reset.body).toMatchObject({ notification: { status: "pending", failure_reason: null, attempts: 1 }, call: null });
    const again = await call(setup.account, `${created.id}/execute`);
    expect(again.body.notification.attempts).toBe(2);
    expect((await call(setup.account, created.id, "GET")).body.calls).toHaveLength(2);
  });

  it("resets completed, canceled and scheduled notifications", async () => {
    const setup = await setUp();
    const created = await pending(setup, { scheduled_at: inAnHour() });
    for (const status of ["scheduled", "completed", "canceled"]) {
      await setStatus(created.id, status);
      const res = await call(setup.account, `${created.id}/reset`);
      expect(res.body.notification).toMatchObject({ status: "pending", scheduled_at: null });
    }
  });

  it("answers 409 while pending or in progress", async () => {
    const setup = await setUp();
    const created = await pending(setup);
    expectError(await call(setup.account, `${created.id}/reset`), 409, "conflict");
    await setStatus(created.id, "in_progress");
    expectError(await call(setup.account, `${created.id}/reset`), 409, "conflict");
    expect((await stored(created.id))?.status).toBe("in_progress");
  });

  it("answers 404 for another project's notification", async () => {
    const created = await pending(await setUp());
    await setStatus(created.id, "failed");
    expectError(await call((await setUp()).account, `${created.id}/reset`), 404, "not_found", "id");
    expect((await stored(created.id))?.status).toBe("failed");
  });
});

describe("POST /api/v1/notifications/{id}/cancel", () => {
  it("cancels a pending and a scheduled notification", async () => {
    const setup = await setUp();
    for (const extra of [{}, { scheduled_at: inAnHour() }]) {
      const created = await pending(setup, extra);
      const res = await call(setup.account, `${created.id}/cancel`);
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ notification: expect.objectContaining({ id: created.id, status: "canceled" }), call: null });
    }
  });

  it("stops the call of a notification in progress, then cancels it", async () => {
    // The emulated callee at this number never speaks, so the call is still live when canceled.
    const setup = await setUp("+14155550109");
    const created = await pending(setup, { dispatch: "immediate" });
    expect(created.status).toBe("in_progress");
    const res = await call(setup.account, `${created.id}/cancel`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ notification: expect.objectContaining({ status: "canceled" }), call: { callId: created.last_call_id, status: "canceled" } });
    expect(await env.DB.prepare("SELECT status FROM calls WHERE id = ?").bind(created.last_call_id).first("status")).toBe("canceled");
  });

  it("answers 409 once finished", async () => {
    const setup = await setUp();
    const created = await pending(setup);
    for (const status of ["completed", "failed", "canceled"]) {
      await setStatus(created.id, status);
      expectError(await call(setup.account, `${created.id}/cancel`), 409, "conflict");
      expect((await stored(created.id))?.status).toBe(status);
    }
  });

  it("answers 404 for another project's notification and cancels nothing", async () => {
    const created = await pending(await setUp());
    expectError(await call((await setUp()).account, `${created.id}/cancel`), 404, "not_found", "id");
    expect((await stored(created.id))?.status).toBe("pending");
  });
});
