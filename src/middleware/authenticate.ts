import { and, eq, isNull } from "drizzle-orm";
import { createMiddleware } from "hono/factory";
import { verifyAccessToken } from "../auth/access-tokens";
import { apiKeyGate } from "../auth/api-key-gate";
import { hashPresentedKey, looksLikeApiKey, readCredential } from "../auth/credentials";
import type { Db } from "../db/client";
import { memberships, sessions } from "../db/schema";
import type { AppEnv, Caller } from "../lib/app-env";
import { ApiError } from "../lib/errors";

const INVALID_KEY = () => new ApiError("invalid_api_key", "The API key is invalid, expired or revoked.");

/** A session token is honoured only while its session stands and its user is still a member. */
async function callerFromAccessToken(db: Db, env: Env, token: string): Promise<Caller> {
  const claims = await verifyAccessToken(env, token);
  if (!claims) throw new ApiError("invalid_token", "The access token is invalid or expired.");
  const row = await db
    .select({ role: memberships.role })
    .from(sessions)
    .innerJoin(memberships, and(eq(memberships.userId, sessions.userId), eq(memberships.businessId, sessions.businessId)))
    .where(and(eq(sessions.id, claims.sid), eq(sessions.userId, claims.sub), eq(sessions.businessId, claims.bid), isNull(sessions.revokedAt)))
    .get();
  if (!row) throw new ApiError("invalid_token", "The session has ended; sign in again.");
  return { kind: "session", userId: claims.sub, businessId: claims.bid, sessionId: claims.sid, role: row.role };
}

export const authenticate = createMiddleware<AppEnv>(async (c, next) => {
  const credential = readCredential(c.req.raw.headers);
  if (!credential) {
    throw new ApiError("unauthenticated", "Send your API key in the x-api-key header (or a session token as Authorization: Bearer).");
  }
  if (credential.kind === "access_token") {
    c.set("caller", await callerFromAccessToken(c.get("db"), c.env, credential.token));
    return next();
  }
  if (!looksLikeApiKey(credential.key)) throw INVALID_KEY();
  const keyHash = await hashPresentedKey(credential.key);
  const admission = await apiKeyGate(c.env, keyHash).admit(keyHash);
  if (!admission.admitted) throw INVALID_KEY();
  c.set("caller", admission.caller);
  c.set("rateLimit", admission.rateLimit);
  c.set("agentsVersion", admission.agentsVersion);
  await next();
});
