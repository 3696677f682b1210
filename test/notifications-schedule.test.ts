import { env, evictDurableObject, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { createDb } from "../src/db/client";
import { dueNotificationIds, type ProjectDispatcher } from "../src/dispatch/project-dispatcher";
import { type Account, api, signup } from "./helpers/api";

// The emulated carrier refuses this number (21211): a dispatched notification fails at once, deterministically.
const REFUSED = "+14155550110";

async function setUp() {
  const account = await signup();
  const customer = await api("/api/v1/customers", { key: account.apiKey, body: { first_name: "John", phone: REFUSED } });
  return { account, customerId: customer.body.id as string };
}

type Setup = Awaited<ReturnType<typeof setUp>>;

async function schedule(setup: Setup, inMs: number, extra: Record<string, unknown> = {}) {
  const body = { customer_id: setup.customerId, message: "Your order ships tomorrow.", scheduled_at: new Date(Date.now() + inMs).toISOString(), ...extra };
  const res = await api("/api/v1/notifications", { key: setup.account.apiKey, body });
  if (res.status !== 201) throw new Error(`notification: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.notification as { id: string; scheduled_at: string };
}

const dispatcher = (account: Account) => env.PROJECT_DISPATCHER.get(env.PROJECT_DISPATCHER.idFromName(account.projectId));
const alarmOf = (account: Account) => runInDurableObject(dispatcher(account), (_instance, state) => state.storage.getAlarm());
const makeDue = (id: string) => env.DB.prepare("UPDATE notifications SET scheduled_at = ? WHERE id = ?").bind(new Date(Date.now() - 1000).toISOString(), id).run();
const stored = (id: string) => env.DB.prepare("SELECT status, attempts, failure_reason FROM notifications WHERE id = ?").bind(id).first<Record<string, any>>();
const callCount = (id: string) => env.DB.prepare("SELECT COUNT(*) AS n FROM calls WHERE notification_id = ?").bind(id).first<number>("n");
const HOUR = 3_600_000;

describe("the project dispatcher", () => {
  it("sets its alarm to the earliest scheduled time", async () => {
    const setup = await setUp();
    const later = await schedule(setup, 2 * HOUR);
    expect(await alarmOf(setup.account)).toBe(Date.parse(later.scheduled_at));
    const sooner = await schedule(setup, HOUR);
    await schedule(setup, 3 * HOUR);
    expect(await alarmOf(setup.account)).toBe(Date.parse(sooner.scheduled_at));
  });

  it("moves its alarm earlier when a notification is rescheduled sooner", async () => {
    const setup = await setUp();
    const created = await schedule(setup, 2 * HOUR);
    const sooner = new Date(Date.now() + HOUR).toISOString();
    await api(`/api/v1/notifications/${created.id}`, { method: "PATCH", key: setup.account.apiKey, body: { scheduled_at: sooner } });
    expect(await alarmOf(setup.account)).toBe(Date.parse(sooner));
  });

  it("calls a due notification when its alarm runs", async () => {
    const setup = await setUp();
    const created = await schedule(setup, HOUR);
    await makeDue(created.id);
    expect(await runDurableObjectAlarm(dispatcher(setup.account))).toBe(true);
    expect(await stored(created.id)).toMatchObject({ status: "failed", attempts: 1 });
    expect(await callCount(created.id)).toBe(1);
  });

  it("calls a notification when its time comes, on its own", async () => {
    const setup = await setUp();
    const created = await schedule(setup, 1000);
    const deadline = Date.now() + 10_000;
    while ((await stored(created.id))?.status === "scheduled" && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect((await stored(created.id))?.attempts).toBe(1);
    expect(await callCount(created.id)).toBe(1);
  });

  it("leaves notifications that are not yet due, and re-arms for the next one", async () => {
    const setup = await setUp();
    const due = await schedule(setup, HOUR);
    const next = await schedule(setup, 2 * HOUR);
    await makeDue(due.id);
    await runDurableObjectAlarm(dispatcher(setup.account));
    expect((await stored(due.id))?.attempts).toBe(1);
    expect(await stored(next.id)).toMatchObject({ status: "scheduled", attempts: 0 });
    expect(await alarmOf(setup.account)).toBe(Date.parse(next.scheduled_at));
  });

  it("never calls a notification twice, even when the alarm runs again", async () => {
    const setup = await setUp();
    const created = await schedule(setup, HOUR);
    await makeDue(created.id);
    await runDurableObjectAlarm(dispatcher(setup.account));
    await runInDurableObject(dispatcher(setup.account), (instance: ProjectDispatcher) => instance.alarm());
    expect(await callCount(created.id)).toBe(1);
    expect((await stored(created.id))?.attempts).toBe(1);
  });

  it("does not call a notification canceled before it was due", async () => {
    const setup = await setUp();
    const created = await schedule(setup, HOUR);
    await api(`/api/v1/notifications/${created.id}/cancel`, { method: "POST", key: setup.account.apiKey });
    await makeDue(created.id);
    await runDurableObjectAlarm(dispatcher(setup.account));
    expect(await stored(created.id)).toMatchObject({ status: "canceled", attempts: 0 });
    expect(await callCount(created.id)).toBe(0);
  });

  it("remembers its project across a restart", async () => {
    const setup = await setUp();
    const created = await schedule(setup, HOUR);
    await makeDue(created.id);
    await evictDurableObject(dispatcher(setup.account));
    expect(await runDurableObjectAlarm(dispatcher(setup.account))).toBe(true);
    expect((await stored(created.id))?.attempts).toBe(1);
  });

  it("fails, with the reason, a due notification whose customer no longer has an active phone", async () => {
    const setup = await setUp();
    const created = await schedule(setup, HOUR);
    await api(`/api/v1/customers/${setup.customerId}`, { method: "PATCH", key: setup.account.apiKey, body: { phones: [{ value: REFUSED, status: "inactive" }] } });
    await makeDue(created.id);
    await runDurableObjectAlarm(dispatcher(setup.account));
    const row = await stored(created.id);
    expect(row).toMatchObject({ status: "failed", attempts: 0 });
    expect(row?.failure_reason).toContain("no active phone");
    expect(await callCount(created.id)).toBe(0);
  });

  it("takes due notifications by priority, highest first, then oldest first", async () => {
    const setup = await setUp();
    const low = await schedule(setup, HOUR, { priority: 0 });
    const highOld = await schedule(setup, HOUR, { priority: 5 });
    const highNew = await schedule(setup, HOUR, { priority: 5 });
    const times = ["2026-01-01T10:00:00.000Z", "2026-01-01T11:00:00.000Z", "2026-01-01T12:00:00.000Z"];
    for (const [index, n] of [low, highOld, highNew].entries()) {
      await env.DB.prepare("UPDATE notifications SET created_at = ? WHERE id = ?").bind(times[index], n.id).run();
      await makeDue(n.id);
    }
    const ids = await dueNotificationIds(createDb(env.DB), setup.account.projectId, new Date().toISOString());
    expect(ids).toEqual([highOld.id, highNew.id, low.id]);
    await runDurableObjectAlarm(dispatcher(setup.account));
    for (const n of [low, highOld, highNew]) expect((await stored(n.id))?.attempts).toBe(1);
  });

  it("sees only its own project's notifications", async () => {
    const mine = await setUp();
    const theirs = await setUp();
    const their = await schedule(theirs, HOUR);
    await makeDue(their.id);
    await schedule(mine, HOUR);
    await runDurableObjectAlarm(dispatcher(mine.account));
    expect(await stored(their.id)).toMatchObject({ status: "scheduled", attempts: 0 });
  });
});
