import { env } from "cloudflare:test";
import { api } from "../helpers/api";
import { type CallSetup, notify, setUpCall, storedCall, waitForCallEnd } from "../helpers/calls";
import { parseWav } from "./wav-reader";

/** Waits until the call's recording is no longer being written and returns the stored call row. */
export async function settledRecording(callId: string, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const row = await storedCall(callId);
    if (row && row.recording_status !== "recording" && ["completed", "failed", "busy", "no_answer", "canceled", "voicemail"].includes(row.status as string)) {
      return row;
    }
    if (Date.now() > deadline) throw new Error(`call ${callId} recording still ${row?.recording_status}: ${JSON.stringify(row)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * Places a call to a magic number through the emulators, waits for it and its recording to
 * finish, and returns what a test needs. `marker` (in the instructions) finds its model session.
 */
export async function recordedCall(phone: string, setup?: CallSetup) {
  const call = setup ?? (await setUpCall(phone));
  const marker = `Dr. ${crypto.randomUUID().slice(0, 8)}`;
  const res = await notify(call, { variables: { appointment_time: "Friday at 9 AM", doctor_name: marker } });
  if (res.status !== 201) throw new Error(`notify: ${res.status} ${JSON.stringify(res.body)}`);
  const callId = res.body.call.callId as string;
  await waitForCallEnd(call.account, callId);
  const row = await settledRecording(callId);
  return { setup: call, callId, row, marker };
}

/** The recording as stored in R2, parsed. */
export async function storedWav(key: string) {
  const object = await env.RECORDINGS.get(key);
  if (!object) throw new Error(`no object at ${key}`);
  const bytes = new Uint8Array(await object.arrayBuffer());
  return { bytes, wav: parseWav(bytes) };
}

export const getCall = (setup: CallSetup, callId: string) => api(`/api/v1/calls/${callId}`, { key: setup.account.apiKey });
