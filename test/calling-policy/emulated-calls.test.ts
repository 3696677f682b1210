import { describe, expect, it } from "vitest";
import { callingWindowDecision } from "../../src/domain/policy";

// 03:00 in San Francisco (11:00 UTC in November): outside the US calling hours everywhere in the US.
const NIGHT = new Date("2026-11-24T11:00:00Z");
const SAN_FRANCISCO = "+14155552671";

describe("calls to the emulated carrier", () => {
  it("are not held back by the US calling-hours rule: they reach nobody", () => {
    expect(callingWindowDecision({ window: null, phone: SAN_FRANCISCO, now: NIGHT, reachesPeople: false })).toEqual({ allowed: true });
    expect(callingWindowDecision({ window: null, phone: SAN_FRANCISCO, now: NIGHT }).allowed).toBe(false);
  });

  it("still keep the project's own window, so it can be tried out in the sandbox", () => {
    const decision = callingWindowDecision({
      window: { start: "09:00", end: "17:00", days: ["mon", "tue", "wed", "thu", "fri", "sat", "sun"] },
      customerTimezone: "America/Los_Angeles",
      phone: SAN_FRANCISCO,
      now: NIGHT,
      reachesPeople: false,
    });
    expect(decision).toMatchObject({ allowed: false, nextAllowedAt: new Date("2026-11-24T17:00:00Z") });
  });
});
