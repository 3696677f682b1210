import { DurableObject } from "cloudflare:workers";
import { and, eq, isNull } from "drizzle-orm";
import { createDb } from "../db/client";
import { apiKeys, businesses, projects } from "../db/schema";
import type { Caller } from "../lib/app-env";
import { StoredWindow } from "../rate-limit/stored-window";
import type { RateLimitDecision } from "../rate-limit/window";

type ApiKeyCaller = Extract<Caller, { kind: "api_key" }>;

interface KeyRecord {
  apiKeyId: string;
  projectId: string;
  businessId: string;
  rateLimitPerMinute: number | null;
  expiresAt: string | null;
  revokedAt: string | null;
  /** The business's `agents_version` when the record was read (see routes/agents/agents.list.ts). */
  agentsVersion: number;
}

export type Admission = { admitted: false } | { admitted: true; caller: ApiKeyCaller; rateLimit: RateLimitDecision; agentsVersion: number };

/** A safety net only: every change to a key, its project or its business's agents calls `forget()` at once. */
const RECHECK_MS = 30_000;
const WINDOW_MS = 60_000;

/**
 * One object per API key (addressed by the key's hash) answers "is this key good, and is it
 * within its rate limit?" in a single round trip. It remembers the key's record, so the hot
 * path never queries D1; revoking or rolling a key, changing its project, or changing its
 * business's agents makes it forget, so those changes apply to the very next request. Being one
 * thread, its count is authoritative.
 */
export class ApiKeyGate extends DurableObject<Env> {
  #record: KeyRecord | null | undefined;
  #loadedAtMs = 0;
  /** Counts `forget()` calls, so a record read while one arrived is not kept. */
  #generation = 0;
  readonly #window = new StoredWindow(this.ctx.storage.kv);

  async admit(keyHash: string): Promise<Admission> {
    const now = Date.now();
    const key = await this.#current(keyHash, now);
    if (!key || key.revokedAt || (key.expiresAt && Date.parse(key.expiresAt) <= now)) return { admitted: false };

    const limit = key.rateLimitPerMinute ?? Number(this.env.DEFAULT_RATE_LIMIT_PER_MINUTE);
    const decision = this.#window.take(limit, WINDOW_MS, now);
    return {
      admitted: true,
      caller: { kind: "api_key", apiKeyId: key.apiKeyId, projectId: key.projectId, businessId: key.businessId, rateLimitPerMinute: limit },
      rateLimit: decision,
      agentsVersion: key.agentsVersion,
    };
  }

  async #current(keyHash: string, now: number): Promise<KeyRecord | null> {
    if (this.#record !== undefined && now - this.#loadedAtMs <= RECHECK_MS) return this.#record;
    // Other calls run while D1 answers: a forget() meanwhile means the row read may predate the
    // change it announces, so it is read again rather than remembered.
    for (let attempt = 1; ; attempt++) {
      const generation = this.#generation;
      const record = await this.#load(keyHash);
      if (generation === this.#generation) {
        this.#record = record;
        this.#loadedAtMs = now;
        return record;
      }
      if (attempt === 3) return record;
    }
  }

  /** Drops the remembered record; the next request reads the key afresh. */
  async forget(): Promise<void> {
    this.#generation++;
    this.#record = undefined;
  }

  async #load(keyHash: string): Promise<KeyRecord | null> {
    const row = await createDb(this.env.DB)
      .select({
        apiKeyId: apiKeys.id,
        projectId: apiKeys.projectId,
        businessId: apiKeys.businessId,
        rateLimitPerMinute: projects.rateLimitPerMinute,
        expiresAt: apiKeys.expiresAt,
        revokedAt: apiKeys.revokedAt,
        agentsVersion: businesses.agentsVersion,
      })
      .from(apiKeys)
      .innerJoin(projects, eq(projects.id, apiKeys.projectId))
      .innerJoin(businesses, eq(businesses.id, apiKeys.businessId))
      .where(eq(apiKeys.keyHash, keyHash))
      .get();
    return row ?? null;
  }
}

export const apiKeyGate = (env: Env, keyHash: string) => env.API_KEY_GATE.get(env.API_KEY_GATE.idFromName(keyHash));

/** Call after changing keys (or their project) in D1, so the change applies at once. */
export async function forgetApiKeys(env: Env, keyHashes: string[]): Promise<void> {
  await Promise.all(keyHashes.map((hash) => apiKeyGate(env, hash).forget()));
}

/** Call after changing a business's agents, so its keys' next requests see the new version. */
export async function forgetBusinessKeys(env: Env, businessId: string): Promise<void> {
  const keys = await createDb(env.DB)
    .select({ hash: apiKeys.keyHash })
    .from(apiKeys)
    .where(and(eq(apiKeys.businessId, businessId), isNull(apiKeys.revokedAt)));
  await forgetApiKeys(
    env,
    keys.map((key) => key.hash),
  );
}
