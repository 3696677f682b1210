import { describe, expect, it } from "vitest";
import { type CallingWindow, callingWindowDecision, CallingWindowSchema } from "../../src/domain/policy";

const US = "+14155552671";
const US_FICTIONAL = "+14155550101";
const GERMAN = "+4930123456";
const INDIAN = "+919876543210";
const AUSTRALIAN = "+61291234567";
const RUSSIAN = "+74951234567";
const WEEKDAYS_ONLY: CallingWindow["days"] = ["mon", "tue", "wed", "thu", "fri"];
const EVERY_DAY: CallingWindow["days"] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

const window = (start: string, end: string, days = EVERY_DAY): CallingWindow => ({ start, end, days });
const decide = (phone: string, win: CallingWindow | null, now: string, customerTimezone: string | null = null) =>
  callingWindowDecision({ window: win, customerTimezone, phone, now: new Date(now) });
const nextAt = (decision: ReturnType<typeof decide>) => (decision.allowed ? "allowed" : (decision.nextAllowedAt?.toISOString() ?? null));

describe("calling window in the customer's time zone", () => {
  it("allows a call inside the window and refuses one outside with the next local start and a readable reason", () => {
    const win = window("09:00", "20:00", WEEKDAYS_ONLY);
    expect(decide(US, win, "2026-11-23T15:00:00Z", "America/New_York")).toEqual({ allowed: true });
    // Monday 20:30 in New York: the next start is Tuesday 09:00 EST.
    expect(decide(US, win, "2026-11-24T01:30:00Z", "America/New_York")).toEqual({
      allowed: false,
      nextAllowedAt: new Date("2026-11-24T14:00:00Z"),
      reason: "Outside the calling window (09:00–20:00 Mon–Fri, America/New_York); next allowed 2026-11-24T14:00:00Z",
    });
  });

  it("treats the end as exclusive", () => {
    const win = window("09:00", "20:00");
    expect(nextAt(decide(GERMAN, win, "2026-06-01T17:59:00Z", "Europe/Berlin"))).toBe("allowed");
    expect(nextAt(decide(GERMAN, win, "2026-06-01T18:00:00Z", "Europe/Berlin"))).toBe("2026-06-02T07:00:00.000Z");
  });

  it("skips days that are not listed (Tuesday → Wednesday for a Mon/Wed/Fri window)", () => {
    const win = window("09:00", "17:00", ["mon", "wed", "fri"]);
    expect(nextAt(decide(GERMAN, win, "2026-06-02T08:00:00Z", "Europe/Berlin"))).toBe("2026-06-03T07:00:00.000Z");
    // Friday after hours → Monday.
    expect(nextAt(decide(GERMAN, win, "2026-06-05T16:00:00Z", "Europe/Berlin"))).toBe("2026-06-08T07:00:00.000Z");
  });

  it("reads the weekday in local time, not UTC (Saturday 00:30 in Kolkata is still Friday in UTC)", () => {
    const win = window("00:00", "24:00", WEEKDAYS_ONLY);
    // 2026-06-05T19:00Z is Saturday 00:30 IST.
    expect(nextAt(decide(INDIAN, win, "2026-06-05T19:00:00Z"))).toBe("2026-06-07T18:30:00.000Z");
    expect(nextAt(decide(INDIAN, win, "2026-06-05T18:29:00Z"))).toBe("allowed");
  });

  it("steps to the minute when now is mid-minute before the start", () => {
    const win = window("09:15", "17:00");
    expect(nextAt(decide(INDIAN, win, "2026-06-01T03:44:30.500Z"))).toBe("2026-06-01T03:45:00.000Z");
  });

  it("derives Asia/Kolkata from an Indian number without a timezone", () => {
    // 17:30 IST, window to 17:00 → 09:00 IST next day.
    const decision = decide(INDIAN, window("09:00", "17:00"), "2026-06-01T12:00:00Z");
    expect(nextAt(decision)).toBe("2026-06-02T03:30:00.000Z");
    expect(decision.allowed === false && decision.reason).toContain("Asia/Kolkata");
  });

  it("uses Australia/Sydney across the April 2026 end of daylight saving", () => {
    // Saturday 21:00 AEDT; clocks go back at 03:00 → Sunday 09:00 is AEST (+10).
    expect(nextAt(decide(AUSTRALIAN, window("09:00", "17:00"), "2026-04-04T10:00:00Z", "Australia/Sydney"))).toBe("2026-04-04T23:00:00.000Z");
  });
});

