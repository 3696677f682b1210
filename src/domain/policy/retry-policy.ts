import { z } from "@hono/zod-openapi";

/** Call endings a retry policy may retry; anything else (reached, transferred, canceled) ends the notification. */
export const RETRY_OUTCOMES = ["no_answer", "busy", "failed", "voicemail"] as const;
export type RetryOutcome = (typeof RETRY_OUTCOMES)[number];

export interface RetryPolicy {
  /** Calls in all, the first included: 1 … 10. */
  max_attempts: number;
  retry_on: RetryOutcome[];
  /** Seconds before attempt n+1 is `intervals_seconds[n-1]`; the last value repeats. */
  intervals_seconds: number[];
}

export const DEFAULT_RETRY_POLICY: Readonly<RetryPolicy> = Object.freeze({
  max_attempts: 3,
  retry_on: ["no_answer", "busy", "voicemail"] as RetryOutcome[],
  intervals_seconds: [300, 3600],
});

/**
 * Failures that say the number cannot be called at all (the carrier refused it, it is invalid,
 * or the call could not be placed): retrying would only fail again, so they never retry.
 */
export const PERMANENT_FAILURE_END_REASONS: readonly string[] = ["carrier_refused", "placement_failed", "invalid_number"];

export const isPermanentFailure = (endReason: string | null | undefined) => endReason !== null && endReason !== undefined && PERMANENT_FAILURE_END_REASONS.includes(endReason);

/** Any subset of the fields; what is left out comes from the project, then Parley's defaults. */
export const RetryPolicyOverrideSchema = z
  .strictObject({
    max_attempts: z.number().int().min(1).max(10).optional().openapi({ example: 3, description: "Calls in all, the first included: 1 to 10. Default 3." }),
    retry_on: z
      .array(z.enum(RETRY_OUTCOMES))
      .max(RETRY_OUTCOMES.length)
      .refine((outcomes) => new Set(outcomes).size === outcomes.length, "must not list an outcome twice")
      .optional()
      .openapi({ example: ["no_answer", "busy", "voicemail"], description: "Which call endings are retried. Default no_answer, busy, voicemail." }),
    intervals_seconds: z
      .array(z.number().int().min(60).max(604_800))
      .min(1)
      .max(9)
      .optional()
      .openapi({
        example: [300, 3600],
        description: "Seconds (60 to 604800) before the 2nd, 3rd … attempt; the last value repeats. Default [300, 3600].",
      }),
  })
  .openapi("RetryPolicyOverride");

export type RetryPolicyOverride = z.infer<typeof RetryPolicyOverrideSchema>;

export const RetryPolicySchema = z
  .object({
    max_attempts: z.number().int().openapi({ example: 3 }),
    retry_on: z.array(z.enum(RETRY_OUTCOMES)).openapi({ example: ["no_answer", "busy", "voicemail"] }),
    intervals_seconds: z.array(z.number().int()).openapi({ example: [300, 3600] }),
  })
  .openapi("RetryPolicy", { description: "The policy in force: the notification's override, over the project's, over Parley's defaults." });

/** A stored override read back; malformed values are ignored rather than failing a call. */
export function parseRetryPolicyOverride(value: unknown): RetryPolicyOverride {
  const parsed = RetryPolicyOverrideSchema.safeParse(value ?? {});
  return parsed.success ? parsed.data : {};
}

/** Fields merged: the notification's override wins, then the project's policy, then the defaults. */
export function effectiveRetryPolicy(project: { retryPolicy: unknown } | null, notification?: { retryPolicy: unknown } | null): RetryPolicy {
  const merged = { ...DEFAULT_RETRY_POLICY, ...parseRetryPolicyOverride(project?.retryPolicy), ...parseRetryPolicyOverride(notification?.retryPolicy) };
  return { max_attempts: merged.max_attempts, retry_on: [...merged.retry_on], intervals_seconds: [...merged.intervals_seconds] };
}

/** How the attempt that just ended went; `outcome` is the call's final status. */
export interface EndedAttempt {
  /** Which attempt ended, 1 for the first (the call's `attempt`). */
  attempt: number;
  outcome: string;
  endReason?: string | null;
  endedAt: Date | string;
}

export type RetryStop = "reached" | "not_retried" | "permanent_failure" | "attempts_exhausted";
export type RetryDecision = { retry: true; attempt: number; at: Date } | { retry: false; stop: RetryStop; reason: string };

/** The delay before attempt `next` (2 or later): the ladder's value for it, the last repeating. */
export function retryDelaySeconds(policy: RetryPolicy, next: number): number {
  const ladder = policy.intervals_seconds;
  return ladder[Math.min(next - 2, ladder.length - 1)] ?? DEFAULT_RETRY_POLICY.intervals_seconds.at(-1)!;
}

const spoken = (outcome: string) => outcome.replaceAll("_", " ");

/**
 * Whether to call again after an attempt ended, and when (`at` is the earliest; the calling
 * window may push it later). `attempt` in a yes is the number of the next attempt. A no says why
 * the notification stops: someone was reached, the outcome is not retried, the failure is
 * permanent, or the attempts ran out.
 */
export function nextAttempt(policy: RetryPolicy, ended: EndedAttempt): RetryDecision {
  const { attempt, outcome } = ended;
  if (!(RETRY_OUTCOMES as readonly string[]).includes(outcome)) {
    return { retry: false, stop: "reached", reason: `The call ended as ${spoken(outcome)}, so it is not retried.` };
  }
  if (outcome === "failed" && isPermanentFailure(ended.endReason)) {
    return { retry: false, stop: "permanent_failure", reason: `The call failed for good (${spoken(ended.endReason!)}): the number cannot be called, so it is not retried.` };
  }
  if (!policy.retry_on.includes(outcome as RetryOutcome)) {
    return { retry: false, stop: "not_retried", reason: `The call ended as ${spoken(outcome)}, which the retry policy does not retry.` };
  }
  if (attempt >= policy.max_attempts) {
    const calls = policy.max_attempts === 1 ? "1 attempt" : `${policy.max_attempts} attempts`;
    return { retry: false, stop: "attempts_exhausted", reason: `The last call ended as ${spoken(outcome)} after ${calls}, the most the retry policy allows.` };
  }
  const next = attempt + 1;
  const endedMs = new Date(ended.endedAt).getTime();
  return { retry: true, attempt: next, at: new Date(endedMs + retryDelaySeconds(policy, next) * 1000) };
}
