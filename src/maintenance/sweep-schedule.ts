import { and, eq, lte } from "drizzle-orm";
import { createDb } from "../db/client";
import { notifications } from "../db/schema";
import { wakeDispatcher } from "../dispatch/project-dispatcher";
import { nowIso } from "../lib/ids";

/**
 * Every minute: any project with a scheduled notification already due gets its dispatcher
 * woken. The dispatchers' own alarms normally do this; the sweep covers a wake-up that was lost.
 */
export async function wakeOverdueDispatchers(env: Env): Promise<void> {
  const now = nowIso();
  const due = await createDb(env.DB)
    .selectDistinct({ projectId: notifications.projectId })
    .from(notifications)
    .where(and(eq(notifications.status, "scheduled"), lte(notifications.scheduledAt, now)));
  await Promise.all(due.map((row) => wakeDispatcher(env, row.projectId, now)));
}
