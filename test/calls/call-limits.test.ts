import { env, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { SessionState } from "../../src/calls/session-state";
import { api } from "../helpers/api";
import { carrierObservations, modelObservations, notify, setUpCall, storedCall, waitForCallEnd, waitForCallStatus } from "../helpers/calls";

const NO_ANSWER = "+14155550105";
// Silent: the agent greets, then waits ~1 s of wall time (tests run the emulators 10× faster)
// before it checks in, so the call is reliably live for a moment after it is answered.
const SILENT = "+14155550109";

const sessionOf = (callId: string) => env.CALL_SESSION.get(env.CALL_SESSION.idFromName(callId));

async function placeCall(phone: string, extra: Record<string, unknown> = {}) {
  const setup = await setUpCall(phone);
  const res = await notify(setup, extra);
  expect(res.status).toBe(201);
  return { setup, callId: res.body.call.callId as string, notificationId: res.body.notification.id as string };
}

type Line = { speaker: string; text: string };
const agentLines = (call: { transcript: Line[] }) => call.transcript.filter((l) => l.speaker === "agent").map((l) => l.text);

/** What a runtime reset does to an object: memory, sockets and timers gone, storage kept. */
async function resetObject(stub: DurableObjectStub) {
  await runInDurableObject(stub, (_instance, state) => state.abort("simulated reset")).catch((error: unknown) => {
    if (!String(error).includes("simulated reset")) throw error;
  });
}

/**
 * The line was hung up only once `farewell` had been spoken in full by the model and every frame
 * of audio Parley sent had played on the phone: the last audio sent was followed by a mark, and
 * every mark was echoed before the hang-up (only a barge-in's `clear` flushes any).
 */
async function expectPlayedInFull(callId: string, marker: string, farewell: RegExp) {
  const spoken = (await modelObservations(marker)).agentItems.find((item) => farewell.test(item.transcript));
  expect(spoken).toMatchObject({ status: "completed", audio_ms: expect.any(Number) });
  const media = (await carrierObservations(callId)).media;
  if (!media) throw new Error("the carrier never opened the media stream");
  expect(media.clears.length).toBeLessThanOrEqual(1);
  expect(media.marksReceived).toBeGreaterThan(0);
  expect(media.bytesAfterLastMark).toBe(0);
  expect(media.marksEchoed).toBe(media.marksReceived);
}

async function savedLines(callId: string): Promise<number> {
  const row = await env.DB.prepare("SELECT COUNT(*) AS n FROM transcript_entries WHERE call_id = ?").bind(callId).first<{ n: number }>();
  return row?.n ?? 0;
}

describe("max duration", () => {
  it("when the call reaches max_duration_seconds the agent says the time-limit farewell and the call ends completed (max_duration)", async () => {
    const marker = `Dr. ${crypto.randomUUID().slice(0, 8)}`;
    const { setup, callId } = await placeCall(SILENT, { max_duration_seconds: 30, variables: { appointment_time: "Friday at 9 AM", doctor_name: marker } });
    await waitForCallStatus(setup.account, callId, "in_progress");
    // The alarm handles the earliest pending deadline: here the call's max duration.
    expect(await runDurableObjectAlarm(sessionOf(callId))).toBe(true);

    const call = await waitForCallEnd(setup.account, callId);
    expect(call).toMatchObject({ status: "completed", end_reason: "max_duration" });
    expect(agentLines(call).join(" ")).toMatch(/reached the time limit for this call/);
    await expectPlayedInFull(callId, marker, /reached the time limit for this call/);
  }, 40_000);
});

describe("the watchdog", () => {
  it("an object that lost its memory mid-call, whose carrier never reported the end, is ended by the watchdog as failed and keeps its saved transcript", async () => {
    const { setup, callId } = await placeCall(SILENT, { max_duration_seconds: 600 });
    await waitForCallStatus(setup.account, callId, "in_progress");
    const deadline = Date.now() + 15_000;
    while ((await savedLines(callId)) === 0) {
      if (Date.now() > deadline) throw new Error("the agent's greeting was never saved");
      await new Promise((resolve) => setTimeout(resolve, 25));
    }

    // The carrier goes quiet for good: its stream drops and no status callback ever comes (its
    // object is reset, and with it the emulated line's timers and socket).
    const sid = String((await storedCall(callId))?.carrier_call_sid);
    await resetObject(env.EMULATED_CALL.get(env.EMULATED_CALL.idFromName(sid)));
    // Then the call's own object is reset: its memory, the conversation and the model's socket go.
    await resetObject(sessionOf(callId));
    const before = (await api(`/api/v1/calls/${callId}`, { key: setup.account.apiKey })).body;
    expect(before.status).toBe("in_progress");
    expect(before.transcript.length).toBeGreaterThan(0);

    // Time passes: the watchdog, persisted with the call, is now the deadline that is due.
    await runInDurableObject(sessionOf(callId), (_instance, state) => {
      const persisted = state.storage.kv.get<SessionState>("state");
      if (!persisted) throw new Error("the call session persisted nothing");
      state.storage.kv.put("state", { ...persisted, deadlines: { watchdog: Date.now() - 1, maxDuration: null, hangUp: null } });
    });
    expect(await runDurableObjectAlarm(sessionOf(callId))).toBe(true);

    const call = await waitForCallEnd(setup.account, callId);
    expect(call).toMatchObject({ status: "failed", end_reason: "watchdog" });
    expect(call.transcript).toEqual(before.transcript);
    // The carrier was told to hang up: the phone call is over too.
    expect((await carrierObservations(callId)).status).toBe("completed");
  }, 40_000);

  it("a call that never gets answered is ended by the watchdog as failed", async () => {
    const { setup, callId, notificationId } = await placeCall(NO_ANSWER);
    await waitForCallStatus(setup.account, callId, "ringing");
    // While ringing, the watchdog is the only deadline.
    expect(await runDurableObjectAlarm(sessionOf(callId))).toBe(true);
    const call = await waitForCallEnd(setup.account, callId);
    expect(call).toMatchObject({ status: "failed", end_reason: "watchdog" });
    expect((await carrierObservations(callId)).status).toBe("canceled");
    const notification = (await api(`/api/v1/notifications/${notificationId}`, { key: setup.account.apiKey })).body;
    expect(notification).toMatchObject({ status: "failed", failure_reason: "watchdog" });
  }, 40_000);
});

describe("ending and canceling through the API", () => {
  it("POST /calls/{id}/end on a live call: the agent says goodbye, then the call ends completed (ended_by_api)", async () => {
    const marker = `Dr. ${crypto.randomUUID().slice(0, 8)}`;
    const { setup, callId } = await placeCall(SILENT, { variables: { appointment_time: "Friday at 9 AM", doctor_name: marker } });
    await waitForCallStatus(setup.account, callId, "in_progress");
    const res = await api(`/api/v1/calls/${callId}/end`, { key: setup.account.apiKey, method: "POST" });
    expect(res.status).toBe(200);
    expect(res.body.id).toBe(callId);

    const call = await waitForCallEnd(setup.account, callId);
    expect(call).toMatchObject({ status: "completed", end_reason: "ended_by_api" });
    expect(agentLines(call).join(" ")).toMatch(/I have to end the call here/);
    expect((await carrierObservations(callId)).status).toBe("completed");
    await expectPlayedInFull(callId, marker, /I have to end the call here/);
  }, 40_000);

  it("POST /calls/{id}/cancel while the phone rings: the call is canceled and the phone stops ringing", async () => {
    const { setup, callId, notificationId } = await placeCall(NO_ANSWER);
    await waitForCallStatus(setup.account, callId, "ringing");
    const res = await api(`/api/v1/calls/${callId}/cancel`, { key: setup.account.apiKey, method: "POST" });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: callId, status: "canceled", end_reason: "canceled" });

    expect(await storedCall(callId)).toMatchObject({ status: "canceled", end_reason: "canceled", answered_at: null });
    expect((await carrierObservations(callId)).status).toBe("canceled");
    const notification = (await api(`/api/v1/notifications/${notificationId}`, { key: setup.account.apiKey })).body;
    expect(notification.status).toBe("canceled");
  }, 40_000);
});
