import { describe, expect, it } from "vitest";
import { callStatusFromCarrier } from "../../src/telephony/carrier-status";

describe("callStatusFromCarrier", () => {
  it("maps each Twilio CallStatus to the call's status", () => {
    const mapped = Object.fromEntries(
      ["queued", "initiated", "ringing", "in-progress", "completed", "busy", "no-answer", "failed", "canceled"].map((s) => [s, callStatusFromCarrier(s)]),
    );
    expect(mapped).toEqual({
      queued: "queued",
      initiated: "queued",
      ringing: "ringing",
      "in-progress": "in_progress",
      completed: "completed",
      busy: "busy",
      "no-answer": "no_answer",
      failed: "failed",
      canceled: "canceled",
    });
  });

  it("calls an answer by a machine or a fax voicemail", () => {
    for (const answeredBy of ["machine_start", "machine_end_beep", "machine_end_silence", "machine_end_other", "fax"]) {
      expect(callStatusFromCarrier("in-progress", answeredBy)).toBe("voicemail");
      expect(callStatusFromCarrier("completed", answeredBy)).toBe("voicemail");
    }
  });

  it("keeps a person, or an answer AMD could not classify, as a person", () => {
    expect(callStatusFromCarrier("in-progress", "human")).toBe("in_progress");
    expect(callStatusFromCarrier("in-progress", "unknown")).toBe("in_progress");
    expect(callStatusFromCarrier("completed", "unknown")).toBe("completed");
    expect(callStatusFromCarrier("in-progress", null)).toBe("in_progress");
    expect(callStatusFromCarrier("in-progress", "")).toBe("in_progress");
  });

  it("does not turn an unanswered call into voicemail because of an AMD field", () => {
    expect(callStatusFromCarrier("busy", "machine_start")).toBe("busy");
    expect(callStatusFromCarrier("no-answer", "machine_end_beep")).toBe("no_answer");
    expect(callStatusFromCarrier("ringing", "fax")).toBe("ringing");
  });

  it("answers null for a status it does not know, rather than guessing", () => {
    expect(callStatusFromCarrier("answered")).toBeNull();
    expect(callStatusFromCarrier("IN-PROGRESS")).toBeNull();
    expect(callStatusFromCarrier("in_progress")).toBeNull();
    expect(callStatusFromCarrier("")).toBeNull();
    expect(callStatusFromCarrier("toString")).toBeNull();
    expect(callStatusFromCarrier("__proto__", "machine_start")).toBeNull();
  });
});
