import type { RouteHandler } from "@hono/zod-openapi";
import { and, eq } from "drizzle-orm";
import { webhookEndpoints } from "../../db/schema";
import { newSigningSecret, sealSecret } from "../../delivery/secrets";
import { assertWebhookUrl } from "../../delivery/url-policy";
import type { AppEnv } from "../../lib/app-env";
import { newId, nowIso } from "../../lib/ids";
import { pageClauses, toPage } from "../../lib/pagination";
import { type EndpointRow, findEndpoint, normaliseEvents, pathProject, present } from "./webhooks.records";
import type { createWebhook, deleteWebhook, getWebhook, listWebhooks, rotateWebhookSecret, updateWebhook } from "./webhooks.routes";

const DEFAULT_OVERLAP_SECONDS = 86_400;

export const createWebhookHandler: RouteHandler<typeof createWebhook, AppEnv> = async (c) => {
  const projectId = pathProject(c, c.req.valid("param").projectId);
  const body = c.req.valid("json");
  assertWebhookUrl(c.env, body.url);
  const id = newId();
  const secret = newSigningSecret();
  const now = nowIso();
  const row: EndpointRow = {
    id,
    projectId,
    url: body.url,
    events: normaliseEvents(body.events),
    description: body.description ?? null,
    secretSealed: await sealSecret(c.env.JWT_SECRET, id, secret),
    previousSecretSealed: null,
    previousSecretExpiresAt: null,
    enabled: true,
    disabledReason: null,
    failingSince: null,
    createdAt: now,
    updatedAt: now,
  };
  await c.get("db").insert(webhookEndpoints).values(row);
  return c.json({ ...present(row), signing_secret: secret }, 201);
};

export const listWebhooksHandler: RouteHandler<typeof listWebhooks, AppEnv> = async (c) => {
  const projectId = pathProject(c, c.req.valid("param").projectId);
  const query = c.req.valid("query");
  const page = pageClauses({ createdAt: webhookEndpoints.createdAt, id: webhookEndpoints.id }, query);
  const rows = await c
    .get("db")
    .select()
    .from(webhookEndpoints)
    .where(and(eq(webhookEndpoints.projectId, projectId), page.after))
    .orderBy(...page.orderBy)
    .limit(page.limit)
    .offset(page.offset);
  return c.json(toPage(rows, query, present), 200);
};

export const getWebhookHandler: RouteHandler<typeof getWebhook, AppEnv> = async (c) => {
  const { projectId, id } = c.req.valid("param");
  return c.json(present(await findEndpoint(c, pathProject(c, projectId), id)), 200);
};

export const updateWebhookHandler: RouteHandler<typeof updateWebhook, AppEnv> = async (c) => {
  const { projectId, id } = c.req.valid("param");
  const existing = await findEndpoint(c, pathProject(c, projectId), id);
  const body = c.req.valid("json");
  if (body.url !== undefined) assertWebhookUrl(c.env, body.url);
  const changes: Partial<EndpointRow> = { updatedAt: nowIso() };
  if (body.url !== undefined) changes.url = body.url;
  if (body.events !== undefined) changes.events = normaliseEvents(body.events);
  if (body.description !== undefined) changes.description = body.description;
  if (body.enabled !== undefined) {
    changes.enabled = body.enabled;
    // Re-enabling is the user saying the receiver is fixed: forget why it was switched off.
    changes.disabledReason = body.enabled ? null : "Disabled through the API.";
    if (body.enabled) changes.failingSince = null;
  }
  await c.get("db").update(webhookEndpoints).set(changes).where(and(eq(webhookEndpoints.id, id), eq(webhookEndpoints.projectId, projectId)));
  return c.json(present({ ...existing, ...changes }), 200);
};

export const deleteWebhookHandler: RouteHandler<typeof deleteWebhook, AppEnv> = async (c) => {
  const { projectId, id } = c.req.valid("param");
  await findEndpoint(c, pathProject(c, projectId), id);
  await c.get("db").delete(webhookEndpoints).where(and(eq(webhookEndpoints.id, id), eq(webhookEndpoints.projectId, projectId)));
  return c.body(null, 204);
};

export const rotateWebhookSecretHandler: RouteHandler<typeof rotateWebhookSecret, AppEnv> = async (c) => {
  const { projectId, id } = c.req.valid("param");
  const existing = await findEndpoint(c, pathProject(c, projectId), id);
  const overlap = c.req.valid("json")?.expires_in_seconds ?? DEFAULT_OVERLAP_SECONDS;
  const secret = newSigningSecret();
  const changes: Partial<EndpointRow> = {
    secretSealed: await sealSecret(c.env.JWT_SECRET, id, secret),
    previousSecretSealed: overlap > 0 ? existing.secretSealed : null,
    previousSecretExpiresAt: overlap > 0 ? new Date(Date.now() + overlap * 1000).toISOString() : null,
    updatedAt: nowIso(),
  };
  await c.get("db").update(webhookEndpoints).set(changes).where(and(eq(webhookEndpoints.id, id), eq(webhookEndpoints.projectId, projectId)));
  return c.json({ ...present({ ...existing, ...changes }), signing_secret: secret }, 200);
};
