import { and, eq, lte } from "drizzle-orm";
import { createMiddleware } from "hono/factory";
import { requireSecret } from "../auth/access-tokens";
import type { Db } from "../db/client";
import { idempotencyKeys } from "../db/schema";
import type { AppEnv, Caller } from "../lib/app-env";
import { ApiError } from "../lib/errors";
import { nowIso } from "../lib/ids";
import { fingerprint, seal, unseal } from "./sealed-response";

export const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;
const MAX_KEY_LENGTH = 255;

function scopeOf(caller: Caller | undefined, path: string): string {
  if (!caller) return `anon:${path}`;
  return caller.kind === "api_key" ? `project:${caller.projectId}` : `user:${caller.userId}`;
}

/**
 * Outcomes worth replaying: successes and the conflicts a retry would meet again. Validation,
 * auth and server errors free the key, so the client can fix the request and send it again.
 */
const isReplayable = (status: number) => status < 400 || status === 409 || status === 422;

async function claim(db: Db, scope: string, key: string, requestHash: string): Promise<boolean> {
  const now = Date.now();
  const inserted = await db
    .insert(idempotencyKeys)
    .values({ scope, key, requestHash, createdAt: new Date(now).toISOString(), expiresAt: new Date(now + IDEMPOTENCY_TTL_MS).toISOString() })
    .onConflictDoNothing()
    .returning({ key: idempotencyKeys.key });
  return inserted.length > 0;
}

/**
 * `Idempotency-Key` on any POST, as Stripe does it: the first response is kept 24 hours and
 * replayed for the same key and body; another body under the same key is refused (422), and so
 * is a retry while the first request is still running (409).
 */
export const idempotency = createMiddleware<AppEnv>(async (c, next) => {
  const key = c.req.header("Idempotency-Key");
  if (c.req.method !== "POST" || key === undefined) return next();
  if (key.length === 0 || key.length > MAX_KEY_LENGTH) {
    throw new ApiError("validation_failed", `Idempotency-Key must be 1 to ${MAX_KEY_LENGTH} characters.`, { param: "Idempotency-Key" });
  }
  const db = c.get("db");
  const path = new URL(c.req.url).pathname;
  const scope = scopeOf(c.get("caller"), path);
  const requestHash = await fingerprint(c.req.method, path, await c.req.arrayBuffer());
  const secret = requireSecret(c.env);

  // An expired record is removed first so the key can be claimed afresh.
  await db.delete(idempotencyKeys).where(and(eq(idempotencyKeys.scope, scope), eq(idempotencyKeys.key, key), lte(idempotencyKeys.expiresAt, nowIso())));
  if (!(await claim(db, scope, key, requestHash))) {
    const existing = await db.select().from(idempotencyKeys).where(and(eq(idempotencyKeys.scope, scope), eq(idempotencyKeys.key, key))).get();
    if (!existing) throw new ApiError("idempotency_key_in_use", "A request with this Idempotency-Key was just settled; retry.");
    if (existing.requestHash !== requestHash) {
      throw new ApiError("idempotency_key_reused", "This Idempotency-Key was already used with a different request.", { param: "Idempotency-Key" });
    }
    if (existing.responseStatus === null || existing.responseBody === null) {
      throw new ApiError("idempotency_key_in_use", "A request with this Idempotency-Key is still being processed; retry shortly.", {
        headers: { "Retry-After": "1" },
      });
    }
    const stored = await unseal(secret, scope, key, existing.responseBody);
    const replay = new Response(stored.body, { status: stored.status });
    if (stored.contentType) replay.headers.set("Content-Type", stored.contentType);
    replay.headers.set("Idempotent-Replayed", "true");
    c.res = replay;
    return;
  }

  const where = and(eq(idempotencyKeys.scope, scope), eq(idempotencyKeys.key, key));
  try {
    await next();
  } catch (error) {
    await db.delete(idempotencyKeys).where(where);
    throw error;
  }
  if (!isReplayable(c.res.status)) {
    await db.delete(idempotencyKeys).where(where);
    return;
  }
  const body = await c.res.clone().text();
  const responseBody = await seal(secret, scope, key, { status: c.res.status, contentType: c.res.headers.get("Content-Type"), body });
  await db.update(idempotencyKeys).set({ responseStatus: c.res.status, responseBody }).where(where);
});
