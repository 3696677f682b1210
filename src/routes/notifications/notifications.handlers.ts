import type { RouteHandler } from "@hono/zod-openapi";
import { and, eq, gte, inArray, lt } from "drizzle-orm";
import { dispatchNotification, type NotificationRow, projectEnvironment } from "../../calls/dispatch";
import { carrierFor } from "../../calls/providers";
import { notifications } from "../../db/schema";
import type { ScriptOverrides } from "../../domain/call-script";
import { wakeDispatcher } from "../../dispatch/project-dispatcher";
import type { AppEnv } from "../../lib/app-env";
import { projectCaller } from "../../lib/caller";
import { ApiError } from "../../lib/errors";
import { newId, nowIso } from "../../lib/ids";
import { pageClauses, toPage } from "../../lib/pagination";
import { callsOf, present as presentCall } from "../calls/calls.records";
import { doNotCallBlock, storedOverride, updatedOverride } from "./notifications.policy";
import { findNotification, futureInstant, prepareScript, present, projectPolicyOf, variablesAsText } from "./notifications.records";
import type { createNotification, deleteNotification, getNotification, listNotifications, updateNotification } from "./notifications.routes";

const EDITABLE = ["pending", "scheduled"] as const;
const DELETABLE = ["pending", "failed", "blocked"] as const;

const messageRequired = () =>
  new ApiError("validation_failed", "Invalid 'message': required when agent_id is omitted (the LLM path), so Parley knows what to say.", { param: "message" });

const notEditable = (status: string) =>
  new ApiError("conflict", `This notification is ${status.replace("_", " ")}; only pending or scheduled notifications can be changed.`);

export const createNotificationHandler: RouteHandler<typeof createNotification, AppEnv> = async (c) => {
  const scope = projectCaller(c);
  const body = c.req.valid("json");
  const db = c.get("db");
  const agentId = body.agent_id ?? null;
  const message = body.message ?? "";
  if (!agentId && !message.trim()) throw messageRequired();
  const scheduledAt = futureInstant(body.scheduled_at);
  // A live project that cannot place calls is refused before anything is stored.
  carrierFor(c.env, await projectEnvironment(db, scope.projectId));

  const overrides: ScriptOverrides = body.starting_message === undefined ? {} : { starting_message: body.starting_message };
  const variables = variablesAsText(body.variables);
  const context = body.context ?? null;
  const prepared = await prepareScript(
    db,
    scope,
    { customerId: body.customer_id, agentId, preferredPhone: null },
    { message, context, variables, collectFeedback: body.collect_feedback, overrides },
  );

  // A listed number is stored as blocked (so the client sees why) and never called.
  const blockedBecause = await doNotCallBlock(db, scope.projectId, prepared.targetPhone);

  const now = nowIso();
  const row: NotificationRow = {
    id: newId(),
    projectId: scope.projectId,
    agentId,
    customerId: body.customer_id,
    status: blockedBecause ? "blocked" : scheduledAt ? "scheduled" : "pending",
    source: "notification",
    channel: "call",
    name: body.name ?? null,
    description: body.description ?? null,
    targetPhone: prepared.targetPhone,
    message,
    context,
    variables,
    collectFeedback: body.collect_feedback,
    maxDurationSeconds: body.max_duration_seconds,
    overrides: Object.keys(overrides).length > 0 ? { ...overrides } : null,
    instructions: prepared.instructions,
    greeting: prepared.greeting,
    promptTemplate: prepared.promptTemplate,
    priority: body.priority,
    scheduledAt,
    webhookUrl: body.webhook_url ?? null,
    webhookEvents: body.webhook_events ?? null,
    callResult: null,
    attempts: 0,
    lastCallId: null,
    failureReason: blockedBecause,
    retryPolicy: storedOverride(body.retry_policy),
    nextAttemptAt: null,
    waitReason: null,
    transferNumber: body.transfer_number ?? null,
    createdAt: now,
    updatedAt: now,
  };
  await db.insert(notifications).values(row);
  const project = await projectPolicyOf(db, scope.projectId);

  if (blockedBecause) return c.json({ notification: present(row, project), call: null }, 201);
  if (scheduledAt) await wakeDispatcher(c.env, scope.projectId, scheduledAt);
  if (scheduledAt || body.dispatch === "manual") return c.json({ notification: present(row, project), call: null }, 201);
  const { notification, call } = await dispatchNotification(c.env, db, row.id);
  // Held by the calling policy (outside the window, no free slot, listed): no call yet, the notification says why.
  return c.json({ notification: present(notification, project), call: call && { callId: call.id, status: call.status } }, 201);
};

export const listNotificationsHandler: RouteHandler<typeof listNotifications, AppEnv> = async (c) => {
  const { projectId } = projectCaller(c);
  const query = c.req.valid("query");
  const page = pageClauses({ createdAt: notifications.createdAt, id: notifications.id }, query);
  const rows = await c
    .get("db")
    .select()
    .from(notifications)
    .where(
      and(
        eq(notifications.projectId, projectId),
        page.after,
        query.status ? eq(notifications.status, query.status) : undefined,
        query.agent_id ? eq(notifications.agentId, query.agent_id) : undefined,
        query.customer_id ? eq(notifications.customerId, query.customer_id) : undefined,
        query.created_after ? gte(notifications.createdAt, new Date(query.created_after).toISOString()) : undefined,
        query.created_before ? lt(notifications.createdAt, new Date(query.created_before).toISOString()) : undefined,
      ),
    )
    .orderBy(...page.orderBy)
    .limit(page.limit)
    .offset(page.offset);
  const project = await projectPolicyOf(c.get("db"), projectId);
  return c.json(toPage(rows, query, (row) => present(row, project)), 200);
};

