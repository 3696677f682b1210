import type { RouteHandler } from "@hono/zod-openapi";
import { and, eq, sql } from "drizzle-orm";
import { forgetApiKeys } from "../../auth/api-key-gate";
import { defaultEnvironment } from "../../config/telephony";
import { apiKeys, projects } from "../../db/schema";
import { findBusinessProject, type ProjectRow } from "../../domain/business-projects";
import { effectiveCallingWindow, effectiveConcurrency, effectiveRetryPolicy, type CallingWindow, type RetryPolicyOverride } from "../../domain/policy";
import { prepareProject } from "../../domain/projects";
import type { AppEnv } from "../../lib/app-env";
import { sessionCaller } from "../../lib/caller";
import { ApiError } from "../../lib/errors";
import { nowIso } from "../../lib/ids";
import { pageClauses, toPage } from "../../lib/pagination";
import type { createProject, deleteProject, getProject, listProjects, updateProject } from "./projects.routes";

export const presentProject = (p: ProjectRow) => ({
  id: p.id,
  business_id: p.businessId,
  name: p.name,
  environment: p.environment,
  rate_limit_per_minute: p.rateLimitPerMinute,
  max_concurrent_calls: p.maxConcurrentCalls,
  retry_policy: (p.retryPolicy as RetryPolicyOverride | null) ?? null,
  calling_window: effectiveCallingWindow(p),
  effective_calling_policy: {
    max_concurrent_calls: effectiveConcurrency(p),
    retry_policy: effectiveRetryPolicy(p),
    calling_window: effectiveCallingWindow(p),
  },
  created_at: p.createdAt,
  updated_at: p.updatedAt,
});

/** The calling-policy columns a request sets; a field left out is unchanged, null resets it. */
function policyChanges(body: { max_concurrent_calls?: number | null; retry_policy?: RetryPolicyOverride | null; calling_window?: CallingWindow | null }) {
  return {
    ...(body.max_concurrent_calls !== undefined && { maxConcurrentCalls: body.max_concurrent_calls }),
    ...(body.retry_policy !== undefined && { retryPolicy: body.retry_policy }),
    ...(body.calling_window !== undefined && { callingWindow: body.calling_window ? { ...body.calling_window } : null }),
  };
}

export const listProjectsHandler: RouteHandler<typeof listProjects, AppEnv> = async (c) => {
  const caller = sessionCaller(c);
  const query = c.req.valid("query");
  const page = pageClauses({ createdAt: projects.createdAt, id: projects.id }, query);
  const rows = await c
    .get("db")
    .select()
    .from(projects)
    .where(and(eq(projects.businessId, caller.businessId), page.after))
    .orderBy(...page.orderBy)
    .limit(page.limit)
    .offset(page.offset);
  return c.json(toPage(rows, query, presentProject), 200);
};

export const createProjectHandler: RouteHandler<typeof createProject, AppEnv> = async (c) => {
  const caller = sessionCaller(c, "admin");
  const body = c.req.valid("json");
  const db = c.get("db");
  const { row: drafted } = prepareProject(db, {
    businessId: caller.businessId,
    name: body.name,
    environment: body.environment ?? defaultEnvironment(c.env),
    rateLimitPerMinute: body.rate_limit_per_minute ?? null,
  });
  const row = { ...drafted, ...policyChanges(body) };
  await db.insert(projects).values(row);
  return c.json(presentProject(row), 201);
};

export const getProjectHandler: RouteHandler<typeof getProject, AppEnv> = async (c) => {
  const caller = sessionCaller(c);
  const { projectId } = c.req.valid("param");
  return c.json(presentProject(await findBusinessProject(c.get("db"), caller.businessId, projectId)), 200);
};

const keyHashesOf = async (db: AppEnv["Variables"]["db"], projectId: string) =>
  (await db.select({ hash: apiKeys.keyHash }).from(apiKeys).where(eq(apiKeys.projectId, projectId))).map((k) => k.hash);

export const updateProjectHandler: RouteHandler<typeof updateProject, AppEnv> = async (c) => {
  const caller = sessionCaller(c, "admin");
  const { projectId } = c.req.valid("param");
  const body = c.req.valid("json");
  const db = c.get("db");
  const current = await findBusinessProject(db, caller.businessId, projectId);
  const changes = {
    ...(body.name !== undefined && { name: body.name }),
    ...(body.environment !== undefined && { environment: body.environment }),
    ...(body.rate_limit_per_minute !== undefined && { rateLimitPerMinute: body.rate_limit_per_minute }),
    ...policyChanges(body),
  };
  if (Object.keys(changes).length === 0) return c.json(presentProject(current), 200);
  const [updated] = await db
    .update(projects)
    .set({ ...changes, updatedAt: nowIso() })
    .where(and(eq(projects.id, projectId), eq(projects.businessId, caller.businessId)))
    .returning();
  // Keys remember their project's limit; make them read it afresh.
  await forgetApiKeys(c.env, await keyHashesOf(db, projectId));
  if (!updated) return c.json(presentProject(await findBusinessProject(db, caller.businessId, projectId)), 200);
  return c.json(presentProject(updated), 200);
};

export const deleteProjectHandler: RouteHandler<typeof deleteProject, AppEnv> = async (c) => {
  const caller = sessionCaller(c, "admin");
  const { projectId } = c.req.valid("param");
  const db = c.get("db");
  await findBusinessProject(db, caller.businessId, projectId);
  const keyHashes = await keyHashesOf(db, projectId);
  // The count is part of the same statement, so two deletes racing cannot remove both of the last two.
  const deleted = await db
    .delete(projects)
    .where(
      and(
        eq(projects.id, projectId),
        eq(projects.businessId, caller.businessId),
        sql`(SELECT count(*) FROM ${projects} WHERE ${projects.businessId} = ${caller.businessId}) > 1`,
      ),
    )
    .returning({ id: projects.id });
  if (deleted.length === 0) {
    await findBusinessProject(db, caller.businessId, projectId);
    throw new ApiError("conflict", "This is the business's last project; create another before deleting it.", { param: "projectId" });
  }
  // The project's keys went with it; they must stop working now, not when a cache expires.
  await forgetApiKeys(c.env, keyHashes);
  return c.body(null, 204);
};
