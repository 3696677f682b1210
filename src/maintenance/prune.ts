import { lte } from "drizzle-orm";
import { createDb } from "../db/client";
import { idempotencyKeys, refreshTokens } from "../db/schema";
import { nowIso } from "../lib/ids";

/** Hourly: forget idempotency records past their 24 hours and refresh tokens past expiry. */
export async function pruneExpiredRecords(env: Env): Promise<void> {
  const db = createDb(env.DB);
  const now = nowIso();
  await db.batch([db.delete(idempotencyKeys).where(lte(idempotencyKeys.expiresAt, now)), db.delete(refreshTokens).where(lte(refreshTokens.expiresAt, now))]);
}
