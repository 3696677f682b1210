import type { RouteHandler } from "@hono/zod-openapi";
import { and, eq, isNull } from "drizzle-orm";
import { forgetApiKeys } from "../../auth/api-key-gate";
import type { Db } from "../../db/client";
import { apiKeys } from "../../db/schema";
import { prepareApiKey } from "../../domain/api-keys";
import { findBusinessProject } from "../../domain/business-projects";
import type { AppEnv } from "../../lib/app-env";
import { sessionCaller } from "../../lib/caller";
import { ApiError, notFound } from "../../lib/errors";
import { nowIso } from "../../lib/ids";
import { pageClauses, toPage } from "../../lib/pagination";
import type { createApiKey, listApiKeys, revokeApiKey, rollApiKey } from "./api-keys.routes";

type ApiKeyRow = typeof apiKeys.$inferSelect;

function statusOf(key: ApiKeyRow, now: string) {
  if (key.revokedAt) return "revoked" as const;
  if (key.expiresAt && key.expiresAt <= now) return "expired" as const;
  return "active" as const;
}

/** Deliberately field by field: the key's hash never leaves the database. */
const present = (key: ApiKeyRow, now = nowIso()) => ({
  id: key.id,
  project_id: key.projectId,
  name: key.name,
  prefix: key.prefix,
  last_four: key.lastFour,
  status: statusOf(key, now),
  expires_at: key.expiresAt,
  revoked_at: key.revokedAt,
  created_at: key.createdAt,
});

async function findKey(db: Db, businessId: string, projectId: string, keyId: string): Promise<ApiKeyRow> {
  await findBusinessProject(db, businessId, projectId);
  const key = await db
    .select()
    .from(apiKeys)
    .where(and(eq(apiKeys.id, keyId), eq(apiKeys.projectId, projectId), eq(apiKeys.businessId, businessId)))
    .get();
  if (!key) throw notFound("API key", "keyId");
  return key;
}

export const listApiKeysHandler: RouteHandler<typeof listApiKeys, AppEnv> = async (c) => {
  const caller = sessionCaller(c, "admin");
  const { projectId } = c.req.valid("param");
  const query = c.req.valid("query");
  const db = c.get("db");
  await findBusinessProject(db, caller.businessId, projectId);
  const page = pageClauses({ createdAt: apiKeys.createdAt, id: apiKeys.id }, query);
  const rows = await db
    .select()
    .from(apiKeys)
    .where(and(eq(apiKeys.projectId, projectId), page.after))
    .orderBy(...page.orderBy)
    .limit(page.limit)
    .offset(page.offset);
  const now = nowIso();
  return c.json(toPage(rows, query, (row) => present(row, now)), 200);
};

export const createApiKeyHandler: RouteHandler<typeof createApiKey, AppEnv> = async (c) => {
  const caller = sessionCaller(c, "admin");
  const { projectId } = c.req.valid("param");
  const body = c.req.valid("json");
  const db = c.get("db");
  await findBusinessProject(db, caller.businessId, projectId);
  const expiresAt = body.expires_at ? new Date(body.expires_at).toISOString() : null;
  const key = await prepareApiKey(db, { projectId, businessId: caller.businessId, name: body.name, createdBy: caller.userId, expiresAt });
  await key.statement;
  return c.json({ ...present(key.row), api_key: key.secret }, 201);
};

export const revokeApiKeyHandler: RouteHandler<typeof revokeApiKey, AppEnv> = async (c) => {
  const caller = sessionCaller(c, "admin");
  const { projectId, keyId } = c.req.valid("param");
  const db = c.get("db");
  const key = await findKey(db, caller.businessId, projectId, keyId);
  // The first revocation time is kept: a repeated DELETE must not rewrite history.
  await db
    .update(apiKeys)
    .set({ revokedAt: nowIso() })
    .where(and(eq(apiKeys.id, keyId), eq(apiKeys.businessId, caller.businessId), isNull(apiKeys.revokedAt)));
  await forgetApiKeys(c.env, [key.keyHash]);
  return c.body(null, 204);
};

export const rollApiKeyHandler: RouteHandler<typeof rollApiKey, AppEnv> = async (c) => {
  const caller = sessionCaller(c, "admin");
  const { projectId, keyId } = c.req.valid("param");
  const overlapSeconds = c.req.valid("json").expires_in_seconds ?? 0;
  const db = c.get("db");
  const old = await findKey(db, caller.businessId, projectId, keyId);
  const now = nowIso();
  if (statusOf(old, now) !== "active") {
    throw new ApiError("conflict", `This API key is ${statusOf(old, now)}; create a new key instead of rolling it.`, { param: "keyId" });
  }

  const requested = new Date(Date.parse(now) + overlapSeconds * 1000).toISOString();
  // Rolling shortens a key's life, never lengthens it.
  const oldExpiresAt = old.expiresAt && old.expiresAt < requested ? old.expiresAt : requested;
  const next = await prepareApiKey(db, { projectId, businessId: caller.businessId, name: old.name, createdBy: caller.userId });
  const [rolled] = await db.batch([
    db
      .update(apiKeys)
      .set({ expiresAt: oldExpiresAt })
      .where(and(eq(apiKeys.id, keyId), isNull(apiKeys.revokedAt)))
      .returning(),
    next.statement,
  ]);
  await forgetApiKeys(c.env, [old.keyHash]);
  const rolledKey = rolled[0] ?? (await findKey(db, caller.businessId, projectId, keyId));
  const at = nowIso();
  return c.json({ ...present(next.row, at), api_key: next.secret, rolled_key: present(rolledKey, at) }, 201);
};
