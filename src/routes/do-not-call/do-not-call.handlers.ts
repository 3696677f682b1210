import type { RouteHandler } from "@hono/zod-openapi";
import { and, eq, like } from "drizzle-orm";
import { doNotCallEntries } from "../../db/schema";
import { toE164 } from "../../domain/phone-numbers";
import { addToDoNotCallList, type DoNotCallEntry, importToDoNotCallList, removeFromDoNotCallList } from "../../domain/policy";
import type { AppEnv } from "../../lib/app-env";
import { projectCaller } from "../../lib/caller";
import { ApiError } from "../../lib/errors";
import { pageClauses, toPage } from "../../lib/pagination";
import type { addDoNotCall, deleteDoNotCall, getDoNotCall, importDoNotCall, listDoNotCall } from "./do-not-call.routes";

export const present = (entry: DoNotCallEntry) => ({
  id: entry.id,
  phone: entry.phone,
  reason: entry.reason,
  source: entry.source,
  call_id: entry.callId,
  created_at: entry.createdAt,
});

const notListed = () => new ApiError("not_found", "This number is not on the project's do-not-call list.", { param: "phone" });

/** The path's number in E.164; a malformed one is named rather than reported as absent. */
function pathPhone(raw: string): string {
  const phone = toE164(raw);
  if (!phone) throw new ApiError("validation_failed", `Invalid 'phone': "${raw}" is not a valid phone number. Use E.164 and URL-encode the plus (%2B14155552671).`, { param: "phone" });
  return phone;
}

export const addDoNotCallHandler: RouteHandler<typeof addDoNotCall, AppEnv> = async (c) => {
  const { projectId } = projectCaller(c);
  const body = c.req.valid("json");
  const { entry, created } = await addToDoNotCallList(c.get("db"), projectId, body.phone, { reason: body.reason ?? null, source: "api" });
  return created ? c.json(present(entry), 201) : c.json(present(entry), 200);
};

export const importDoNotCallHandler: RouteHandler<typeof importDoNotCall, AppEnv> = async (c) => {
  const { projectId } = projectCaller(c);
  const body = c.req.valid("json");
  return c.json(await importToDoNotCallList(c.get("db"), projectId, body.phones, { reason: body.reason ?? null, source: "import" }), 200);
};

export const listDoNotCallHandler: RouteHandler<typeof listDoNotCall, AppEnv> = async (c) => {
  const { projectId } = projectCaller(c);
  const query = c.req.valid("query");
  const prefix = query.phone?.replace(/[\s().-]/g, "");
  if (prefix !== undefined && !/^\+\d{1,15}$/.test(prefix)) {
    throw new ApiError("validation_failed", "Invalid 'phone': send an E.164 number or its beginning, such as +1415.", { param: "phone" });
  }
  const page = pageClauses({ createdAt: doNotCallEntries.createdAt, id: doNotCallEntries.id }, query);
  const rows = await c
    .get("db")
    .select()
    .from(doNotCallEntries)
    .where(and(eq(doNotCallEntries.projectId, projectId), prefix ? like(doNotCallEntries.phone, `${prefix}%`) : undefined, page.after))
    .orderBy(...page.orderBy)
    .limit(page.limit)
    .offset(page.offset);
  return c.json(toPage(rows, query, present), 200);
};

export const getDoNotCallHandler: RouteHandler<typeof getDoNotCall, AppEnv> = async (c) => {
  const { projectId } = projectCaller(c);
  const phone = pathPhone(c.req.valid("param").phone);
  const entry = await c
    .get("db")
    .select()
    .from(doNotCallEntries)
    .where(and(eq(doNotCallEntries.projectId, projectId), eq(doNotCallEntries.phone, phone)))
    .get();
  if (!entry) throw notListed();
  return c.json(present(entry), 200);
};

export const deleteDoNotCallHandler: RouteHandler<typeof deleteDoNotCall, AppEnv> = async (c) => {
  const { projectId } = projectCaller(c);
  const phone = pathPhone(c.req.valid("param").phone);
  if (!(await removeFromDoNotCallList(c.get("db"), projectId, phone))) throw notListed();
  return c.body(null, 204);
};