export const getNotificationHandler: RouteHandler<typeof getNotification, AppEnv> = async (c) => {
  const { projectId } = projectCaller(c);
  const db = c.get("db");
  const row = await findNotification(db, projectId, c.req.valid("param").id);
  const attempts = await callsOf(db, row.id);
  return c.json({ ...present(row, await projectPolicyOf(db, projectId)), calls: attempts.map(presentCall) }, 200);
};

export const updateNotificationHandler: RouteHandler<typeof updateNotification, AppEnv> = async (c) => {
  const scope = projectCaller(c);
  const body = c.req.valid("json");
  const db = c.get("db");
  if (Object.keys(body).length === 0) throw new ApiError("validation_failed", "Send at least one field to change.");
  const row = await findNotification(db, scope.projectId, c.req.valid("param").id);
  if (!(EDITABLE as readonly string[]).includes(row.status)) throw notEditable(row.status);

  const message = body.message ?? row.message;
  if (!row.agentId && !message.trim()) throw messageRequired();
  const scheduledAt = body.scheduled_at === undefined ? row.scheduledAt : futureInstant(body.scheduled_at);
  const retryPolicy = updatedOverride(row.retryPolicy, body.retry_policy);
  const overrides = { ...((row.overrides ?? {}) as ScriptOverrides) };
  if (body.starting_message !== undefined) overrides.starting_message = body.starting_message;
  const customerId = body.customer_id ?? row.customerId;
  const variables = body.variables === undefined ? (row.variables ?? {}) : variablesAsText(body.variables);
  const context = body.context === undefined ? row.context : body.context;
  const collectFeedback = body.collect_feedback ?? row.collectFeedback;
  const prepared = await prepareScript(
    db,
    scope,
    { customerId, agentId: row.agentId, preferredPhone: customerId === row.customerId ? row.targetPhone : null },
    { message, context, variables, collectFeedback, overrides },
  );
  // The number may have been listed since creation, or the customer changed to a listed one.
  const blockedBecause = await doNotCallBlock(db, scope.projectId, prepared.targetPhone);
  const status = blockedBecause ? "blocked" : body.scheduled_at === undefined ? row.status : scheduledAt ? "scheduled" : "pending";

  const updated = await db
    .update(notifications)
    .set({
      customerId,
      status,
      ...(blockedBecause && { failureReason: blockedBecause }),
      ...(retryPolicy !== undefined && { retryPolicy }),
      message,
      context,
      variables,
      collectFeedback,
      overrides: Object.keys(overrides).length > 0 ? overrides : null,
      scheduledAt,
      targetPhone: prepared.targetPhone,
      instructions: prepared.instructions,
      greeting: prepared.greeting,
      ...(body.max_duration_seconds !== undefined && { maxDurationSeconds: body.max_duration_seconds }),
      ...(body.name !== undefined && { name: body.name }),
      ...(body.description !== undefined && { description: body.description }),
      ...(body.priority !== undefined && { priority: body.priority }),
      ...(body.webhook_url !== undefined && { webhookUrl: body.webhook_url }),
      ...(body.webhook_events !== undefined && { webhookEvents: body.webhook_events }),
      ...(body.transfer_number !== undefined && { transferNumber: body.transfer_number }),
      updatedAt: nowIso(),
    })
    .where(and(eq(notifications.id, row.id), inArray(notifications.status, EDITABLE)))
    .returning()
    .get();
  // Dispatched (or canceled) between the read and the write: the change would come too late.
  if (!updated) throw notEditable((await findNotification(db, scope.projectId, row.id)).status);
  if (updated.status === "scheduled" && updated.scheduledAt && updated.scheduledAt !== row.scheduledAt) {
    await wakeDispatcher(c.env, scope.projectId, updated.scheduledAt);
  }
  return c.json(present(updated, await projectPolicyOf(db, scope.projectId)), 200);
};

export const deleteNotificationHandler: RouteHandler<typeof deleteNotification, AppEnv> = async (c) => {
  const { projectId } = projectCaller(c);
  const db = c.get("db");
  const row = await findNotification(db, projectId, c.req.valid("param").id);
  const refuse = (status: string) =>
    new ApiError("conflict", `This notification is ${status.replace("_", " ")}; only pending, failed or blocked notifications can be deleted. Cancel it instead.`);
  if (!(DELETABLE as readonly string[]).includes(row.status)) throw refuse(row.status);
  const deleted = await db
    .delete(notifications)
    .where(and(eq(notifications.id, row.id), inArray(notifications.status, DELETABLE)))
    .returning({ id: notifications.id });
  if (deleted.length === 0) throw refuse((await findNotification(db, projectId, row.id)).status);
  return c.body(null, 204);
};
