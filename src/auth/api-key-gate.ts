import { DurableObject } from "cloudflare:workers";
import { eq } from "drizzle-orm";
import { createDb } from "../db/client";
import { apiKeys, projects } from "../db/schema";
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
}

export type Admission = { admitted: false } | { admitted: true; caller: ApiKeyCaller; rateLimit: RateLimitDecision };

/** A safety net only: every change to a key or its project calls `forget()` at once. */
const RECHECK_MS = 30_000;
const WINDOW_MS = 60_000;

/**
 * One object per API key (addressed by the key's hash) answers "is this key good, and is it
 * within its rate limit?" in a single round trip. It remembers the key's record, so the hot
 * path never queries D1; revoking or rolling a key, or changing its project, makes it forget,
 * so those changes apply to the very next request. Being one thread, its count is authoritative.
 */
export class ApiKeyGate extends DurableObject<Env> {
  #record: KeyRecord | null | undefined;
  #loadedAtMs = 0;
  readonly #window = new StoredWindow(this.ctx.storage.kv);

  async admit(keyHash: string): Promise<Admission> {
    const now = Date.now();
    if (this.#record === undefined || now - this.#loadedAtMs > RECHECK_MS) {
      this.#record = await this.#load(keyHash);
      this.#loadedAtMs = now;
    }
    const key = this.#record;
    if (!key || key.revokedAt || (key.expiresAt && Date.parse(key.expiresAt) <= now)) return { admitted: false };

    const limit = key.rateLimitPerMinute ?? Number(this.env.DEFAULT_RATE_LIMIT_PER_MINUTE);
    const decision = this.#window.take(limit, WINDOW_MS, now);
    return {
      admitted: true,
      caller: { kind: "api_key", apiKeyId: key.apiKeyId, projectId: key.projectId, businessId: key.businessId, rateLimitPerMinute: limit },
      rateLimit: decision,
    };
  }

  /** Drops the remembered record; the next request reads the key afresh. */
  async forget(): Promise<void> {
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
      })
      .from(apiKeys)
      .innerJoin(projects, eq(projects.id, apiKeys.projectId))
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
