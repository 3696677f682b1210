import { env } from "cloudflare:test";
import { Webhook } from "standardwebhooks";
import { describe, expect, it } from "vitest";
import { hmacSha256, toHex } from "../../src/lib/crypto";
import { type Account, api, signup } from "../helpers/api";
import { notify, setUpCall, waitForCallEnd } from "../helpers/calls";
import { consume, emit, receiverLog, receiverUrl, scheduledNotification, secretPath, storedDelivery } from "./helpers";

const secretOf = async (account: Account): Promise<string> => (await api(secretPath(account), { token: account.accessToken })).body.signing_secret;
const rotate = (account: Account, expires_in_seconds: number) => api(secretPath(account, "/rotate"), { token: account.accessToken, body: { expires_in_seconds } });

/** A notification whose own webhook_url is the test receiver, and the key of the receiver's log. */
async function subscribed(account: Account, route: string, secret?: string, events = ["call_completed"]) {
  const key = crypto.randomUUID();
  const notificationId = await scheduledNotification(account, { webhook_url: receiverUrl(route, key, secret), webhook_events: events });
  return { key, notificationId };
}

const COMPLETED_DATA = { call_id: "c", status: "completed", transcript_excerpt: "Agent: Hi John…", report_excerpt: "John confirmed." };

describe("deliveries to a notification's own webhook_url", () => {
  it("are signed with the project secret, verified by the seed's receiver code", async () => {
    const account = await signup();
    const { key, notificationId } = await subscribed(account, "/echo-seed", await secretOf(account));
    const { deliveryIds } = await emit(account, { type: "call.completed", notificationId, data: COMPLETED_DATA });
    expect(deliveryIds).toHaveLength(1);
    expect(await storedDelivery(deliveryIds[0]!)).toMatchObject({ endpoint_id: null, status: "pending" });
    expect((await consume(deliveryIds[0]!)).acked).toEqual(["msg-1"]);
    expect(await receiverLog(key)).toMatchObject([{ verified: true, status: 200 }]);
    expect(await storedDelivery(deliveryIds[0]!)).toMatchObject({ status: "succeeded", attempts: 1 });
  });

  it("are verified by the standardwebhooks package with the project secret", async () => {
    const account = await signup();
    const { key, notificationId } = await subscribed(account, "/standard", await secretOf(account));
    const { eventId, deliveryIds } = await emit(account, { type: "call.completed", notificationId, data: COMPLETED_DATA });
    await consume(deliveryIds[0]!);
    const [received] = await receiverLog(key);
    expect(received).toMatchObject({ verified: true, status: 200 });
    expect(received!.headers["webhook-id"]).toBe(eventId);
  });

  it("make the project secret at delivery time when the project has none yet", async () => {
    const account = await signup();
    const { key, notificationId } = await subscribed(account, "/echo-seed");
    const { deliveryIds } = await emit(account, { type: "call.completed", notificationId, data: COMPLETED_DATA });
    await consume(deliveryIds[0]!);
    const sealed = await env.DB.prepare("SELECT webhook_secret_sealed AS s FROM projects WHERE id = ?").bind(account.projectId).first<string>("s");
    expect(sealed).toEqual(expect.any(String));
    // The secret read afterwards is the one the delivery was signed with.
    const secret = await secretOf(account);
    const [received] = await receiverLog(key);
    expect(received!.headers["x-echo-signature"]).toBe(`sha256=${toHex(await hmacSha256(secret, received!.body))}`);
    expect(() => new Webhook(secret).verify(received!.body, received!.headers)).not.toThrow();
  });

  it("after a rotation are signed with the new secret, and with the old one too during the overlap", async () => {
    const account = await signup();
    const old = await secretOf(account);
    const withOld = await subscribed(account, "/standard", old);
    const fresh = (await rotate(account, 600)).body.signing_secret;
    const withNew = await subscribed(account, "/echo-seed", fresh);

    await consume((await emit(account, { type: "call.completed", notificationId: withOld.notificationId, data: COMPLETED_DATA })).deliveryIds[0]!);
    const [oldReceived] = await receiverLog(withOld.key);
    expect(oldReceived).toMatchObject({ verified: true, status: 200 });
    expect(oldReceived!.headers["webhook-signature"]!.split(" ")).toHaveLength(2);
    expect(() => new Webhook(fresh).verify(oldReceived!.body, oldReceived!.headers)).not.toThrow();

    await consume((await emit(account, { type: "call.completed", notificationId: withNew.notificationId, data: COMPLETED_DATA })).deliveryIds[0]!);
    expect(await receiverLog(withNew.key)).toMatchObject([{ verified: true, status: 200 }]);
  });

  it("are no longer signed with the old secret after a rotation without overlap", async () => {
    const account = await signup();
    const { key, notificationId } = await subscribed(account, "/standard", await secretOf(account));
    await rotate(account, 0);
    const { deliveryIds } = await emit(account, { type: "call.completed", notificationId, data: COMPLETED_DATA });
    expect((await consume(deliveryIds[0]!)).retried).toBe(true);
    expect(await receiverLog(key)).toMatchObject([{ verified: false, status: 401 }]);
  });

  it("carry seed 004's payload: event_type, task_id, call_id, status and the excerpts", async () => {
    const account = await signup();
    const { key, notificationId } = await subscribed(account, "/echo-seed", await secretOf(account), ["call_started", "call_completed"]);
    const completed = await emit(account, { type: "call.completed", notificationId, data: COMPLETED_DATA });
    await consume(completed.deliveryIds[0]!);
    const started = await emit(account, { type: "call.started", notificationId, data: { call_id: "c", status: "in_progress" } });
    await consume(started.deliveryIds[0]!);
    const [first, second] = (await receiverLog(key)).map((r) => JSON.parse(r.body));
    expect(first).toMatchObject({
      event_type: "call_completed",
      task_id: notificationId,
      call_id: expect.any(String),
      status: "completed",
      data: { transcript_excerpt: "Agent: Hi John…", report_excerpt: "John confirmed." },
    });
    // Nothing to excerpt when the call has just started, but the fields are there.
    expect(second).toMatchObject({ event_type: "call_started", task_id: notificationId, status: "in_progress", data: { transcript_excerpt: null, report_excerpt: null } });
  });

  it("go out only for the events the notification subscribed to, in either spelling", async () => {
    const account = await signup();
    const { notificationId } = await subscribed(account, "/echo-seed", undefined, ["call_started", "call.failed"]);
    const counts: Record<string, number> = {};
    for (const type of ["call.started", "call.completed", "call.failed", "call.summary"] as const) {
      counts[type] = (await emit(account, { type, notificationId })).deliveryIds.length;
    }
    expect(counts).toEqual({ "call.started": 1, "call.completed": 0, "call.failed": 1, "call.summary": 0 });
  });

  it("arrive for a real call: call_started and call_completed, both verified by the seed's receiver code", async () => {
    const setup = await setUpCall("+14155550101");
    const key = crypto.randomUUID();
    const url = receiverUrl("/echo-seed", key, await secretOf(setup.account));
    const sent = await notify(setup, { webhook_url: url, webhook_events: ["call_started", "call_completed"] });
    expect(sent.status).toBe(201);
    const call = await waitForCallEnd(setup.account, sent.body.call.callId);
    let log = await receiverLog(key);
    for (let i = 0; i < 150 && log.length < 2; i++) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      log = await receiverLog(key);
    }
    const events = log.map((r) => ({ verified: r.verified, ...JSON.parse(r.body) }));
    expect(events.map((e) => e.event_type).sort()).toEqual(["call_completed", "call_started"]);
    expect(events.every((e) => e.verified && e.task_id === sent.body.notification.id && e.call_id === call.id)).toBe(true);
    expect(events.find((e) => e.event_type === "call_completed")).toMatchObject({ status: "completed", data: { transcript_excerpt: expect.stringContaining("Agent:") } });
  }, 60_000);
});
