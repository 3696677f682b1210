import { and, eq, isNull, sql } from "drizzle-orm";
import type { BatchItem, BatchResponse } from "drizzle-orm/batch";
import type { Db } from "../../db/client";
import { agents, businesses } from "../../db/schema";
import { forgetBusinessKeys } from "../../auth/api-key-gate";
import { VersionedCache } from "../../lib/versioned-cache";
import { type PageRequest, pageClauses, toPage } from "../../lib/pagination";
import { present } from "./agents.present";

export interface AgentListRequest extends PageRequest {
  enabled?: "true" | "false" | undefined;
}

/**
 * Every change to a business's agents goes through here: the write and a bump of
 * `businesses.agents_version` in one transaction, so lists made before it are never given out
 * again; then the business's API key gates forget the version they knew (they hand it to each
 * request). Answers the write's own result.
 */
export async function changeAgents<W extends BatchItem<"sqlite">>(env: Env, db: Db, businessId: string, write: W): Promise<BatchResponse<[W]>[0]> {
  const bump = db
    .update(businesses)
    .set({ agentsVersion: sql`${businesses.agentsVersion} + 1` })
    .where(eq(businesses.id, businessId));
  const [result] = await db.batch([write, bump]);
  await forgetBusinessKeys(env, businessId);
  return result;
}

// Agent lists are read far more often than agents change (dashboards poll them): a page already
// presented at the business's current version is served from memory — with an API key without
// touching D1, with a session token after one one-row read (D1 bills by rows read: 1, not 101).
const pages = new VersionedCache(4 * 1024 * 1024);

// The hot path's one query, as plain SQL: drizzle would rebuild the same text on every request.
const VERSION_SQL = "select agents_version from businesses where id = ?";

/**
 * A page of the business's agents as the JSON body of the answer. `knownVersion` is the version
 * the API key's gate vouches for (it forgets it whenever the agents change); without it, it is read.
 */
export async function agentListBody(d1: D1Database, db: Db, businessId: string, request: AgentListRequest, knownVersion?: number): Promise<string> {
  const key = JSON.stringify([businessId, request.enabled ?? null, request.limit, request.offset, request.cursor ?? null]);
  const version = knownVersion ?? (await d1.prepare(VERSION_SQL).bind(businessId).first<number>("agents_version"));
  const cached = version === null ? undefined : pages.get(key, version);
  if (cached !== undefined) return cached;

  const page = pageClauses({ createdAt: agents.createdAt, id: agents.id }, request);
  const enabled = request.enabled === undefined ? undefined : eq(agents.enabled, request.enabled === "true");
  // Read together (one transaction), so the page is labelled with the version it was made from.
  const [versionRows, rows] = await db.batch([
    db.select({ version: businesses.agentsVersion }).from(businesses).where(eq(businesses.id, businessId)),
    db
      .select()
      .from(agents)
      .where(and(eq(agents.businessId, businessId), isNull(agents.deletedAt), enabled, page.after))
      .orderBy(...page.orderBy)
      .limit(page.limit)
      .offset(page.offset),
  ]);
  const body = JSON.stringify(toPage(rows, request, present));
  const madeAt = versionRows[0]?.version;
  if (madeAt !== undefined) pages.set(key, madeAt, body);
  return body;
}
