import type { RouteHandler } from "@hono/zod-openapi";
import type { Context } from "hono";
import { isTerminal } from "../../calls/call-plan";
import type { CallRow } from "../../calls/dispatch";
import { markRecordingDeleted } from "../../recordings/recording-records";
import { issueRecordingToken } from "../../recordings/recording-token";
import { recordingResponse } from "../../recordings/serve-recording";
import { WAV_CONTENT_TYPE } from "../../recordings/wav";
import type { AppEnv } from "../../lib/app-env";
import { projectCaller } from "../../lib/caller";
import { ApiError, errorBody } from "../../lib/errors";
import { findCall } from "./calls.records";
import type { deleteRecording, getRecording, streamRecording } from "./recording.routes";

/** The call's recording when it can be played; otherwise a 404 that says why not. */
function playable(call: CallRow): { key: string; bytes: number; durationMs: number } {
  if (call.recordingStatus === "available" && call.recordingKey && call.recordingBytes !== null) {
    return { key: call.recordingKey, bytes: call.recordingBytes, durationMs: call.recordingDurationMs ?? 0 };
  }
  const why: Record<string, string> = {
    recording: "This call is still being recorded; its recording is available once the call has ended.",
    failed: "This call's recording could not be saved, so there is none to play.",
    deleted: "This call's recording was deleted.",
  };
  const none = isTerminal(call.status)
    ? "This call has no recording: it was not answered, or its agent has recording turned off."
    : "This call has no recording yet; it is available once the call has ended.";
  throw new ApiError("not_found", (call.recordingStatus && why[call.recordingStatus]) ?? none, { param: "id" });
}

/** The WAV (or the requested part of it) for a call the caller may hear. */
export async function serveRecording(c: Context<AppEnv>, call: CallRow): Promise<Response> {
  const recording = playable(call);
  const res = await recordingResponse(c.env.RECORDINGS, recording.key, recording.bytes, c.req.header("range"), `call-${call.id}.wav`);
  if (res === null) throw new ApiError("not_found", "This call's recording was deleted.", { param: "id" });
  if (res !== "unsatisfiable") return res;
  const message = `The requested range starts past the end of the recording (${recording.bytes} bytes).`;
  return c.json(errorBody("validation_failed", message, "Range", c.get("requestId")), 416, {
    "Content-Range": `bytes */${recording.bytes}`,
    "Accept-Ranges": "bytes",
  });
}

export const getRecordingHandler: RouteHandler<typeof getRecording, AppEnv> = async (c) => {
  const { projectId } = projectCaller(c);
  const call = await findCall(c.get("db"), projectId, c.req.valid("param").id);
  const recording = playable(call);
  const { token, expiresAt } = await issueRecordingToken(c.env, call.id, projectId);
  const origin = new URL(c.req.url).origin;
  return c.json(
    {
      call_id: call.id,
      url: `${origin}/api/v1/calls/${call.id}/recording/stream?token=${encodeURIComponent(token)}`,
      expires_at: new Date(expiresAt * 1000).toISOString(),
      duration_ms: recording.durationMs,
      size_bytes: recording.bytes,
      content_type: WAV_CONTENT_TYPE,
    },
    200,
  );
};

/** With an API key; a `?token=` without one is answered before authentication (recording-token-gate.ts). */
export const streamRecordingHandler: RouteHandler<typeof streamRecording, AppEnv> = async (c) => {
  const call = await findCall(c.get("db"), projectCaller(c).projectId, c.req.valid("param").id);
  return serveRecording(c, call);
};

export const deleteRecordingHandler: RouteHandler<typeof deleteRecording, AppEnv> = async (c) => {
  const call = await findCall(c.get("db"), projectCaller(c).projectId, c.req.valid("param").id);
  if (!call.recordingStatus) throw new ApiError("not_found", "This call has no recording to delete.", { param: "id" });
  if (call.recordingStatus === "recording") {
    throw new ApiError("conflict", "This call is still being recorded; delete the recording once the call has ended.");
  }
  if (call.recordingKey) await c.env.RECORDINGS.delete(call.recordingKey);
  if (call.recordingStatus !== "deleted") await markRecordingDeleted(c.env, call.id);
  return c.body(null, 204);
};
