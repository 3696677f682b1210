import { and, eq, isNull } from "drizzle-orm";
import { createMiddleware } from "hono/factory";
import { verifyAccessToken } from "../auth/access-tokens";
import { hashApiKey, looksLikeApiKey, readCredential } from "../auth/credentials";
import type { Db } from "../db/client";
import { apiKeys, memberships, projects, sessions } from "../db/schema";
import type { AppEnv, Caller } from "../lib/app-env";
import { ApiError } from "../lib/errors";
import { nowIso } from "../lib/ids";

const INVALID_KEY = () => new ApiError("invalid_api_key", "The API key is invalid, expired or revoked.");

async function callerFromApiKey(db: Db, env: Env, key: string): Promise<Caller> {
  if (!looksLikeApiKey(key)) throw INVALID_KEY();
  const row = await db
    .select({
      id: apiKeys.id,
      projectId: apiKeys.projectId,
      businessId: apiKeys.businessId,
      expiresAt: apiKeys.expiresAt,
      revokedAt: apiKeys.revokedAt,
      rateLimit: projects.rateLimitPerMinute,
    })
    .from(apiKeys)
    .innerJoin(projects, eq(projects.id, apiKeys.projectId))
    .where(eq(apiKeys.keyHash, await hashApiKey(key)))
    .get();
  if (!row || row.revokedAt || (row.expiresAt && row.expiresAt <= nowIso())) throw INVALID_KEY();
  return {
    kind: "api_key",
    apiKeyId: row.id,
    projectId: row.projectId,
    businessId: row.businessId,
    rateLimitPerMinute: row.rateLimit ?? Number(env.DEFAULT_RATE_LIMIT_PER_MINUTE),
  };
}

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
  const db = c.get("db");
  c.set("caller", credential.kind === "api_key" ? await callerFromApiKey(db, c.env, credential.key) : await callerFromAccessToken(db, c.env, credential.token));
  await next();
});
