import type { CallStatus } from "../db/schema";
import { isTerminal } from "./call-plan";

/**
 * A call only moves forward: queued → ringing → in_progress → an end. Carrier callbacks can
 * repeat and arrive out of order, so a status that would move the call backwards (or off an end
 * it already reached) is ignored rather than applied.
 */
const RANK: Record<CallStatus, number> = {
  queued: 0,
  ringing: 1,
  in_progress: 2,
  completed: 3,
  busy: 3,
  no_answer: 3,
  failed: 3,
  canceled: 3,
  voicemail: 3,
  transferred: 3,
};

/** The status to move to, or null when `next` must be ignored. */
export function nextStatus(current: CallStatus, next: CallStatus): CallStatus | null {
  if (isTerminal(current) || next === current) return null;
  return RANK[next] > RANK[current] ? next : null;
}

/** How a finished call leaves its notification. */
export function notificationStatusAfter(call: CallStatus): "completed" | "failed" | "canceled" {
  // A transferred callee was reached: a person took the call over.
  if (call === "completed" || call === "transferred") return "completed";
  if (call === "canceled") return "canceled";
  return "failed";
}
