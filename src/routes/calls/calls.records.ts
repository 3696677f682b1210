import { and, asc, eq } from "drizzle-orm";
import type { CallRow } from "../../calls/dispatch";
import type { Db } from "../../db/client";
import { calls, transcriptEntries } from "../../db/schema";
import { notFound } from "../../lib/errors";
import type { RecordingStatus } from "../../recordings/recording-records";
import type { CallDetailResponse, CallResponse } from "./calls.schemas";

export function present(row: CallRow): CallResponse {
  return {
    id: row.id,
    project_id: row.projectId,
    notification_id: row.notificationId,
    agent_id: row.agentId,
    customer_id: row.customerId,
    carrier: row.carrier,
    status: row.status,
    to: row.toNumber,
    from: row.fromNumber,
    carrier_call_sid: row.carrierCallSid,
    answered_by: row.answeredBy,
    end_reason: row.endReason,
    attempt: row.attempt,
    transferred_to: row.transferredTo,
    error_code: row.errorCode,
    error_message: row.errorMessage,
    queued_at: row.queuedAt,
    ringing_at: row.ringingAt,
    answered_at: row.answeredAt,
    ended_at: row.endedAt,
    duration_seconds: row.durationSeconds,
    summary: row.summary,
    analysis: row.analysis ?? null,
    analysis_error: row.analysisError,
    processed_at: row.processedAt,
    recording: row.recordingStatus
      ? { status: row.recordingStatus as RecordingStatus, duration_ms: row.recordingDurationMs, size_bytes: row.recordingBytes }
      : null,
    created_at: row.createdAt,
    updated_at: row.updatedAt,
  };
}

/** The caller's call, or 404: another project's call is as absent as a missing one. */
export async function findCall(db: Db, projectId: string, id: string): Promise<CallRow> {
  const row = await db
    .select()
    .from(calls)
    .where(and(eq(calls.id, id), eq(calls.projectId, projectId)))
    .get();
  if (!row) throw notFound("call", "id");
  return row;
}

/** A call's attempts of one notification, oldest first. */
export function callsOf(db: Db, notificationId: string) {
  return db.select().from(calls).where(eq(calls.notificationId, notificationId)).orderBy(asc(calls.createdAt), asc(calls.id));
}

/** The call with what was said, as Parley's transcript and as Elemente's messages. */
export async function presentDetail(db: Db, row: CallRow): Promise<CallDetailResponse> {
  // In the order things were said (a line is saved when recognised, which can be later).
  const entries = await db.select().from(transcriptEntries).where(eq(transcriptEntries.callId, row.id)).orderBy(asc(transcriptEntries.startMs), asc(transcriptEntries.seq));
  // Entries are timed from the answer; when that is unknown the time the line was saved is the best estimate.
  const answeredAt = row.answeredAt ? Date.parse(row.answeredAt) : null;
  return {
    ...present(row),
    transcript: entries.map((e) => ({ seq: e.seq, speaker: e.speaker, text: e.text, start_ms: e.startMs, end_ms: e.endMs, interrupted: e.interrupted })),
    messages: entries.map((e) => ({
      sender: e.speaker,
      content: e.text,
      timestamp: answeredAt === null ? e.createdAt : new Date(answeredAt + e.startMs).toISOString(),
    })),
  };
}
