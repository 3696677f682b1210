import { and, eq, inArray } from "drizzle-orm";
import { createDb } from "../db/client";
import { type CallStatus, calls, notifications, transcriptEntries } from "../db/schema";
import { newId, nowIso } from "../lib/ids";
import { notificationStatusAfter } from "./call-states";

/** The D1 mirror of a call: every transition the CallSession makes is written here at once. */
export interface CallChanges {
  status?: CallStatus;
  carrierCallSid?: string | null;
  answeredBy?: string | null;
  endReason?: string | null;
  errorCode?: string | null;
  errorMessage?: string | null;
  ringingAt?: string | null;
  answeredAt?: string | null;
  endedAt?: string | null;
  durationSeconds?: number | null;
}

export async function updateCallRow(env: Env, callId: string, changes: CallChanges): Promise<void> {
  await createDb(env.DB).update(calls).set({ ...changes, updatedAt: nowIso() }).where(eq(calls.id, callId));
}

/** Closes the notification the call belonged to, unless something else already closed it. */
export async function finishNotification(env: Env, notificationId: string, callStatus: CallStatus, reason: string | null): Promise<void> {
  const status = notificationStatusAfter(callStatus);
  await createDb(env.DB)
    .update(notifications)
    .set({ status, failureReason: status === "completed" ? null : reason, updatedAt: nowIso() })
    .where(and(eq(notifications.id, notificationId), inArray(notifications.status, ["in_progress", "pending", "scheduled"])));
}

export interface TranscriptLine {
  seq: number;
  speaker: "agent" | "customer";
  text: string;
  startMs: number;
  endMs: number;
  interrupted: boolean;
}

/** Saved as soon as it is recognised; a repeated seq (a retried write) is ignored. */
export async function saveTranscriptLine(env: Env, callId: string, line: TranscriptLine): Promise<void> {
  await createDb(env.DB)
    .insert(transcriptEntries)
    .values({ id: newId(), callId, ...line, createdAt: nowIso() })
    .onConflictDoNothing();
}
