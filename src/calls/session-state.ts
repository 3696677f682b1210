import type { CallStatus } from "../db/schema";
import type { CallPlan, CallSnapshot } from "./call-plan";

/** What a CallSession persists as it goes, so a reset object knows where its call stood. */
export interface SessionState {
  plan: CallPlan;
  status: CallStatus;
  mediaTokenHash: string;
  carrierSid: string | null;
  answeredBy: string | null;
  ringingAt: string | null;
  answeredAt: string | null;
  endedAt: string | null;
  endReason: string | null;
  transcriptSeq: number;
  /**
   * Set once Parley decided to end the call: why, what happens once the farewell has played (hang
   * up, the default, or put the callee through), and the status to end with (default completed).
   */
  closing: { reason: string; afterwards?: "hang_up" | "transfer"; status?: CallStatus } | null;
  /** Where the callee was put through to; from then on the carrier has the call, not Parley. */
  transferredTo?: string | null;
  /** Epoch ms of each pending timeout; the object's one alarm is set to the earliest. */
  deadlines: Deadlines;
}

export interface Deadlines {
  /** No call may outlive this, whatever happened to the object or its sockets. */
  watchdog: number | null;
  /** The agent's polite close when the call reaches max_duration_seconds. */
  maxDuration: number | null;
  /** Hang up even if the farewell's audio never finishes playing. */
  hangUp: number | null;
}

export type DeadlineName = keyof Deadlines;

export const snapshotOf = (state: SessionState): CallSnapshot => ({ status: state.status, endReason: state.endReason });

export function earliestDeadline(deadlines: Deadlines): { name: DeadlineName; at: number } | null {
  let earliest: { name: DeadlineName; at: number } | null = null;
  for (const name of Object.keys(deadlines) as DeadlineName[]) {
    const at = deadlines[name];
    if (at !== null && (earliest === null || at < earliest.at)) earliest = { name, at };
  }
  return earliest;
}

/** Rings for at most this long before the carrier gives up (Twilio's Timeout). */
export const RING_TIMEOUT_SECONDS = 45;
/** Slack between the polite close and the carrier's hard TimeLimit, and for the watchdog. */
export const CLOSING_GRACE_SECONDS = 30;
