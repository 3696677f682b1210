import type { CallStatus } from "../db/schema";

/**
 * Twilio's `CallStatus` values, in the words Parley stores. `initiated` is Parley's `queued`:
 * the carrier has accepted the call but no phone rings yet, and nobody downstream acts on the
 * difference.
 */
const FROM_CARRIER: Record<string, CallStatus> = {
  queued: "queued",
  initiated: "queued",
  ringing: "ringing",
  "in-progress": "in_progress",
  completed: "completed",
  busy: "busy",
  "no-answer": "no_answer",
  failed: "failed",
  canceled: "canceled",
};

/**
 * A machine only counts once the call was picked up: AMD results can ride along on later
 * callbacks, and `busy` or `no-answer` must not turn into `voicemail` because of them.
 */
const ANSWERED = new Set(["in-progress", "completed"]);

/**
 * Answering machine detection says `human`, `unknown` (AMD could not tell) or a `machine_*` /
 * `fax` verdict. Only a verdict counts as voicemail: treating `unknown` as a machine would hang
 * up on people who answer with a short "hello?".
 */
export function isMachine(answeredBy: string | null | undefined): boolean {
  return !!answeredBy && (answeredBy.startsWith("machine_") || answeredBy.startsWith("fax"));
}

/**
 * Maps a status callback's `CallStatus` (and `AnsweredBy`, when AMD ran) to the call's status.
 * Unknown values answer null so a status Twilio adds later is ignored rather than guessed at.
 */
export function callStatusFromCarrier(callStatus: string, answeredBy?: string | null): CallStatus | null {
  if (!Object.hasOwn(FROM_CARRIER, callStatus)) return null;
  if (ANSWERED.has(callStatus) && isMachine(answeredBy)) return "voicemail";
  return FROM_CARRIER[callStatus] ?? null;
}
