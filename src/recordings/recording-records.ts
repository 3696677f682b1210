import { eq } from "drizzle-orm";
import { createDb } from "../db/client";
import { calls } from "../db/schema";
import { nowIso } from "../lib/ids";
import type { SavedRecording } from "./recording-upload";

/** A call's recording: being written, ready to play, lost (the call went on without it), or removed. */
export const RECORDING_STATUSES = ["recording", "available", "failed", "deleted"] as const;
export type RecordingStatus = (typeof RECORDING_STATUSES)[number];

/** One object per call, under its project so a project's recordings can be found together. */
export const recordingKey = (projectId: string, callId: string) => `recordings/${projectId}/${callId}.wav`;

async function setRecording(env: Env, callId: string, columns: Partial<typeof calls.$inferInsert>): Promise<void> {
  await createDb(env.DB).update(calls).set({ ...columns, updatedAt: nowIso() }).where(eq(calls.id, callId));
}

export const markRecording = (env: Env, callId: string, key: string) =>
  setRecording(env, callId, { recordingKey: key, recordingStatus: "recording", recordingDurationMs: null, recordingBytes: null });

export const markRecordingSaved = (env: Env, callId: string, saved: SavedRecording) =>
  setRecording(env, callId, { recordingKey: saved.key, recordingStatus: "available", recordingDurationMs: saved.durationMs, recordingBytes: saved.bytes });

export const markRecordingFailed = (env: Env, callId: string) => setRecording(env, callId, { recordingStatus: "failed", recordingDurationMs: null, recordingBytes: null });

export const markRecordingDeleted = (env: Env, callId: string) => setRecording(env, callId, { recordingStatus: "deleted", recordingDurationMs: null, recordingBytes: null });
