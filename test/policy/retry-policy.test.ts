import { describe, expect, it } from "vitest";
import { DEFAULT_RETRY_POLICY, effectiveConcurrency, effectiveRetryPolicy, nextAttempt, type RetryPolicy, RetryPolicyOverrideSchema } from "../../src/domain/policy";

const ENDED = "2026-06-01T12:00:00.000Z";
const policy = (overrides: Partial<RetryPolicy> = {}): RetryPolicy => ({ ...DEFAULT_RETRY_POLICY, ...overrides });
const endedPlus = (seconds: number) => new Date(Date.parse(ENDED) + seconds * 1000);

describe("nextAttempt", () => {
  it("waits the ladder's interval before each attempt: 300 s before the 2nd, 3600 s before the 3rd", () => {
    const ladder = policy({ max_attempts: 3 });
    expect(nextAttempt(ladder, { attempt: 1, outcome: "no_answer", endedAt: ENDED })).toEqual({ retry: true, attempt: 2, at: endedPlus(300) });
    expect(nextAttempt(ladder, { attempt: 2, outcome: "busy", endedAt: new Date(ENDED) })).toEqual({ retry: true, attempt: 3, at: endedPlus(3600) });
  });

  it("repeats the last interval once the ladder runs out", () => {
    const ladder = policy({ max_attempts: 6, intervals_seconds: [60, 120] });
    const delays = [1, 2, 3, 4, 5].map((attempt) => {
      const decision = nextAttempt(ladder, { attempt, outcome: "no_answer", endedAt: ENDED });
      return decision.retry ? (decision.at.getTime() - Date.parse(ENDED)) / 1000 : null;
    });
    expect(delays).toEqual([60, 120, 120, 120, 120]);
  });

  it("stops after max_attempts", () => {
    const decision = nextAttempt(policy({ max_attempts: 3 }), { attempt: 3, outcome: "no_answer", endedAt: ENDED });
    expect(decision).toEqual({ retry: false, stop: "attempts_exhausted", reason: "The last call ended as no answer after 3 attempts, the most the retry policy allows." });
    expect(nextAttempt(policy({ max_attempts: 1 }), { attempt: 1, outcome: "busy", endedAt: ENDED })).toMatchObject({ retry: false, stop: "attempts_exhausted" });
  });

  it("retries only the outcomes in retry_on", () => {
    const onlyBusy = policy({ retry_on: ["busy"] });
    expect(nextAttempt(onlyBusy, { attempt: 1, outcome: "busy", endedAt: ENDED })).toMatchObject({ retry: true });
    expect(nextAttempt(onlyBusy, { attempt: 1, outcome: "voicemail", endedAt: ENDED })).toEqual({
      retry: false,
      stop: "not_retried",
      reason: "The call ended as voicemail, which the retry policy does not retry.",
    });
    // `failed` is not retried by default.
    expect(nextAttempt(policy(), { attempt: 1, outcome: "failed", endReason: "watchdog", endedAt: ENDED })).toMatchObject({ retry: false, stop: "not_retried" });
  });

  it("never retries a reached, transferred or canceled call", () => {
    for (const outcome of ["completed", "transferred", "canceled"]) {
      expect(nextAttempt(policy(), { attempt: 1, outcome, endedAt: ENDED })).toMatchObject({ retry: false, stop: "reached" });
    }
  });

  it("retries a transient failure when failed is listed, but never a permanent one", () => {
    const withFailed = policy({ retry_on: ["failed"] });
    expect(nextAttempt(withFailed, { attempt: 1, outcome: "failed", endReason: "carrier_unreachable", endedAt: ENDED })).toMatchObject({ retry: true, attempt: 2 });
    for (const endReason of ["carrier_refused", "placement_failed", "invalid_number"]) {
      expect(nextAttempt(withFailed, { attempt: 1, outcome: "failed", endReason, endedAt: ENDED })).toMatchObject({ retry: false, stop: "permanent_failure" });
    }
  });
});

describe("effectiveRetryPolicy", () => {
  it("is Parley's defaults when neither the project nor the notification sets one", () => {
    expect(effectiveRetryPolicy({ retryPolicy: null }, { retryPolicy: null })).toEqual({ max_attempts: 3, retry_on: ["no_answer", "busy", "voicemail"], intervals_seconds: [300, 3600] });
  });

  it("merges field by field: notification over project over defaults", () => {
    const project = { retryPolicy: { max_attempts: 5, intervals_seconds: [600] } };
    const notification = { retryPolicy: { max_attempts: 2, retry_on: ["busy"] } };
    expect(effectiveRetryPolicy(project, notification)).toEqual({ max_attempts: 2, retry_on: ["busy"], intervals_seconds: [600] });
    expect(effectiveRetryPolicy(project)).toEqual({ max_attempts: 5, retry_on: ["no_answer", "busy", "voicemail"], intervals_seconds: [600] });
  });

  it("ignores a malformed stored value instead of failing", () => {
    expect(effectiveRetryPolicy({ retryPolicy: { max_attempts: 99 } })).toEqual(effectiveRetryPolicy(null));
  });
});

describe("RetryPolicyOverrideSchema", () => {
  it("names the bad field", () => {
    const pathOf = (value: unknown) => RetryPolicyOverrideSchema.safeParse(value).error?.issues[0]?.path.join(".");
    expect(pathOf({ max_attempts: 0 })).toBe("max_attempts");
    expect(pathOf({ max_attempts: 11 })).toBe("max_attempts");
    expect(pathOf({ retry_on: ["completed"] })).toBe("retry_on.0");
    expect(pathOf({ intervals_seconds: [59] })).toBe("intervals_seconds.0");
    expect(pathOf({ intervals_seconds: [604_801] })).toBe("intervals_seconds.0");
    expect(pathOf({ intervals_seconds: [] })).toBe("intervals_seconds");
    expect(pathOf({ intervals_seconds: Array(10).fill(60) })).toBe("intervals_seconds");
    expect(RetryPolicyOverrideSchema.safeParse({ max_attempts: 3, extra: 1 }).error?.issues[0]?.code).toBe("unrecognized_keys");
  });
});

describe("effectiveConcurrency", () => {
  it("is the project's limit, or 10 when unset", () => {
    expect(effectiveConcurrency({ maxConcurrentCalls: 25 })).toBe(25);
    expect(effectiveConcurrency({ maxConcurrentCalls: null })).toBe(10);
  });
});
