import { fromBase64Url, hmacSha256, timingSafeEqual, toBase64Url } from "./crypto";

/**
 * Short-lived tokens that open one thing of one call without the project's API key (a live
 * transcript socket, a recording's playback link). Signed, not stored: `payload.signature`, both
 * base64url. Each purpose signs with a key of its own, derived from JWT_SECRET, so a token made
 * for one purpose never passes for another.
 */
export interface CallGrant {
  callId: string;
  projectId: string;
  /** Epoch seconds. */
  expiresAt: number;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export function callGrants(purpose: string, ttlSeconds: number) {
  const sign = async (env: Env, payload: string) => toBase64Url(await hmacSha256(await hmacSha256(env.JWT_SECRET, purpose), payload));

  return {
    async issue(env: Env, callId: string, projectId: string, nowMs = Date.now()): Promise<{ token: string; expiresAt: number }> {
      const expiresAt = Math.floor(nowMs / 1000) + ttlSeconds;
      const payload = toBase64Url(encoder.encode(JSON.stringify({ c: callId, p: projectId, e: expiresAt })));
      return { token: `${payload}.${await sign(env, payload)}`, expiresAt };
    },

    /** The grant of a genuine, unexpired token; null for anything else. */
    async verify(env: Env, token: string, nowMs = Date.now()): Promise<CallGrant | null> {
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
    },
  };
}
