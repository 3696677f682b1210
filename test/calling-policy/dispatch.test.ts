import { env, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { type Account, api, signup } from "../helpers/api";

const NO_ANSWER = "+14155550105";
const SILENT = "+14155550109";

async function setUp(phone: string, project: { max_concurrent_calls?: number; calling_window?: object } = {}) {
  const account = await signup();
  if (project.max_concurrent_calls !== undefined) {
    await env.DB.prepare("UPDATE projects SET max_concurrent_calls = ? WHERE id = ?").bind(project.max_concurrent_calls, account.projectId).run();
  }
  if (project.calling_window) {
    await env.DB.prepare("UPDATE projects SET calling_window = ? WHERE id = ?").bind(JSON.stringify(project.calling_window), account.projectId).run();
  }
  const customer = await api("/api/v1/customers", { key: account.apiKey, body: { first_name: "Ann", phone, timezone: "Europe/Berlin" } });
  expect(customer.status).toBe(201);
  return { account, customerId: customer.body.id as string };
}

async function notify(setup: { account: Account; customerId: string }, extra: Record<string, unknown> = {}) {
  const res = await api("/api/v1/notifications", { key: setup.account.apiKey, body: { customer_id: setup.customerId, message: "Your order ships tomorrow.", ...extra } });
  expect(res.status).toBe(201);
  return res.body as { notification: Record<string, any>; call: { callId: string; status: string } | null };
}

const notificationOf = async (account: Account, id: string) => (await api(`/api/v1/notifications/${id}`, { key: account.apiKey })).body;
const callsOf = (notificationId: string) =>
  env.DB.prepare("SELECT id, status, attempt, queued_at, ended_at FROM calls WHERE notification_id = ? ORDER BY attempt").bind(notificationId).all<Record<string, any>>();
const dispatcher = (account: Account) => env.PROJECT_DISPATCHER.get(env.PROJECT_DISPATCHER.idFromName(account.projectId));

async function waitFor<T>(what: string, read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`${what}: still ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe("retries", () => {
  it("calls again after no answer, spaced as the policy says, and stops when the attempts run out", async () => {
    const setup = await setUp(NO_ANSWER);
    const { notification } = await notify(setup, { retry_policy: { max_attempts: 2, intervals_seconds: [120] } });
    const first = await waitFor("first attempt", () => notificationOf(setup.account, notification.id), (n) => n.status === "scheduled");
    const [call1] = (await callsOf(notification.id)).results;
    expect(call1).toMatchObject({ status: "no_answer", attempt: 1 });
    expect(Date.parse(first.next_attempt_at) - Date.parse(call1!.ended_at)).toBe(120_000);
    expect(first.wait_reason).toMatch(/no answer; attempt 2 of 2/);

    // Its time comes: the dispatcher places attempt 2, the last.
    await env.DB.prepare("UPDATE notifications SET scheduled_at = ? WHERE id = ?").bind(new Date(Date.now() - 1).toISOString(), notification.id).run();
    await runDurableObjectAlarm(dispatcher(setup.account));
    const last = await waitFor("last attempt", () => notificationOf(setup.account, notification.id), (n) => n.status === "failed");
    expect(last).toMatchObject({ attempts: 2, next_attempt_at: null, wait_reason: null });
    expect(last.failure_reason).toMatch(/after 2 attempts, the most the retry policy allows/);
    expect((await callsOf(notification.id)).results.map((c) => [c.attempt, c.status])).toEqual([
      [1, "no_answer"],
      [2, "no_answer"],
    ]);
    // Each attempt's webhook says which attempt it was and whether another one follows.
    const events = await waitFor(
      "both call.failed events",
      async () =>
        (await env.DB.prepare("SELECT body FROM webhook_events WHERE notification_id = ? AND type = 'call.failed'").bind(notification.id).all<{ body: string }>()).results.map(
          (row) => JSON.parse(row.body).data,
        ),
      (found) => found.length === 2,
    );
    expect(events.sort((a, b) => a.attempt - b.attempt)).toMatchObject([
      { attempt: 1, final_attempt: false, next_attempt_at: expect.any(String) },
      { attempt: 2, final_attempt: true, next_attempt_at: null },
    ]);
  }, 40_000);

  it("does not retry an outcome the policy leaves out", async () => {
    const setup = await setUp(NO_ANSWER);
    const { notification } = await notify(setup, { retry_policy: { retry_on: ["busy"] } });
    const done = await waitFor("the attempt", () => notificationOf(setup.account, notification.id), (n) => n.status === "failed");
    expect(done).toMatchObject({ failure_reason: "no_answer", attempts: 1, next_attempt_at: null });
    expect((await callsOf(notification.id)).results).toHaveLength(1);
  }, 40_000);
});

describe("the calling window", () => {
  it("holds a notification outside the recipient's hours, with the reason and the time it may start, and dials nobody", async () => {
    // A window that is closed right now in Berlin: the one hour that began two hours ago (23:00 ends at 24:00).
    const berlinHour = Number(new Intl.DateTimeFormat("en-GB", { timeZone: "Europe/Berlin", hour: "2-digit", hourCycle: "h23" }).format(new Date()));
    const start = (berlinHour + 22) % 24;
    const clock = (h: number) => `${String(h).padStart(2, "0")}:00`;
    const setup = await setUp(SILENT, { calling_window: { start: clock(start), end: clock(start + 1) } });
    const { notification, call } = await notify(setup);
    expect(call).toBeNull();
    expect(notification.status).toBe("scheduled");
    expect(notification.wait_reason).toMatch(/calling window/i);
    const at = new Date(notification.next_attempt_at);
    expect(at.getTime()).toBeGreaterThan(Date.now() + 20 * 3_600_000);
    expect(new Intl.DateTimeFormat("en-GB", { timeZone: "Europe/Berlin", hour: "2-digit", minute: "2-digit", hourCycle: "h23" }).format(at)).toBe(clock(start));
    expect((await callsOf(notification.id)).results).toEqual([]);
    // The dispatcher is woken when the window opens.
    const alarm = await runInDurableObject(dispatcher(setup.account), (_o, state) => state.storage.getAlarm());
    expect(alarm).toBe(at.getTime());
  });
});

describe("the do-not-call list", () => {
  it("a number listed while its notification waits is never dialled: the notification is blocked when it falls due", async () => {
    const setup = await setUp(SILENT);
    const { notification } = await notify(setup, { scheduled_at: new Date(Date.now() + 3_600_000).toISOString() });
    await env.DB.prepare("INSERT INTO do_not_call (id, project_id, phone_e164, reason, source, created_at) VALUES (?, ?, ?, ?, 'api', ?)")
      .bind(crypto.randomUUID(), setup.account.projectId, SILENT, "asked by letter", new Date().toISOString())
      .run();
    await env.DB.prepare("UPDATE notifications SET scheduled_at = ? WHERE id = ?").bind(new Date(Date.now() - 1).toISOString(), notification.id).run();
    await runDurableObjectAlarm(dispatcher(setup.account));
    const after = await notificationOf(setup.account, notification.id);
    expect(after.status).toBe("blocked");
    expect(after.failure_reason).toMatch(/do-not-call list.*asked by letter/);
    expect((await callsOf(notification.id)).results).toEqual([]);
  });
});

describe("concurrency", () => {
  it("a burst of three times the limit runs exactly the limit at once, the rest waiting their turn in priority order", async () => {
    // Unanswered calls hold their slot while they ring (4.5 s here), with no audio to stream.
    const setup = await setUp(NO_ANSWER, { max_concurrent_calls: 2 });
    const sent = [];
    for (let i = 0; i < 6; i++) sent.push(await notify(setup, { priority: i === 5 ? 10 : 0, retry_policy: { max_attempts: 1 } }));
    expect(sent.map((s) => s.call !== null)).toEqual([true, true, false, false, false, false]);
    for (const waiting of sent.slice(2)) {
      expect(waiting.notification).toMatchObject({ status: "scheduled" });
      expect(waiting.notification.wait_reason).toMatch(/All 2 of the project's call slots are in use/);
    }
    const usage = (await api("/api/v1/usage", { key: setup.account.apiKey })).body;
    expect(usage).toMatchObject({ max_concurrent_calls: 2, active_calls: 2, waiting: 4, scheduled: 0 });
    expect(usage.calls.map((c: { call_id: string }) => c.call_id).sort()).toEqual([sent[0]!.call!.callId, sent[1]!.call!.callId].sort());

    // Everyone is called in the end, once each, and never more than two at a time.
    const ids = sent.map((s) => s.notification.id);
    await waitFor(
      "all notifications",
      async () => Promise.all(ids.map(async (id) => (await notificationOf(setup.account, id)).status)),
      (statuses) => statuses.every((s) => s === "failed"),
      60_000,
    );
    const calls = (await Promise.all(ids.map(async (id) => (await callsOf(id)).results))).map((rows) => rows.length);
    expect(calls).toEqual([1, 1, 1, 1, 1, 1]);
    const spans = (await env.DB.prepare("SELECT queued_at, ended_at FROM calls WHERE project_id = ?").bind(setup.account.projectId).all<{ queued_at: string; ended_at: string }>()).results;
    const most = Math.max(...spans.map((s) => spans.filter((o) => o.queued_at <= s.queued_at && o.ended_at > s.queued_at).length));
    expect(most).toBeLessThanOrEqual(2);
    // As slots freed, the waiting ones started by priority, then oldest first.
    const startedAt = async (i: number) => (await callsOf(ids[i]!)).results[0]!.queued_at as string;
    const order = await Promise.all([5, 2, 3, 4].map(startedAt));
    expect([...order].sort()).toEqual(order);
  }, 90_000);

  it("a reset of the project's dispatcher while notifications wait loses none and dials none twice", async () => {
    const setup = await setUp(NO_ANSWER, { max_concurrent_calls: 1 });
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push((await notify(setup, { retry_policy: { max_attempts: 1 } })).notification.id);
    // What a runtime reset does: memory gone, storage (leases, alarm) kept.
    await runInDurableObject(dispatcher(setup.account), (_instance, state) => state.abort("simulated reset")).catch((error: unknown) => {
      if (!String(error).includes("simulated reset")) throw error;
    });
    await waitFor(
      "all notifications",
      async () => Promise.all(ids.map(async (id) => (await notificationOf(setup.account, id)).status)),
      (statuses) => statuses.every((s) => s === "failed"),
      60_000,
    );
    expect(await Promise.all(ids.map(async (id) => (await callsOf(id)).results.length))).toEqual([1, 1, 1]);
  }, 90_000);

  it("shows each project only its own usage", async () => {
    const busy = await setUp(NO_ANSWER, { max_concurrent_calls: 1 });
    await notify(busy, { retry_policy: { max_attempts: 1 } });
    await notify(busy, { retry_policy: { max_attempts: 1 } });
    const other = await setUp(NO_ANSWER);
    expect((await api("/api/v1/usage", { key: busy.account.apiKey })).body).toMatchObject({ max_concurrent_calls: 1, active_calls: 1, waiting: 1 });
    expect((await api("/api/v1/usage", { key: other.account.apiKey })).body).toEqual({ max_concurrent_calls: 10, active_calls: 0, calls: [], waiting: 0, scheduled: 0 });
    expect((await api("/api/v1/usage")).status).toBe(401);
  });
});
