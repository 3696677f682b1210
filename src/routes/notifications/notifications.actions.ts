import type { RouteHandler } from "@hono/zod-openapi";
import { and, eq, inArray } from "drizzle-orm";
import { dispatchNotification, phoneToCall } from "../../calls/dispatch";
import { cancelCall } from "../../calls/engine";
import { notifications } from "../../db/schema";
import type { AppEnv } from "../../lib/app-env";
import { projectCaller } from "../../lib/caller";
import { ApiError } from "../../lib/errors";
import { nowIso } from "../../lib/ids";
import { blockNotification, doNotCallBlock } from "./notifications.policy";
import { findNotification, present, projectPolicyOf } from "./notifications.records";
import type { cancelNotification, executeNotification, resetNotification } from "./notifications.routes";

const describe = (status: string) => status.replace("_", " ");

export const executeNotificationHandler: RouteHandler<typeof executeNotification, AppEnv> = async (c) => {
  const { projectId } = projectCaller(c);
  const db = c.get("db");
  const row = await findNotification(db, projectId, c.req.valid("param").id);
  if (row.status !== "pending") {
    const hint = row.status === "scheduled" ? " It will be called at its scheduled_at; reset it first to call it on demand." : " Reset it first to call again.";
    throw new ApiError("conflict", `This notification is ${describe(row.status)}; only pending notifications can be executed.${hint}`);
  }
  const project = await projectPolicyOf(db, projectId);
  // A number listed since creation (or a blocked notification reset) is blocked again, not called.
  const to = await phoneToCall(db, row.customerId, row.targetPhone);
  const blockedBecause = to ? await doNotCallBlock(db, projectId, to) : null;
  if (blockedBecause) {
    const blocked = (await blockNotification(db, row.id, blockedBecause)) ?? (await findNotification(db, projectId, row.id));
    return c.json({ notification: present(blocked, project), call: null }, 200);
  }
  const { notification, call } = await dispatchNotification(c.env, db, row.id);
  // Held by the calling policy (outside the window, no free slot, listed): no call yet, the notification says why.
  return c.json({ notification: present(notification, project), call: call && { callId: call.id, status: call.status } }, 200);
};

export const resetNotificationHandler: RouteHandler<typeof resetNotification, AppEnv> = async (c) => {
  const { projectId } = projectCaller(c);
  const db = c.get("db");
  const row = await findNotification(db, projectId, c.req.valid("param").id);
  const refuse = (status: string) =>
    new ApiError(
      "conflict",
      status === "pending"
        ? "This notification is already pending."
        : `This notification is ${describe(status)}; wait for its call to end, or cancel it, before resetting it.`,
    );
  if (row.status === "pending" || row.status === "in_progress") throw refuse(row.status);
  // The result and failure belong to the attempt being discarded; past calls stay listed.
  const updated = await db
    .update(notifications)
    .set({ status: "pending", scheduledAt: null, failureReason: null, callResult: null, nextAttemptAt: null, waitReason: null, updatedAt: nowIso() })
    .where(and(eq(notifications.id, row.id), eq(notifications.status, row.status)))
    .returning()
    .get();
  if (!updated) throw refuse((await findNotification(db, projectId, row.id)).status);
  return c.json({ notification: present(updated, await projectPolicyOf(db, projectId)), call: null }, 200);
};

export const cancelNotificationHandler: RouteHandler<typeof cancelNotification, AppEnv> = async (c) => {
  const { projectId } = projectCaller(c);
  const db = c.get("db");
  const row = await findNotification(db, projectId, c.req.valid("param").id);
  const finished = (status: string) => new ApiError("conflict", `This notification is already ${describe(status)}; there is nothing to cancel.`);

  if (row.status === "pending" || row.status === "scheduled") {
    const updated = await db
      .update(notifications)
      .set({ status: "canceled", updatedAt: nowIso() })
      .where(and(eq(notifications.id, row.id), inArray(notifications.status, ["pending", "scheduled"])))
      .returning()
      .get();
    if (!updated) throw new ApiError("conflict", "This notification was dispatched while it was being canceled. Cancel it again to stop the call.");
    return c.json({ notification: present(updated, await projectPolicyOf(db, projectId)), call: null }, 200);
  }
  if (row.status !== "in_progress" || !row.lastCallId) throw finished(row.status);

  const snapshot = await cancelCall(c.env, row.lastCallId);
  // The call session closes the notification itself when the call ends; this covers a call that
  // was still being set up, and is a no-op when it already did.
  await db
    .update(notifications)
    .set({ status: "canceled", updatedAt: nowIso() })
    .where(and(eq(notifications.id, row.id), eq(notifications.status, "in_progress")));
  const current = await findNotification(db, projectId, row.id);
  if (current.status === "completed") throw finished(current.status);
  return c.json({ notification: present(current, await projectPolicyOf(db, projectId)), call: { callId: row.lastCallId, status: snapshot.status } }, 200);
};
