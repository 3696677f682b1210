import { type CallGrant, callGrants } from "../lib/call-grants";

/** The `token` of a recording's playback URL: lets a browser's `<audio src>` fetch one call's recording. */
export const RECORDING_TOKEN_TTL_SECONDS = 15 * 60;

export type RecordingGrant = CallGrant;

const grants = callGrants("parley/recording-token/v1", RECORDING_TOKEN_TTL_SECONDS);

export const issueRecordingToken = (env: Env, callId: string, projectId: string, nowMs = Date.now()) => grants.issue(env, callId, projectId, nowMs);

export const verifyRecordingToken = (env: Env, token: string, nowMs = Date.now()): Promise<RecordingGrant | null> => grants.verify(env, token, nowMs);
