import { and, eq, isNull } from "drizzle-orm";
import type { Db } from "../db/client";
import { webhookEndpoints } from "../db/schema";
import { nowIso } from "../lib/ids";

/**
 * An endpoint whose deliveries have failed, with no success in between, for this long is switched
 * off: retries to it would only pile up, and the owner sees why on the endpoint itself.
 */
export const DISABLE_AFTER_FAILING_DAYS = 5;
const DISABLE_AFTER_MS = DISABLE_AFTER_FAILING_DAYS * 86_400_000;

type Endpoint = Pick<typeof webhookEndpoints.$inferSelect, "id" | "failingSince">;

/** A success ends a failing streak. */
export async function recordSuccess(db: Db, endpoint: Endpoint): Promise<void> {
  if (endpoint.failingSince === null) return;
  await db.update(webhookEndpoints).set({ failingSince: null }).where(eq(webhookEndpoints.id, endpoint.id));
}

/**
 * Starts the failing streak, or, when it has lasted long enough, disables the endpoint.
 * Answers whether it was disabled now.
 */
export async function recordFailure(db: Db, endpoint: Endpoint, at: string): Promise<boolean> {
  if (endpoint.failingSince === null) {
    await db.update(webhookEndpoints).set({ failingSince: at }).where(and(eq(webhookEndpoints.id, endpoint.id), isNull(webhookEndpoints.failingSince)));
    return false;
  }
  if (Date.parse(at) - Date.parse(endpoint.failingSince) < DISABLE_AFTER_MS) return false;
  // Only if no success cleared the streak since it was read.
  const disabled = await db
    .update(webhookEndpoints)
    .set({ enabled: false, disabledReason: failingReason(endpoint.failingSince), updatedAt: nowIso() })
    .where(and(eq(webhookEndpoints.id, endpoint.id), eq(webhookEndpoints.failingSince, endpoint.failingSince), eq(webhookEndpoints.enabled, true)))
    .returning({ id: webhookEndpoints.id });
  return disabled.length > 0;
}

export const failingReason = (since: string) =>
  `Every delivery since ${since} failed, for more than ${DISABLE_AFTER_FAILING_DAYS} days. Fix the receiver, then enable the endpoint again (PATCH with {"enabled": true}).`;

export async function disableEndpoint(db: Db, endpointId: string, reason: string): Promise<void> {
  await db.update(webhookEndpoints).set({ enabled: false, disabledReason: reason, updatedAt: nowIso() }).where(eq(webhookEndpoints.id, endpointId));
}
