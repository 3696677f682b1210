import { and, eq, inArray } from "drizzle-orm";
import { createDb } from "../db/client";
import { type CallStatus, calls, notifications, projects, transcriptEntries, UNFINISHED_NOTIFICATION_STATUSES as UNFINISHED } from "../db/schema";
import { remoteSlotGate, wakeDispatcher } from "../dispatch/project-dispatcher";
import { effectiveRetryPolicy, nextAttempt } from "../domain/policy";
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
  transferredTo?: string | null;
}

export async function updateCallRow(env: Env, callId: string, changes: CallChanges): Promise<void> {
  await createDb(env.DB).update(calls).set({ ...changes, updatedAt: nowIso() }).where(eq(calls.id, callId));
}

/**
 * The call ended: frees its call slot, then either schedules the notification's next attempt (the
 * retry policy says the outcome is worth another try and attempts remain) or closes it, unless
 * something else already did (a cancel). The notification shows which, and why.
 */
export async function finishNotification(env: Env, notificationId: string, callStatus: CallStatus, reason: string | null): Promise<void> {
  const db = createDb(env.DB);
  const notification = await db.select().from(notifications).where(eq(notifications.id, notificationId)).get();
  if (!notification) return;
  const callId = notification.lastCallId;
  if (callId) await remoteSlotGate(env).free(notification.projectId, callId);
  if (!(UNFINISHED as readonly string[]).includes(notification.status)) return;

  const [project, call] = await Promise.all([
    db.select({ retryPolicy: projects.retryPolicy }).from(projects).where(eq(projects.id, notification.projectId)).get(),
    callId ? db.select({ attempt: calls.attempt, endedAt: calls.endedAt }).from(calls).where(eq(calls.id, callId)).get() : undefined,
  ]);
  const policy = effectiveRetryPolicy(project ?? null, notification);
  const decision = nextAttempt(policy, { attempt: call?.attempt ?? notification.attempts, outcome: callStatus, endReason: reason, endedAt: call?.endedAt ?? nowIso() });
  const guard = and(eq(notifications.id, notificationId), inArray(notifications.status, UNFINISHED));
  const now = nowIso();
  if (decision.retry) {
    const at = decision.at.toISOString();
    const waitReason = `The call ended as ${callStatus.replaceAll("_", " ")}; attempt ${decision.attempt} of ${policy.max_attempts} is due at ${at}.`;
    await db.update(notifications).set({ status: "scheduled", scheduledAt: at, nextAttemptAt: at, waitReason, failureReason: null, updatedAt: now }).where(guard);
    await wakeDispatcher(env, notification.projectId, at);
    return;
  }
  const status = notificationStatusAfter(callStatus);
  // Attempts that ran out say so; otherwise how the call ended is the reason it stopped.
  const failureReason = status === "completed" ? null : decision.stop === "attempts_exhausted" ? `${reason}: ${decision.reason}` : reason;
  await db.update(notifications).set({ status, failureReason, waitReason: null, nextAttemptAt: null, updatedAt: now }).where(guard);
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
