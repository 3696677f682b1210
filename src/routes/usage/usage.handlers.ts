import type { RouteHandler } from "@hono/zod-openapi";
import { and, count, eq, gt, lte } from "drizzle-orm";
import type { AppEnv } from "../../lib/app-env";
import { notifications, projects } from "../../db/schema";
import { projectUsage } from "../../dispatch/project-dispatcher";
import { effectiveConcurrency } from "../../domain/policy";
import { projectCaller } from "../../lib/caller";
import { nowIso } from "../../lib/ids";
import type { getUsage } from "./usage.routes";

export const getUsageHandler: RouteHandler<typeof getUsage, AppEnv> = async (c) => {
  const { projectId } = projectCaller(c);
  const db = c.get("db");
  const now = nowIso();
  const scheduled = (when: ReturnType<typeof lte>) =>
    db.select({ n: count() }).from(notifications).where(and(eq(notifications.projectId, projectId), eq(notifications.status, "scheduled"), when)).get();
  const [project, usage, due, later] = await Promise.all([
    db.select({ maxConcurrentCalls: projects.maxConcurrentCalls }).from(projects).where(eq(projects.id, projectId)).get(),
    projectUsage(c.env, projectId),
    scheduled(lte(notifications.scheduledAt, now)),
    scheduled(gt(notifications.scheduledAt, now)),
  ]);
  return c.json(
    {
      max_concurrent_calls: effectiveConcurrency({ maxConcurrentCalls: project?.maxConcurrentCalls ?? null }),
      active_calls: usage.active.length,
      calls: usage.active.map((lease) => ({ call_id: lease.callId, slot_expires_at: new Date(lease.expiresAt).toISOString() })),
      waiting: due?.n ?? 0,
      scheduled: later?.n ?? 0,
    },
    200,
  );
};
