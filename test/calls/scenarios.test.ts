import { describe, expect, it } from "vitest";
import { api } from "../helpers/api";
import { carrierObservations, modelObservations, notify, setUpCall, waitForCallEnd } from "../helpers/calls";

/** Places a call to a magic number and waits for it to end; `marker` makes its model session findable. */
async function callAndWait(phone: string) {
  const setup = await setUpCall(phone);
  const marker = `Dr. ${crypto.randomUUID().slice(0, 8)}`;
  const res = await notify(setup, { variables: { appointment_time: "Friday at 9 AM", doctor_name: marker } });
  expect(res.status).toBe(201);
  const call = await waitForCallEnd(setup.account, res.body.call.callId);
  const notification = (await api(`/api/v1/notifications/${res.body.notification.id}`, { key: setup.account.apiKey })).body;
  return { setup, call, notification, marker, callId: res.body.call.callId as string };
}

const customerLines = (call: { transcript: { speaker: string; text: string }[] }) => call.transcript.filter((l) => l.speaker === "customer").map((l) => l.text);
const agentLines = (call: { transcript: { speaker: string; text: string }[] }) => call.transcript.filter((l) => l.speaker === "agent").map((l) => l.text);

describe("callee scenarios (README's magic numbers)", () => {
  it("a callee who declines: the agent acknowledges and ends the call", async () => {
    const { call, notification } = await callAndWait("+14155550102");
    expect(call).toMatchObject({ status: "completed", end_reason: "agent_ended", answered_by: "human" });
    expect(customerLines(call).join(" ").toLowerCase()).toMatch(/can't|cancel|no/);
    expect(agentLines(call).at(-1)).toMatch(/goodbye/i);
    expect(notification.status).toBe("completed");
  }, 40_000);

  it("a callee who reschedules: the requested time is in the transcript", async () => {
    const { call } = await callAndWait("+14155550103");
    expect(call.status).toBe("completed");
    expect(customerLines(call).join(" ")).toMatch(/Friday at 3/i);
    expect(agentLines(call).join(" ")).toMatch(/Friday at 3/i);
  }, 40_000);

  it("a busy line ends as busy with no conversation", async () => {
    const { call, notification } = await callAndWait("+14155550104");
    expect(call).toMatchObject({ status: "busy", end_reason: "busy", answered_at: null });
    expect(call.transcript).toEqual([]);
    // The default retry policy tries a busy line again in 5 minutes (attempt 2 of 3).
    expect(notification).toMatchObject({ status: "scheduled", attempts: 1, failure_reason: null });
    expect(Date.parse(notification.next_attempt_at) - Date.parse(call.ended_at)).toBe(300_000);
    expect(notification.wait_reason).toMatch(/busy; attempt 2 of 3 is due at/);
  }, 40_000);

  it("nobody answering ends as no_answer", async () => {
    const { call } = await callAndWait("+14155550105");
    expect(call).toMatchObject({ status: "no_answer", end_reason: "no_answer" });
  }, 40_000);

  it("an answering machine ends the call as voicemail", async () => {
    const { call } = await callAndWait("+14155550106");
    expect(call.status).toBe("voicemail");
    expect(call.answered_by).toMatch(/^machine_/);
  }, 40_000);

  it("a callee who hangs up early ends the call as completed, hung up by the callee", async () => {
    const { call } = await callAndWait("+14155550108");
    expect(call).toMatchObject({ status: "completed", end_reason: "callee_hung_up" });
  }, 40_000);

  it("a silent callee: the agent checks in, then says goodbye and ends the call", async () => {
    const { call } = await callAndWait("+14155550109");
    expect(call).toMatchObject({ status: "completed", end_reason: "agent_ended" });
    expect(customerLines(call)).toEqual([]);
    expect(agentLines(call).join(" ")).toMatch(/still there/i);
  }, 40_000);

  it("an invalid number: the carrier refuses it (21211) and the call fails cleanly", async () => {
    const setup = await setUpCall("+14155550110");
    const res = await notify(setup);
    expect(res.status).toBe(201);
    expect(res.body.call.status).toBe("failed");
    const call = (await api(`/api/v1/calls/${res.body.call.callId}`, { key: setup.account.apiKey })).body;
    expect(call).toMatchObject({ status: "failed", end_reason: "carrier_refused", error_code: "21211" });
    expect(res.body.notification.status).toBe("failed");
  });
});

describe("barge-in", () => {
  it("when the callee talks over the agent, Twilio's buffer is cleared and the agent's item is truncated at the audio really played", async () => {
    const { call, marker, callId } = await callAndWait("+14155550107");
    expect(call.status).toBe("completed");
    const carrier = await carrierObservations(callId);
    if (!carrier.media) throw new Error("the carrier never opened the media stream");
    const model = await modelObservations(marker);

    expect(carrier.media.clears.length).toBeGreaterThanOrEqual(1);
    expect(model.truncates.length).toBeGreaterThanOrEqual(1);
    // The truncate point matches what the phone had played of that item when it was cleared, to
    // within one 20 ms frame. (Items before it played in full.)
    const truncate = model.truncates[0]!;
    const index = model.agentItems.findIndex((item) => item.item_id === truncate.item_id);
    const playedBefore = model.agentItems.slice(0, index).reduce((ms, item) => ms + item.audio_ms, 0);
    const played = carrier.media.clears[0]!.agentMsPlayedInCall - playedBefore;
    expect(Math.abs(truncate.audio_end_ms - played)).toBeLessThanOrEqual(20);
    // The interrupted line is marked as such in the transcript, and ends where the callee stopped hearing it.
    const greeting = call.transcript.find((line: { speaker: string }) => line.speaker === "agent");
    expect(greeting).toMatchObject({ interrupted: true });
    expect(greeting.end_ms - greeting.start_ms).toBe(truncate.audio_end_ms);
    // No audio of the cancelled response reached the phone after the clear: Parley's marks name the
    // item each frame belongs to, and after the clear none is of the truncated item (the sentinel aside).
    const sentAfterClear = carrier.media.marksAfterClear.filter((name) => !name.startsWith("clear:"));
    expect(sentAfterClear.length).toBeGreaterThan(0);
    expect(sentAfterClear.filter((name) => name.startsWith(truncate.item_id))).toEqual([]);
    expect(carrier.media.protocolErrors).toEqual([]);
  }, 40_000);
});
