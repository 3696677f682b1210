import type { RouteHandler } from "@hono/zod-openapi";
import { and, eq } from "drizzle-orm";
import { isTerminal } from "../../calls/call-plan";
import { cancelCall, endCall } from "../../calls/engine";
import { calls } from "../../db/schema";
import type { AppEnv } from "../../lib/app-env";
import { projectCaller } from "../../lib/caller";
import { ApiError } from "../../lib/errors";
import { pageClauses, toPage } from "../../lib/pagination";
import { findCall, present, presentDetail } from "./calls.records";
import type { cancelCallRoute, endCallRoute, getCall, listCalls } from "./calls.routes";

export const listCallsHandler: RouteHandler<typeof listCalls, AppEnv> = async (c) => {
  const { projectId } = projectCaller(c);
  const query = c.req.valid("query");
  const notificationId = query.notification_id ?? query.task_id;
  if (query.notification_id && query.task_id && query.notification_id !== query.task_id) {
    throw new ApiError("validation_failed", "Send notification_id or task_id (the same thing), not two different ids.", { param: "task_id" });
  }
  const page = pageClauses({ createdAt: calls.createdAt, id: calls.id }, query);
  const rows = await c
    .get("db")
    .select()
    .from(calls)
    .where(
      and(
        eq(calls.projectId, projectId),
        page.after,
        notificationId ? eq(calls.notificationId, notificationId) : undefined,
        query.agent_id ? eq(calls.agentId, query.agent_id) : undefined,
        query.status ? eq(calls.status, query.status) : undefined,
      ),
    )
    .orderBy(...page.orderBy)
    .limit(page.limit)
    .offset(page.offset);
  return c.json(toPage(rows, query, present), 200);
};

export const getCallHandler: RouteHandler<typeof getCall, AppEnv> = async (c) => {
  const { projectId } = projectCaller(c);
  const db = c.get("db");
  const row = await findCall(db, projectId, c.req.valid("param").id);
  return c.json(await presentDetail(db, row), 200);
};

/** Both stop a live call; an ended call is refused so a client learns it was already over. */
const stopWith = (stop: (env: Env, callId: string) => Promise<unknown>) =>
  (async (c) => {
    const { projectId } = projectCaller(c);
    const db = c.get("db");
    const row = await findCall(db, projectId, c.req.valid("param").id);
    if (isTerminal(row.status)) throw new ApiError("conflict", `This call has already ended (${row.status.replace("_", " ")}).`);
    await stop(c.env, row.id);
    return c.json(present(await findCall(db, projectId, row.id)), 200);
  }) satisfies RouteHandler<typeof endCallRoute, AppEnv>;

export const endCallHandler: RouteHandler<typeof endCallRoute, AppEnv> = stopWith(endCall);
export const cancelCallHandler: RouteHandler<typeof cancelCallRoute, AppEnv> = stopWith(cancelCall);
