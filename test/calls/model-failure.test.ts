import { env, listDurableObjectIds, runDurableObjectAlarm } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { api } from "../helpers/api";
import { carrierObservations, notify, setUpCall, waitForCallEnd, waitForCallStatus } from "../helpers/calls";

// The callee stays silent, so the call sits quietly live while the model's socket is broken.
const SILENT = "+14155550109";

/** The emulated model sessions configured for the call whose instructions hold `marker`. */
async function modelSessions(marker: string) {
  const found = [];
  for (const id of await listDurableObjectIds(env.MODEL_SESSION)) {
    const stub = env.MODEL_SESSION.get(id);
    const seen = await stub.observations();
    if (JSON.stringify(seen.session).includes(marker)) found.push({ stub, seen });
  }
  return found;
}

async function waitForSessions(marker: string, count: number) {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const sessions = await modelSessions(marker);
    if (sessions.length >= count) return sessions;
    if (Date.now() > deadline) throw new Error(`expected ${count} model sessions for ${marker}, found ${sessions.length}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function waitForAgentLine(callId: string) {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const row = await env.DB.prepare("SELECT COUNT(*) AS n FROM transcript_entries WHERE call_id = ? AND speaker = 'agent'").bind(callId).first<{ n: number }>();
    if ((row?.n ?? 0) > 0) return;
    if (Date.now() > deadline) throw new Error("the agent's greeting was never saved");
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

async function liveSilentCall() {
  const marker = `Dr. ${crypto.randomUUID().slice(0, 8)}`;
  const setup = await setUpCall(SILENT);
  const res = await notify(setup, { max_duration_seconds: 30, variables: { appointment_time: "Friday at 9 AM", doctor_name: marker } });
  expect(res.status).toBe(201);
  const callId = res.body.call.callId as string;
  await waitForCallStatus(setup.account, callId, "in_progress");
  await waitForAgentLine(callId);
  return { setup, callId, marker, notificationId: res.body.notification.id as string };
}

describe("when the model's socket fails", () => {
  it("reconnects once, configures the new session with the same script, and the agent goes on speaking to the callee", async () => {
    const { setup, callId, marker } = await liveSilentCall();
    const [first] = await waitForSessions(marker, 1);
    await first!.stub.fail();

    const sessions = await waitForSessions(marker, 2);
    const second = sessions.find((s) => s.stub.id.toString() !== first!.stub.id.toString())!;
    expect(second.seen.events[0]).toBe("session.update");
    expect(second.seen.session.instructions).toBe(first!.seen.session.instructions);

    // The call is still live: its time limit makes the agent say the farewell, through the new session.
    expect((await api(`/api/v1/calls/${callId}`, { key: setup.account.apiKey })).body.status).toBe("in_progress");
    expect(await runDurableObjectAlarm(env.CALL_SESSION.get(env.CALL_SESSION.idFromName(callId)))).toBe(true);
    const call = await waitForCallEnd(setup.account, callId);
    expect(call).toMatchObject({ status: "completed", end_reason: "max_duration" });
    const farewell = (await second.stub.observations()).agentItems.find((item) => /time limit/.test(item.transcript));
    expect(farewell).toMatchObject({ status: "completed" });
    const agentText = call.transcript.filter((l: { speaker: string }) => l.speaker === "agent").map((l: { text: string }) => l.text).join(" ");
    expect(agentText).toMatch(/reached the time limit for this call/);
  }, 40_000);

  it("fails the call as model_unavailable when the reconnected session fails too, hanging up and keeping what was said", async () => {
    const { setup, callId, marker, notificationId } = await liveSilentCall();
    const [first] = await waitForSessions(marker, 1);
    await first!.stub.fail();
    const sessions = await waitForSessions(marker, 2);
    const second = sessions.find((s) => s.stub.id.toString() !== first!.stub.id.toString())!;
    // Ready before it fails, so this is the reconnected session dying, not a failed reconnect.
    const ready = Date.now() + 10_000;
    while (!(await second.stub.observations()).events.includes("session.update") && Date.now() < ready) await new Promise((r) => setTimeout(r, 25));
    await second.stub.fail();

    const call = await waitForCallEnd(setup.account, callId);
    expect(call).toMatchObject({ status: "failed", end_reason: "model_unavailable" });
    expect(call.transcript.length).toBeGreaterThan(0);
    expect(call.transcript[0]).toMatchObject({ speaker: "agent" });
    // Parley hung the phone up rather than leaving the callee on a dead line.
    const carrier = await carrierObservations(callId);
    expect(carrier.status).toBe("completed");
    expect(await modelSessions(marker)).toHaveLength(2);
    const notification = await api(`/api/v1/notifications/${notificationId}`, { key: setup.account.apiKey });
    expect(notification.body.status).toBe("failed");
  }, 40_000);
});
