import { and, asc, eq, gt } from "drizzle-orm";
import type { Carrier } from "../calls/endpoints";
import { createDb } from "../db/client";
import { agents, calls, notifications, transcriptEntries, webhookEvents } from "../db/schema";
import { emitEvent, type EventType } from "../delivery/events";
import type { JsonSchema } from "../domain/output-schema";
import { nowIso } from "../lib/ids";
import { extract, summarize } from "./extract";
import { FEEDBACK_SCHEMA } from "./feedback-schema";

/**
 * Everything that happens after a call ends, on the post-call queue: the summary and structured
 * results are worked out and stored (on the call, and as the notification's `call_result`), then
 * the call's events go out. Safe to run twice: results are kept once, events are not repeated.
 */
export async function processCall(env: Env, callId: string): Promise<void> {
  const db = createDb(env.DB);
  const call = await db.select().from(calls).where(eq(calls.id, callId)).get();
  if (!call) return;
  const notification = await db.select().from(notifications).where(eq(notifications.id, call.notificationId)).get();
  const lines = await db.select().from(transcriptEntries).where(eq(transcriptEntries.callId, callId)).orderBy(asc(transcriptEntries.startMs), asc(transcriptEntries.seq));
  const transcript = lines.map((line) => `${line.speaker === "agent" ? "Agent" : "Customer"}: ${line.text}`).join("\n");

  if (!call.processedAt) {
    const schema = await schemaFor(db, call.agentId, notification?.collectFeedback ?? false);
    const carrier = call.carrier as Carrier;
    const [summary, extraction] = await Promise.all([
      summarize(env, carrier, transcript),
      schema ? extract(env, carrier, schema, transcript) : Promise.resolve({ analysis: null, error: null }),
    ]);
    await db.batch([
      db.update(calls).set({ summary, analysis: extraction.analysis, analysisError: extraction.error, processedAt: nowIso(), updatedAt: nowIso() }).where(eq(calls.id, callId)),
      db
        .update(notifications)
        .set({ callResult: extraction.analysis, updatedAt: nowIso() })
        .where(and(eq(notifications.id, call.notificationId), eq(notifications.lastCallId, callId))),
    ]);
    Object.assign(call, { summary, analysis: extraction.analysis, analysisError: extraction.error });
  }

  const outcome: EventType = call.status === "completed" || call.status === "transferred" ? "call.completed" : "call.failed";
  // A later attempt exists, or one is scheduled (the retry policy said so when this call ended).
  const later = await db.select({ queuedAt: calls.queuedAt }).from(calls).where(and(eq(calls.notificationId, call.notificationId), gt(calls.attempt, call.attempt))).get();
  const retrying = later !== undefined || (notification?.status === "scheduled" && notification.lastCallId === call.id);
  const common = {
    call_id: call.id,
    notification_id: call.notificationId,
    status: call.status,
    end_reason: call.endReason,
    duration_seconds: call.durationSeconds,
    answered_by: call.answeredBy,
    attempt: call.attempt,
    final_attempt: !retrying,
    // When the next attempt is due, or (processed late) when it started.
    next_attempt_at: later ? later.queuedAt : retrying ? (notification?.nextAttemptAt ?? null) : null,
  };
  await emitOnce(env, db, call, outcome, { ...common, transcript_excerpt: transcript.slice(0, 500), report_excerpt: call.summary?.slice(0, 500) ?? null });
  await emitOnce(env, db, call, "call.summary", {
    ...common,
    analysis: call.analysis ?? null,
    analysis_error: call.analysisError,
    summary: call.summary,
    transcript: lines.map((line) => ({ speaker: line.speaker, text: line.text, start_ms: line.startMs, end_ms: line.endMs })),
  });
}

async function schemaFor(db: ReturnType<typeof createDb>, agentId: string | null, collectFeedback: boolean): Promise<JsonSchema | null> {
  if (agentId) {
    const agent = await db.select({ outputSchema: agents.outputSchema }).from(agents).where(eq(agents.id, agentId)).get();
    return (agent?.outputSchema as JsonSchema | null) ?? null;
  }
  return collectFeedback ? FEEDBACK_SCHEMA : null;
}

async function emitOnce(env: Env, db: ReturnType<typeof createDb>, call: { id: string; projectId: string; notificationId: string }, type: EventType, data: unknown) {
  const seen = await db.select({ id: webhookEvents.id }).from(webhookEvents).where(and(eq(webhookEvents.callId, call.id), eq(webhookEvents.type, type))).get();
  if (seen) return;
  await emitEvent(env, db, { projectId: call.projectId, type, callId: call.id, notificationId: call.notificationId, data });
}