describe("calling window across daylight-saving changes", () => {
  it("US spring forward (2026-03-08): Sunday 09:00 is EDT, one hour earlier in UTC than Saturday's", () => {
    const win = window("09:00", "20:00");
    expect(nextAt(decide(US, win, "2026-03-07T13:59:00Z", "America/New_York"))).toBe("2026-03-07T14:00:00.000Z");
    expect(nextAt(decide(US, win, "2026-03-08T02:00:00Z", "America/New_York"))).toBe("2026-03-08T13:00:00.000Z");
  });

  it("US fall back (2026-11-01): Sunday 09:00 is EST", () => {
    expect(nextAt(decide(US, window("09:00", "20:00"), "2026-11-01T01:00:00Z", "America/New_York"))).toBe("2026-11-01T14:00:00.000Z");
  });

  it("EU spring forward (2026-03-29) and fall back (2026-10-25) in Berlin", () => {
    const win = window("08:00", "18:00");
    expect(nextAt(decide(GERMAN, win, "2026-03-28T18:00:00Z", "Europe/Berlin"))).toBe("2026-03-29T06:00:00.000Z");
    expect(nextAt(decide(GERMAN, win, "2026-10-24T17:00:00Z", "Europe/Berlin"))).toBe("2026-10-25T07:00:00.000Z");
  });

  it("a start inside the spring-forward gap opens when the clock jumps past it", () => {
    // 02:30 does not exist in New York on 2026-03-08; at 07:00Z the clock reads 03:00 EDT.
    const decision = decide(US_FICTIONAL, window("02:30", "05:00"), "2026-03-08T06:30:00Z", "America/New_York");
    expect(nextAt(decision)).toBe("2026-03-08T07:00:00.000Z");
  });

  it("the repeated hour of fall back opens the window again when the clock goes back into it", () => {
    const win = window("00:30", "01:30");
    // 01:40 EDT: past the end, but at 06:00Z the clock reads 01:00 EST, inside again.
    expect(nextAt(decide(US_FICTIONAL, win, "2026-11-01T05:40:00Z", "America/New_York"))).toBe("2026-11-01T06:00:00.000Z");
    expect(nextAt(decide(US_FICTIONAL, win, "2026-11-01T06:29:00Z", "America/New_York"))).toBe("allowed");
  });
});

describe("calling window for a country with several zones", () => {
  it("a US number without a timezone is called only when every zone from Eastern to Hawaii is inside 08:00–21:00", () => {
    // July: 08:00 in Honolulu is 18:00Z, 21:00 in New York is 01:00Z.
    expect(nextAt(decide(US, null, "2026-07-01T16:00:00Z"))).toBe("2026-07-01T18:00:00.000Z");
    expect(nextAt(decide(US, null, "2026-07-02T00:59:00Z"))).toBe("allowed");
    expect(nextAt(decide(US, null, "2026-07-02T01:00:00Z"))).toBe("2026-07-02T18:00:00.000Z");
    // January: New York is -5, so its 21:00 is 02:00Z.
    expect(nextAt(decide(US, null, "2026-01-15T01:30:00Z"))).toBe("allowed");
    const closed = decide(US, null, "2026-01-15T02:00:00Z");
    expect(nextAt(closed)).toBe("2026-01-15T18:00:00.000Z");
    expect(closed.allowed === false && closed.reason).toContain("in all 29 time zones of US; US numbers are called only 08:00–21:00 local");
  });

  it("an Australian number without a timezone waits until Perth has opened and Lord Howe has not closed", () => {
    // January: 09:00 in Perth (+8) is 01:00Z; 20:00 on Lord Howe (+11) is 09:00Z.
    const win = window("09:00", "20:00");
    expect(nextAt(decide(AUSTRALIAN, win, "2026-01-14T00:00:00Z"))).toBe("2026-01-14T01:00:00.000Z");
    expect(nextAt(decide(AUSTRALIAN, win, "2026-01-14T09:00:00Z"))).toBe("2026-01-15T01:00:00.000Z");
  });

  it("answers null and says why when the country's zones never agree on the window", () => {
    const decision = decide(RUSSIAN, window("09:00", "10:00"), "2026-06-01T00:00:00Z");
    expect(decision).toEqual({ allowed: false, nextAllowedAt: null, reason: expect.stringContaining("Set the customer's timezone") });
  });
});

