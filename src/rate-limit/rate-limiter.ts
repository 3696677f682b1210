import { DurableObject } from "cloudflare:workers";
import { takeFromWindow, type RateLimitDecision, type Window, windowWorthSaving } from "./window";

/**
 * One object per API key (or signed-in user) counts that caller's requests. Being a single
 * thread, it is the authoritative count across every edge location; the window is persisted
 * (see `windowWorthSaving`) so an evicted object does not hand out a fresh allowance.
 */
export class RateLimiter extends DurableObject<Env> {
  #window: Window | undefined;
  #savedAtMs = 0;

  async hit(limit: number, windowMs = 60_000): Promise<RateLimitDecision> {
    const now = Date.now();
    this.#window ??= this.ctx.storage.kv.get<Window>("window");
    const { window, decision } = takeFromWindow(this.#window, limit, windowMs, now);
    this.#window = window;
    if (windowWorthSaving(window, limit, this.#savedAtMs, now)) {
      this.ctx.storage.kv.put("window", window);
      this.#savedAtMs = now;
    }
    return decision;
  }
}
