import { type CallGrant, callGrants } from "../lib/call-grants";

/** The short-lived `session_token` of a live transcript socket: lets a browser watch one call. */
export const LIVE_TOKEN_TTL_SECONDS = 5 * 60;

export type LiveGrant = CallGrant;

const grants = callGrants("parley/live-transcript-token/v1", LIVE_TOKEN_TTL_SECONDS);

export async function issueLiveToken(env: Env, callId: string, projectId: string, nowMs = Date.now()): Promise<string> {
  return (await grants.issue(env, callId, projectId, nowMs)).token;
}

export const verifyLiveToken = (env: Env, token: string, nowMs = Date.now()): Promise<LiveGrant | null> => grants.verify(env, token, nowMs);
