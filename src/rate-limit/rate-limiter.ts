import { DurableObject } from "cloudflare:workers";
import { takeFromWindow, type RateLimitDecision, type Window } from "./window";

/**
 * One object per API key (or signed-in user) counts that caller's requests. Being a single
 * thread, it is the authoritative count across every edge location; the window is persisted so
 * an evicted object does not hand out a fresh allowance.
 */
export class RateLimiter extends DurableObject<Env> {
  #window: Window | undefined;

  async hit(limit: number, windowMs = 60_000): Promise<RateLimitDecision> {
    this.#window ??= this.ctx.storage.kv.get<Window>("window");
    const { window, decision } = takeFromWindow(this.#window, limit, windowMs, Date.now());
    this.#window = window;
    this.ctx.storage.kv.put("window", window);
    return decision;
  }
}
