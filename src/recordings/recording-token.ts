import { fromBase64Url, hmacSha256, timingSafeEqual, toBase64Url } from "../lib/crypto";

/**
 * The `token` of a recording's playback URL: lets a browser's `<audio src>` fetch one call's
 * recording without the project's API key. Signed, not stored: `payload.signature`, base64url.
 */
export const RECORDING_TOKEN_TTL_SECONDS = 15 * 60;

export interface RecordingGrant {
  callId: string;
  projectId: string;
  /** Epoch seconds. */
  expiresAt: number;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

// A key of its own, so a recording token can never pass for anything else signed with JWT_SECRET.
const signingKey = (env: Env) => hmacSha256(env.JWT_SECRET, "parley/recording-token/v1");

async function sign(env: Env, payload: string): Promise<string> {
  return toBase64Url(await hmacSha256(await signingKey(env), payload));
}

export async function issueRecordingToken(env: Env, callId: string, projectId: string, nowMs = Date.now()): Promise<{ token: string; expiresAt: number }> {
  const expiresAt = Math.floor(nowMs / 1000) + RECORDING_TOKEN_TTL_SECONDS;
  const payload = toBase64Url(encoder.encode(JSON.stringify({ c: callId, p: projectId, e: expiresAt })));
  return { token: `${payload}.${await sign(env, payload)}`, expiresAt };
}

/** The grant of a genuine, unexpired token; null for anything else. */
export async function verifyRecordingToken(env: Env, token: string, nowMs = Date.now()): Promise<RecordingGrant | null> {
  const [payload, signature, extra] = token.split(".");
  if (!payload || !signature || extra !== undefined || token.length > 1024) return null;
  if (!timingSafeEqual(await sign(env, payload), signature)) return null;
  try {
    const claims = JSON.parse(decoder.decode(fromBase64Url(payload))) as { c?: unknown; p?: unknown; e?: unknown };
    if (typeof claims.c !== "string" || typeof claims.p !== "string" || typeof claims.e !== "number") return null;
    if (claims.e * 1000 <= nowMs) return null;
    return { callId: claims.c, projectId: claims.p, expiresAt: claims.e };
  } catch {
    return null;
  }
}
