import { DurableObject } from "cloudflare:workers";
import { StoredWindow } from "./stored-window";
import type { RateLimitDecision } from "./window";

/**
 * One object per API key (or signed-in user) counts that caller's requests. Being a single
 * thread, it is the authoritative count across every edge location; the window is persisted
 * (see `windowWorthSaving`) so an evicted object does not hand out a fresh allowance.
 */
export class RateLimiter extends DurableObject<Env> {
  readonly #window = new StoredWindow(this.ctx.storage.kv);

  async hit(limit: number, windowMs = 60_000): Promise<RateLimitDecision> {
    return this.#window.take(limit, windowMs, Date.now());
  }
}
