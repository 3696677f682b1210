import type { CallStatus } from "../db/schema";

/** Everything a CallSession needs to place and run one call, fixed when the call is created. */
export interface CallPlan {
  callId: string;
  notificationId: string;
  projectId: string;
  carrier: "twilio" | "emulator";
  to: string;
  from: string;
  /** The rendered system prompt: no `{{tokens}}` left. */
  instructions: string;
  /** What the agent says first, rendered; null lets the model open the conversation itself. */
  greeting: string | null;
  voice: string | null;
  speed: number | null;
  language: string | null;
  maxDurationSeconds: number;
  /** Record the call (the agent's recording_enabled); a plan saved before this existed records. */
  recording: boolean;
  /** Where the agent's transfer tool puts the callee through (E.164); null: no transfers. */
  transferNumber?: string | null;
  /** Left after the beep when a machine answers, rendered; null hangs up on machines. */
  voicemailMessage?: string | null;
  /** The agent's keypad rules (see keypad.ts). */
  dtmfRules?: unknown;
  /** Which attempt of its notification this call is (1 for the first). */
  attempt?: number;
}

export interface CallSnapshot {
  status: CallStatus;
  endReason: string | null;
}

export const TERMINAL_CALL_STATUSES: readonly CallStatus[] = ["completed", "busy", "no_answer", "failed", "canceled", "voicemail", "transferred"];
export const isTerminal = (status: CallStatus) => TERMINAL_CALL_STATUSES.includes(status);
