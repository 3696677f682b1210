import { describe, expect, it } from "vitest";
import { api } from "../helpers/api";
import { notify, setUpCall, waitForCallEnd } from "../helpers/calls";

describe("a sandbox call, end to end through the emulated carrier and model", () => {
  it("answers the documented body, then really happens: both speakers in the transcript, timings and an end reason", async () => {
    const setup = await setUpCall("+14155550101");
    const res = await notify(setup);
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      notification: { id: expect.any(String), status: "in_progress", target_phone_e164: "+14155550101" },
      call: { callId: expect.any(String), status: "queued" },
    });

    const call = await waitForCallEnd(setup.account, res.body.call.callId);
    expect(call).toMatchObject({ status: "completed", end_reason: "agent_ended" });
    expect(call.answered_at).toEqual(expect.any(String));
    expect(call.ended_at).toEqual(expect.any(String));
    const speakers = call.transcript.map((line: { speaker: string }) => line.speaker);
    expect(speakers[0]).toBe("agent");
    expect(speakers).toContain("customer");
    expect(call.transcript[0].text).toContain("Hi John, this is Acme Inc calling to confirm your appointment on Thursday March 20th at 2:00 PM with Dr. Patel");
    const customer = call.transcript.filter((line: { speaker: string }) => line.speaker === "customer");
    expect(customer.map((line: { text: string }) => line.text).join(" | "), JSON.stringify(call.transcript)).toMatch(/yes|works/i);

    const notification = await api(`/api/v1/notifications/${res.body.notification.id}`, { key: setup.account.apiKey });
    expect(notification.body.status).toBe("completed");
  }, 40_000);
});
