import { fromBase64Url, hmacSha256, timingSafeEqual, toBase64Url } from "../lib/crypto";

/**
 * The short-lived `session_token` of a live transcript socket: lets a browser watch one call
 * without holding the project's API key. Signed, not stored: `payload.signature`, both base64url.
 */
export const LIVE_TOKEN_TTL_SECONDS = 5 * 60;

export interface LiveGrant {
  callId: string;
  projectId: string;
  /** Epoch seconds. */
  expiresAt: number;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

// A key of its own, so a live token can never pass for any other thing signed with JWT_SECRET.
const signingKey = (env: Env) => hmacSha256(env.JWT_SECRET, "parley/live-transcript-token/v1");

async function sign(env: Env, payload: string): Promise<string> {
  return toBase64Url(await hmacSha256(await signingKey(env), payload));
}

export async function issueLiveToken(env: Env, callId: string, projectId: string, nowMs = Date.now()): Promise<string> {
  const grant: LiveGrant = { callId, projectId, expiresAt: Math.floor(nowMs / 1000) + LIVE_TOKEN_TTL_SECONDS };
  const payload = toBase64Url(encoder.encode(JSON.stringify({ c: grant.callId, p: grant.projectId, e: grant.expiresAt })));
  return `${payload}.${await sign(env, payload)}`;
}

/** The grant of a genuine, unexpired token; null for anything else. */
export async function verifyLiveToken(env: Env, token: string, nowMs = Date.now()): Promise<LiveGrant | null> {
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
