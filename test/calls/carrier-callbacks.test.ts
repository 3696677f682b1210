import { env } from "cloudflare:test";
import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { statusCallbackUrl } from "../../src/calls/endpoints";
import { EMULATOR_ACCOUNT_SID, emulatorAuthToken } from "../../src/emulators/credentials";
import { computeTwilioSignature } from "../../src/telephony/twilio-signature";
import { api } from "../helpers/api";
import { notify, setUpCall, storedCall, waitForCallEnd, waitForCallStatus } from "../helpers/calls";

const NO_ANSWER = "+14155550105"; // rings for ~4.5 s of wall time, then no-answer
const SILENT = "+14155550109";
const BUSY = "+14155550104";
const HANGS_UP_EARLY = "+14155550108";

/** A call placed to `phone`, once its row shows `status` (or has ended, when `status` is "ended"). */
async function callIn(phone: string, status: string) {
  const setup = await setUpCall(phone);
  const res = await notify(setup);
  expect(res.status).toBe(201);
  const callId = res.body.call.callId as string;
  const call = status === "ended" ? await waitForCallEnd(setup.account, callId) : await waitForCallStatus(setup.account, callId, status);
  return { setup, callId, call };
}

/** The form Twilio posts for a call-progress event, for the call's own sid. */
async function progressParams(callId: string, callStatus: string, extra: Record<string, string> = {}) {
  const row = await storedCall(callId);
  return {
    AccountSid: EMULATOR_ACCOUNT_SID,
    ApiVersion: "2010-04-01",
    CallSid: String(row?.carrier_call_sid),
    CallStatus: callStatus,
    Direction: "outbound-api",
    To: String(row?.to_number),
    From: "+14155550100",
    CallbackSource: "call-progress-events",
    ...extra,
  };
}

/** What a status callback could move: compared on ended calls, whose rows later work (summaries) may touch. */
async function lifecycle(callId: string) {
  const row = await storedCall(callId);
  const fields = ["status", "end_reason", "answered_by", "ringing_at", "answered_at", "ended_at", "duration_seconds", "error_code"];
  return Object.fromEntries(fields.map((name) => [name, row?.[name]]));
}

const sign = async (callId: string, params: Record<string, string>, authToken?: string) =>
  computeTwilioSignature(authToken ?? (await emulatorAuthToken(env)), statusCallbackUrl(env, "emulator", callId), params);

/** Posts a status callback exactly as the carrier does; `signature: null` sends none. */
async function postStatus(callId: string, params: Record<string, string>, signature: string | null) {
  const headers = new Headers({ "content-type": "application/x-www-form-urlencoded", "i-twilio-idempotency-token": crypto.randomUUID() });
  if (signature !== null) headers.set("x-twilio-signature", signature);
  const res = await exports.default.fetch(
    new Request(`https://parley.test/twilio/status/${callId}`, { method: "POST", headers, body: new URLSearchParams(params).toString() }),
  );
  const text = await res.text();
  return { status: res.status, body: text && res.headers.get("content-type")?.includes("json") ? JSON.parse(text) : text };
}

describe("status callbacks: only the carrier is believed", () => {
  it("a callback with a forged signature is refused with 403 and the call is unchanged", async () => {
    const { callId } = await callIn(NO_ANSWER, "ringing");
    const before = await storedCall(callId);
    const params = await progressParams(callId, "completed", { CallDuration: "12" });
    const res = await postStatus(callId, params, await sign(callId, params, "0123456789abcdef0123456789abcdef"));
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe("forbidden");
    expect(await storedCall(callId)).toEqual(before);
    expect(before?.status).toBe("ringing");
  }, 40_000);

  it("a callback signed for other parameters (a tampered body) is refused with 403", async () => {
    const { callId } = await callIn(NO_ANSWER, "ringing");
    const before = await storedCall(callId);
    const signed = await progressParams(callId, "ringing");
    const res = await postStatus(callId, { ...signed, CallStatus: "busy" }, await sign(callId, signed));
    expect(res.status).toBe(403);
    expect(await storedCall(callId)).toEqual(before);
  }, 40_000);

  it("a callback without a signature is refused with 403 and the call is unchanged", async () => {
    const { callId } = await callIn(NO_ANSWER, "ringing");
    const before = await storedCall(callId);
    const res = await postStatus(callId, await progressParams(callId, "busy"), null);
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe("forbidden");
    expect(await storedCall(callId)).toEqual(before);
  }, 40_000);

  it("a callback for a call that does not exist answers 404", async () => {
    const unknown = crypto.randomUUID();
    const params = { AccountSid: EMULATOR_ACCOUNT_SID, CallSid: `CA${"1".repeat(32)}`, CallStatus: "completed" };
    const res = await postStatus(unknown, params, await sign(unknown, params));
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe("not_found");
    const notAnId = await postStatus("not-a-call", params, await sign("not-a-call", params));
    expect(notAnId.status).toBe(404);
  });
});

describe("status callbacks: repeated and out of order", () => {
  it("a valid callback delivered twice answers 204 both times and moves the call once", async () => {
    const { setup, callId } = await callIn(NO_ANSWER, "ringing");
    const params = await progressParams(callId, "in-progress");
    const signature = await sign(callId, params);

    expect((await postStatus(callId, params, signature)).status).toBe(204);
    const first = await storedCall(callId);
    expect(first).toMatchObject({ status: "in_progress", answered_at: expect.any(String) });

    expect((await postStatus(callId, params, signature)).status).toBe(204);
    const second = await storedCall(callId);
    expect(second).toEqual(first);
    const call = (await api(`/api/v1/calls/${callId}`, { key: setup.account.apiKey })).body;
    expect(call).toMatchObject({ status: "in_progress", answered_at: first?.answered_at });
  }, 40_000);

  it("a ringing callback arriving after the call was answered does not move it back", async () => {
    const { setup, callId, call } = await callIn(SILENT, "in_progress");
    const params = await progressParams(callId, "ringing");
    const res = await postStatus(callId, params, await sign(callId, params));
    expect(res.status).toBe(204);
    const after = (await api(`/api/v1/calls/${callId}`, { key: setup.account.apiKey })).body;
    expect(after).toMatchObject({ status: "in_progress", ringing_at: call.ringing_at, answered_at: call.answered_at });
  }, 40_000);

  it("a ringing callback arriving after the call ended changes nothing", async () => {
    const { setup, callId, call } = await callIn(BUSY, "ended");
    expect(call.status).toBe("busy");
    const before = await lifecycle(callId);
    const params = await progressParams(callId, "ringing");
    expect((await postStatus(callId, params, await sign(callId, params))).status).toBe(204);
    expect(await lifecycle(callId)).toEqual(before);
    const after = (await api(`/api/v1/calls/${callId}`, { key: setup.account.apiKey })).body;
    expect(after).toMatchObject({ status: "busy", end_reason: "busy", ringing_at: call.ringing_at });
  }, 40_000);

  it("a replayed completed callback for an ended call changes nothing (not its duration, end time or reason)", async () => {
    const { callId, call } = await callIn(HANGS_UP_EARLY, "ended");
    expect(call).toMatchObject({ status: "completed", end_reason: "callee_hung_up" });
    const before = await lifecycle(callId);
    const params = await progressParams(callId, "completed", { CallDuration: "999", SequenceNumber: "3" });
    const signature = await sign(callId, params);
    expect((await postStatus(callId, params, signature)).status).toBe(204);
    expect((await postStatus(callId, params, signature)).status).toBe(204);
    expect(await lifecycle(callId)).toEqual(before);
    expect(before.duration_seconds).not.toBe(999);
  }, 40_000);
});
