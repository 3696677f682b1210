import { and, eq, inArray } from "drizzle-orm";
import type { NotificationRow } from "../../calls/dispatch";
import type { Db } from "../../db/client";
import { notifications } from "../../db/schema";
import { doNotCallReason, isOnDoNotCallList, parseRetryPolicyOverride, type RetryPolicyOverride } from "../../domain/policy";
import { nowIso } from "../../lib/ids";

/** Why this number must not be called (a sentence for `failure_reason`), or null when it may be. */
export async function doNotCallBlock(db: Db, projectId: string, phoneE164: string): Promise<string | null> {
  const match = await isOnDoNotCallList(db, projectId, phoneE164);
  return match ? doNotCallReason(phoneE164, match) : null;
}

/**
 * Marks a notification that has not been called yet as blocked. Guarded on its status, so one
 * claimed by a dispatcher meanwhile is left alone; answers the stored row either way.
 */
export async function blockNotification(db: Db, id: string, reason: string): Promise<NotificationRow | undefined> {
  return db
    .update(notifications)
    .set({ status: "blocked", failureReason: reason, nextAttemptAt: null, waitReason: null, updatedAt: nowIso() })
    .where(and(eq(notifications.id, id), inArray(notifications.status, ["pending", "scheduled"])))
    .returning()
    .get();
}

/** A new override as stored: null when it sets nothing, so the project's policy shows through. */
export const storedOverride = (override: RetryPolicyOverride | null | undefined) => (override && Object.keys(override).length > 0 ? { ...override } : null);

/** An update's override: the fields sent are merged into the current one; null removes it; absent keeps it. */
export function updatedOverride(current: unknown, change: RetryPolicyOverride | null | undefined) {
  if (change === undefined) return undefined;
  if (change === null) return null;
  return storedOverride({ ...parseRetryPolicyOverride(current), ...change });
}
