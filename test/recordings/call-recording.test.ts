import { env, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { SessionState } from "../../src/calls/session-state";
import { api } from "../helpers/api";
import { carrierObservations, modelObservations, notify, setUpCall, storedCall, waitForCallEnd, waitForCallStatus } from "../helpers/calls";
import { getCall, recordedCall, storedWav } from "./helpers";
import { nonSilent, soundRuns, wordsIn } from "./wav-reader";

describe("a call's recording", () => {
  it("is a two-channel 8 kHz 16-bit WAV in R2 whose lengths agree with its header and the call", async () => {
    const { setup, callId, row } = await recordedCall("+14155550101");
    expect(row).toMatchObject({ recording_status: "available", recording_key: `recordings/${setup.account.projectId}/${callId}.wav` });
    const { bytes, wav } = await storedWav(row.recording_key as string);
    expect(wav).toMatchObject({ riff: "RIFF", wave: "WAVE", format: 1, channels: 2, sampleRate: 8000, bitsPerSample: 16, blockAlign: 4, byteRate: 32000 });
    expect(wav.dataBytes).toBe(bytes.length - 44);
    expect(wav.riffSize).toBe(bytes.length - 8);
    expect(row.recording_bytes).toBe(bytes.length);
    expect(row.recording_duration_ms).toBe(Math.round(wav.durationMs));
    const call = (await getCall(setup, callId)).body;
    expect(call.recording).toEqual({ status: "available", duration_ms: row.recording_duration_ms, size_bytes: bytes.length });
  }, 60_000);

  it("puts the callee on the left and the agent on the right, each at the moment the phone heard or played it", async () => {
    const { callId, row } = await recordedCall("+14155550101");
    const { wav } = await storedWav(row.recording_key as string);
    const carrier = (await carrierObservations(callId)).media!;
    expect(nonSilent(wav.left) && nonSilent(wav.right)).toBe(true);
    // The emulators' speech carries its words, so each side can be read back from its own channel.
    const calleeWords = soundRuns(wav.left).map((run) => wordsIn(run.samples));
    expect(calleeWords.length).toBeGreaterThanOrEqual(1);
    expect(calleeWords).toEqual(carrier.said.slice(0, calleeWords.length));
    // Every utterance of the agent starts in the recording when the phone started playing it (the
    // carrier's line time, to the sample), on the right channel only.
    const played = carrier.heard.filter((utterance) => utterance.text && utterance.startedAtMs + 500 < wav.durationMs);
    expect(played.length).toBeGreaterThanOrEqual(1);
    for (const utterance of played) {
      expect(wordsIn(wav.right.subarray(utterance.startedAtMs * 8))).toBe(utterance.text);
      expect(nonSilent(wav.right.subarray(utterance.startedAtMs * 8 - 160, utterance.startedAtMs * 8))).toBe(false);
    }
    expect(wordsIn(wav.left.subarray(played[0]!.startedAtMs * 8))).not.toBe(played[0]!.text);
  }, 60_000);

  it("lasts as long as the call, from answer to hang-up, within 100 ms", async () => {
    // The callee hangs up, so the carrier's `stop` follows its last frame: the call's span is the stream's line time.
    const { callId, row } = await recordedCall("+14155550108");
    const { wav } = await storedWav(row.recording_key as string);
    const carrier = (await carrierObservations(callId)).media!;
    expect(carrier.elapsedMs).toBeGreaterThan(500);
    expect(Math.abs(wav.durationMs - carrier.elapsedMs)).toBeLessThanOrEqual(100);
    // The greeting the callee hung up on is in the agent's channel.
    expect(nonSilent(wav.right)).toBe(true);
  }, 60_000);

  it("keeps only what the callee heard of an interrupted agent: its channel goes silent where the clear cut it off", async () => {
    const { callId, row, marker } = await recordedCall("+14155550107");
    const { wav } = await storedWav(row.recording_key as string);
    const carrier = (await carrierObservations(callId)).media!;
    const model = await modelObservations(marker);
    const truncate = model.truncates[0]!;
    const greeting = model.agentItems.find((item) => item.item_id === truncate.item_id)!;
    expect(truncate.audio_end_ms).toBeLessThan(greeting.audio_ms);

    const clearedAt = carrier.clears[0]!.atMs * 8;
    const greetingStart = carrier.heard[0]!.startedAtMs * 8;
    // Up to the clear, the agent's channel holds exactly the audio the item was truncated at…
    const heard = wav.right.subarray(greetingStart, clearedAt).filter((sample) => sample !== 0).length / 8;
    expect(Math.abs(heard - truncate.audio_end_ms)).toBeLessThanOrEqual(20);
    // …and none of the flushed remainder: silence from the clear until the agent's next reply plays.
    const reply = carrier.heard.find((utterance) => utterance.startedAtMs * 8 > clearedAt)!;
    expect(reply.startedAtMs * 8).toBeLessThan(wav.right.length);
    expect(nonSilent(wav.right.subarray(clearedAt, reply.startedAtMs * 8))).toBe(false);
    expect(wordsIn(wav.right.subarray(reply.startedAtMs * 8))).toBe(reply.text);
  }, 60_000);
});

describe("a recording whose call object lost its memory mid-call", () => {
  const sessionOf = (callId: string) => env.CALL_SESSION.get(env.CALL_SESSION.idFromName(callId));
  const stagedKeys = (callId: string) =>
    runInDurableObject(sessionOf(callId), (_instance, state) => [...state.storage.kv.list({ prefix: "recording:" })].map(([key]) => key));
  const reset = (stub: DurableObjectStub) =>
    runInDurableObject(stub, (_instance, state) => state.abort("simulated reset")).catch((error: unknown) => {
      if (!String(error).includes("simulated reset")) throw error;
    });

  it("is marked failed when the watchdog ends the call, and the audio it had staged is forgotten", async () => {
    const setup = await setUpCall("+14155550109");
    const callId = (await notify(setup, { max_duration_seconds: 600 })).body.call.callId as string;
    await waitForCallStatus(setup.account, callId, "in_progress");
    const deadline = Date.now() + 15_000;
    while (!(await stagedKeys(callId)).includes("recording:chunk:0")) {
      if (Date.now() > deadline) throw new Error("no audio was ever staged");
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    await reset(env.EMULATED_CALL.get(env.EMULATED_CALL.idFromName(String((await storedCall(callId))?.carrier_call_sid))));
    await reset(sessionOf(callId));
    await runInDurableObject(sessionOf(callId), (_instance, state) => {
      const persisted = state.storage.kv.get<SessionState>("state")!;
      state.storage.kv.put("state", { ...persisted, deadlines: { watchdog: Date.now() - 1, maxDuration: null, hangUp: null } });
    });
    expect(await runDurableObjectAlarm(sessionOf(callId))).toBe(true);

    await waitForCallEnd(setup.account, callId);
    expect(await storedCall(callId)).toMatchObject({ status: "failed", recording_status: "failed", recording_bytes: null });
    expect(await env.RECORDINGS.head(`recordings/${setup.account.projectId}/${callId}.wav`)).toBeNull();
    expect(await stagedKeys(callId)).toEqual([]);
    expect((await api(`/api/v1/calls/${callId}/recording`, { key: setup.account.apiKey })).body.error.message).toMatch(/could not be saved/);
  }, 40_000);
});

describe("recording switched off", () => {
  it("an agent with recording_enabled false records nothing: no object, no recording on the call, GET recording 404", async () => {
    const setup = await setUpCall("+14155550108");
    const patched = await api(`/api/v1/agents/${setup.agentId}`, { method: "PATCH", key: setup.account.apiKey, body: { recording_enabled: false } });
    expect(patched.body.recording_enabled).toBe(false);
    const { callId, row } = await recordedCall("+14155550108", setup);
    expect(row).toMatchObject({ status: "completed", recording_status: null, recording_key: null });
    const listed = await import("cloudflare:test").then(({ env }) => env.RECORDINGS.list({ prefix: `recordings/${setup.account.projectId}/` }));
    expect(listed.objects).toEqual([]);
    expect((await getCall(setup, callId)).body.recording).toBeNull();
    const res = await api(`/api/v1/calls/${callId}/recording`, { key: setup.account.apiKey });
    expect(res.status).toBe(404);
    expect(res.body.error.message).toMatch(/no recording/);
    expect(await storedCall(callId)).toMatchObject({ recording_status: null });
  }, 60_000);
});
