import { DurableObject } from "cloudflare:workers";
import { and, asc, desc, eq, lte, min } from "drizzle-orm";
import { dispatchNotification } from "../calls/dispatch";
import { createDb, type Db } from "../db/client";
import { notifications } from "../db/schema";
import { ApiError } from "../lib/errors";
import { nowIso } from "../lib/ids";

/** How many due notifications one alarm starts before re-arming, so each run stays short. */
const BATCH = 25;

/** Due scheduled notifications of a project, in the order they are called: priority, then oldest. */
export async function dueNotificationIds(db: Db, projectId: string, now: string, limit = BATCH): Promise<string[]> {
  const rows = await db
    .select({ id: notifications.id })
    .from(notifications)
    .where(and(eq(notifications.projectId, projectId), eq(notifications.status, "scheduled"), lte(notifications.scheduledAt, now)))
    .orderBy(desc(notifications.priority), asc(notifications.createdAt), asc(notifications.id))
    .limit(limit);
  return rows.map((row) => row.id);
}

async function nextDueAt(db: Db, projectId: string): Promise<string | null> {
  const row = await db
    .select({ at: min(notifications.scheduledAt) })
    .from(notifications)
    .where(and(eq(notifications.projectId, projectId), eq(notifications.status, "scheduled")))
    .get();
  return row?.at ?? null;
}

/**
 * One per project (`idFromName(projectId)`): starts the project's scheduled notifications when
 * they fall due. D1 is the source of truth for what is due, the alarm (persisted by the runtime)
 * only says when to look, so a restart loses nothing, and `dispatchNotification`'s guarded
 * update means a notification is never called twice even if two alarms overlap.
 */
export class ProjectDispatcher extends DurableObject<Env> {
  /** Makes sure the alarm fires no later than `atIso`. */
  async wake(projectId: string, atIso: string): Promise<void> {
    await this.ctx.storage.put("projectId", projectId);
    const at = Math.max(Date.parse(atIso), Date.now());
    const current = await this.ctx.storage.getAlarm();
    if (current === null || at < current) await this.ctx.storage.setAlarm(at);
  }

  override async alarm(): Promise<void> {
    const projectId = await this.ctx.storage.get<string>("projectId");
    if (!projectId) return;
    const db = createDb(this.env.DB);
    const due = await dueNotificationIds(db, projectId, nowIso());
    for (const id of due) await this.start(db, id);

    const next = due.length === BATCH ? nowIso() : await nextDueAt(db, projectId);
    if (next) await this.ctx.storage.setAlarm(Math.max(Date.parse(next), Date.now()));
  }

  private async start(db: Db, id: string) {
    try {
      await dispatchNotification(this.env, db, id);
    } catch (error) {
      // Taken by someone else (a manual execute, a cancel) between the query and the claim.
      if (error instanceof ApiError && error.code === "conflict") return;
      // Could not even be claimed (no phone left, no credentials): fail it visibly instead of retrying forever.
      const reason = error instanceof Error ? error.message : String(error);
      await db
        .update(notifications)
        .set({ status: "failed", failureReason: `The scheduled call could not be started: ${reason}`, updatedAt: nowIso() })
        .where(and(eq(notifications.id, id), eq(notifications.status, "scheduled")));
    }
  }
}

/** Asks the project's dispatcher to look again no later than `atIso`. */
export function wakeDispatcher(env: Env, projectId: string, atIso: string): Promise<void> {
  return env.PROJECT_DISPATCHER.get(env.PROJECT_DISPATCHER.idFromName(projectId)).wake(projectId, atIso);
}
