import { and, eq } from "drizzle-orm";
import type { Context } from "hono";
import { webhookEndpoints } from "../../db/schema";
import { normaliseEvent } from "../../delivery/events";
import type { AppEnv } from "../../lib/app-env";
import { projectCaller } from "../../lib/caller";
import { notFound } from "../../lib/errors";

export type EndpointRow = typeof webhookEndpoints.$inferSelect;

/** The caller's project, which must be the one in the path: any other is as absent as a missing one. */
export function pathProject(c: Context<AppEnv>, projectId: string): string {
  const caller = projectCaller(c);
  if (caller.projectId !== projectId) throw notFound("project", "projectId");
  return projectId;
}

export async function findEndpoint(c: Context<AppEnv>, projectId: string, id: string): Promise<EndpointRow> {
  const row = await c
    .get("db")
    .select()
    .from(webhookEndpoints)
    .where(and(eq(webhookEndpoints.id, id), eq(webhookEndpoints.projectId, projectId)))
    .get();
  if (!row) throw notFound("webhook endpoint", "id");
  return row;
}

/** Stored in the dotted spelling, once each, so matching events is a plain comparison. */
export const normaliseEvents = (names: string[]) => [...new Set(names.map((name) => normaliseEvent(name) ?? name))];

export function present(row: EndpointRow) {
  return {
    id: row.id,
    project_id: row.projectId,
    url: row.url,
    events: row.events,
    description: row.description,
    enabled: row.enabled,
    disabled_reason: row.disabledReason,
    failing_since: row.failingSince,
    previous_secret_expires_at: row.previousSecretExpiresAt,
    created_at: row.createdAt,
    updated_at: row.updatedAt,
  };
}
