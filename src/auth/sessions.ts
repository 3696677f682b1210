import { and, eq, isNull } from "drizzle-orm";
import type { Db } from "../db/client";
import { refreshTokens, sessions } from "../db/schema";
import { ApiError } from "../lib/errors";
import { randomToken, sha256Hex } from "../lib/crypto";
import { newId, nowIso } from "../lib/ids";
import { ACCESS_TOKEN_TTL_SECONDS, issueAccessToken } from "./access-tokens";

export const REFRESH_TOKEN_TTL_SECONDS = 30 * 24 * 60 * 60;

export interface TokenPair {
  access_token: string;
  refresh_token: string;
  token_type: "Bearer";
  expires_in: number;
}

async function newRefreshToken(sessionId: string) {
  const token = `rt_${randomToken()}`;
  const row = {
    id: newId(),
    sessionId,
    tokenHash: await sha256Hex(token),
    expiresAt: new Date(Date.now() + REFRESH_TOKEN_TTL_SECONDS * 1000).toISOString(),
    createdAt: nowIso(),
  };
  return { token, row };
}

async function pair(env: Env, userId: string, businessId: string, sessionId: string, refreshToken: string): Promise<TokenPair> {
  const accessToken = await issueAccessToken(env, { sub: userId, bid: businessId, sid: sessionId });
  return { access_token: accessToken, refresh_token: refreshToken, token_type: "Bearer", expires_in: ACCESS_TOKEN_TTL_SECONDS };
}

/** Starts a session for a user in one business; the statements join the caller's batch. */
export async function prepareSession(env: Env, db: Db, userId: string, businessId: string) {
  const sessionId = newId();
  const { token, row } = await newRefreshToken(sessionId);
  const statements = [
    db.insert(sessions).values({ id: sessionId, userId, businessId, createdAt: nowIso() }),
    db.insert(refreshTokens).values(row),
  ] as const;
  return { statements, tokens: await pair(env, userId, businessId, sessionId, token) };
}

export async function startSession(env: Env, db: Db, userId: string, businessId: string): Promise<TokenPair> {
  const { statements, tokens } = await prepareSession(env, db, userId, businessId);
  await db.batch(statements);
  return tokens;
}

const invalidRefresh = () => new ApiError("invalid_token", "The refresh token is invalid, expired or revoked.", { param: "refresh_token" });

/**
 * Trades a refresh token for a new pair. A token is good once: presenting one that was already
 * rotated means it leaked, so the whole session (every token descended from the login) is revoked.
 */
export async function rotateRefreshToken(env: Env, db: Db, token: string): Promise<TokenPair> {
  const found = await db
    .select({ token: refreshTokens, session: sessions })
    .from(refreshTokens)
    .innerJoin(sessions, eq(sessions.id, refreshTokens.sessionId))
    .where(eq(refreshTokens.tokenHash, await sha256Hex(token)))
    .get();
  if (!found || found.session.revokedAt) throw invalidRefresh();
  if (found.token.usedAt) {
    await revokeSession(db, found.session.id, "refresh_token_reused");
    throw invalidRefresh();
  }
  if (found.token.expiresAt <= nowIso()) throw invalidRefresh();

  const next = await newRefreshToken(found.session.id);
  // Marking the old token used only if nobody beat us to it keeps two racing refreshes honest.
  const [marked] = await db.batch([
    db
      .update(refreshTokens)
      .set({ usedAt: nowIso() })
      .where(and(eq(refreshTokens.id, found.token.id), isNull(refreshTokens.usedAt)))
      .returning({ id: refreshTokens.id }),
    db.insert(refreshTokens).values(next.row),
  ]);
  if (marked.length === 0) {
    await revokeSession(db, found.session.id, "refresh_token_reused");
    throw invalidRefresh();
  }
  return pair(env, found.session.userId, found.session.businessId, found.session.id, next.token);
}

export async function revokeSession(db: Db, sessionId: string, reason: string): Promise<void> {
  await db.update(sessions).set({ revokedAt: nowIso(), revokedReason: reason }).where(and(eq(sessions.id, sessionId), isNull(sessions.revokedAt)));
}

export async function sessionOfRefreshToken(db: Db, token: string): Promise<string | null> {
  const row = await db
    .select({ sessionId: refreshTokens.sessionId })
    .from(refreshTokens)
    .where(eq(refreshTokens.tokenHash, await sha256Hex(token)))
    .get();
  return row?.sessionId ?? null;
}
