import { sign, verify } from "hono/jwt";

/** Access tokens are short-lived JWTs; the session they name is checked on every use. */
export const ACCESS_TOKEN_TTL_SECONDS = 15 * 60;

export interface AccessClaims {
  sub: string;
  bid: string;
  sid: string;
}

export function requireSecret(env: Env): string {
  if (!env.JWT_SECRET || env.JWT_SECRET.length < 16) {
    throw new Error("JWT_SECRET is not set (or shorter than 16 characters): set it with `wrangler secret put JWT_SECRET`.");
  }
  return env.JWT_SECRET;
}

export async function issueAccessToken(env: Env, claims: AccessClaims): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return sign({ ...claims, typ: "access", iat: now, exp: now + ACCESS_TOKEN_TTL_SECONDS }, requireSecret(env), "HS256");
}

/** Returns the claims, or null for anything forged, expired or malformed. */
export async function verifyAccessToken(env: Env, token: string): Promise<AccessClaims | null> {
  try {
    const payload = await verify(token, requireSecret(env), "HS256");
    if (payload.typ !== "access" || typeof payload.sub !== "string" || typeof payload.bid !== "string" || typeof payload.sid !== "string") {
      return null;
    }
    return { sub: payload.sub, bid: payload.bid, sid: payload.sid };
  } catch {
    return null;
  }
}