describe("the US limit of 08:00–21:00 local", () => {
  it("cannot be widened by the project's window", () => {
    const win = window("06:00", "23:00");
    expect(nextAt(decide(US, win, "2026-06-01T11:30:00Z", "America/New_York"))).toBe("2026-06-01T12:00:00.000Z");
    const late = decide(US, win, "2026-06-02T01:00:00Z", "America/New_York");
    expect(nextAt(late)).toBe("2026-06-02T12:00:00.000Z");
    expect(late.allowed === false && late.reason).toBe(
      "Outside the calling window (08:00–21:00 every day, America/New_York; US numbers are called only 08:00–21:00 local); next allowed 2026-06-02T12:00:00Z",
    );
  });

  it("applies with no project window at all", () => {
    expect(nextAt(decide(US, null, "2026-06-01T11:59:00Z", "America/New_York"))).toBe("2026-06-01T12:00:00.000Z");
    expect(nextAt(decide(US, null, "2026-06-01T12:00:00Z", "America/New_York"))).toBe("allowed");
  });

  it("does not apply to other countries, which without a window are always callable", () => {
    expect(decide(GERMAN, null, "2026-06-01T01:00:00Z", "Europe/Berlin")).toEqual({ allowed: true });
    // A Canadian +1 number is not a US number.
    expect(decide("+14165550123", null, "2026-06-01T05:00:00Z", "America/Toronto")).toEqual({ allowed: true });
  });

  it("exempts the fictional 555-0100…0199 range, where a project window still applies", () => {
    expect(decide(US_FICTIONAL, null, "2026-06-01T07:00:00Z", "America/New_York")).toEqual({ allowed: true });
    expect(nextAt(decide("+14155550199", window("09:00", "17:00"), "2026-06-01T07:00:00Z", "America/New_York"))).toBe("2026-06-01T13:00:00.000Z");
    // 555-0200 is outside the fictional range: a real subscriber, limited.
    expect(nextAt(decide("+14155550200", null, "2026-06-01T07:00:00Z", "America/New_York"))).toBe("2026-06-01T12:00:00.000Z");
  });

  it("answers null when the project's window lies wholly outside it", () => {
    const decision = decide(US, window("06:00", "07:30"), "2026-06-01T07:00:00Z", "America/New_York");
    expect(decision).toEqual({ allowed: false, nextAllowedAt: null, reason: expect.stringContaining("never called") });
  });
});

describe("CallingWindowSchema", () => {
  it("fills in all seven days and accepts 24:00 as an end", () => {
    expect(CallingWindowSchema.parse({ start: "00:00", end: "24:00" })).toEqual({ start: "00:00", end: "24:00", days: EVERY_DAY });
  });

  it("names the bad field", () => {
    const pathOf = (value: unknown) => CallingWindowSchema.safeParse(value).error?.issues[0]?.path.join(".");
    expect(pathOf({ start: "9:00", end: "17:00" })).toBe("start");
    expect(pathOf({ start: "09:00", end: "25:00" })).toBe("end");
    expect(pathOf({ start: "17:00", end: "09:00" })).toBe("end");
    expect(pathOf({ start: "09:00", end: "17:00", days: [] })).toBe("days");
    expect(pathOf({ start: "09:00", end: "17:00", days: ["mon", "mon"] })).toBe("days");
    expect(pathOf({ start: "09:00", end: "17:00", days: ["monday"] })).toBe("days.0");
  });
});
