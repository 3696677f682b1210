import { and, eq, inArray } from "drizzle-orm";
import type { Db } from "../db/client";
import { notifications, type projects } from "../db/schema";
import { callingWindowDecision, doNotCallReason, effectiveCallingWindow, isOnDoNotCallList } from "../domain/policy";
import { nowIso } from "../lib/ids";

type ProjectPolicy = Pick<typeof projects.$inferSelect, "id" | "callingWindow">;

/** Why a notification is not dialled right now, checked just before dialling. */
export type Hold =
  | { kind: "blocked"; reason: string }
  | { kind: "outside_window"; until: Date | null; reason: string }
  | { kind: "no_slot"; reason: string };

/**
 * The checks that may stop a call that is otherwise ready, in order: the do-not-call list (for
 * good), then the recipient's calling window (until it opens). They run again on every attempt,
 * because the list and the clock change while a notification waits.
 */
export async function policyHold(db: Db, project: ProjectPolicy, customerTimezone: string | null, to: string, reachesPeople: boolean, now = new Date()): Promise<Hold | null> {
  const listed = await isOnDoNotCallList(db, project.id, to);
  if (listed) return { kind: "blocked", reason: doNotCallReason(to, listed) };
  const decision = callingWindowDecision({ window: effectiveCallingWindow(project), customerTimezone, phone: to, now, reachesPeople });
  if (decision.allowed) return null;
  return { kind: "outside_window", until: decision.nextAllowedAt, reason: decision.reason };
}

export const noSlotHold = (limit: number): Hold => ({
  kind: "no_slot",
  reason: `All ${limit} of the project's call slots are in use (max_concurrent_calls); it starts as soon as one frees up, in priority order.`,
});

const WAITING = ["pending", "scheduled"] as const;

/**
 * Applies a hold to a notification that is still pending or scheduled: blocked for good, or
 * scheduled for when it may try again (now, for a free slot: its dispatcher starts it then).
 */
export async function applyHold(db: Db, notificationId: string, hold: Hold): Promise<void> {
  const now = nowIso();
  const guard = and(eq(notifications.id, notificationId), inArray(notifications.status, WAITING));
  if (hold.kind === "blocked") {
    await db
      .update(notifications)
      .set({ status: "blocked", failureReason: hold.reason, waitReason: null, nextAttemptAt: null, updatedAt: now })
      .where(guard);
  } else if (hold.kind === "outside_window" && hold.until === null) {
    await db
      .update(notifications)
      .set({ status: "failed", failureReason: hold.reason, waitReason: null, nextAttemptAt: null, updatedAt: now })
      .where(guard);
  } else {
    const at = hold.kind === "outside_window" && hold.until ? hold.until.toISOString() : now;
    await db
      .update(notifications)
      .set({ status: "scheduled", scheduledAt: at, nextAttemptAt: at, waitReason: hold.reason, updatedAt: now })
      .where(guard);
  }
}
