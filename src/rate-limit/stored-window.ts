import { type RateLimitDecision, takeFromWindow, type Window, windowWorthSaving } from "./window";

/**
 * A rate-limit window as a Durable Object keeps it: counted in memory, read back from the
 * object's storage after a restart, and written only when `windowWorthSaving` says so.
 */
export class StoredWindow {
  #window: Window | undefined;
  #savedAtMs = 0;

  constructor(private readonly kv: SyncKvStorage) {}

  take(limit: number, windowMs: number, nowMs: number): RateLimitDecision {
    this.#window ??= this.kv.get<Window>("window");
    const { window, decision } = takeFromWindow(this.#window, limit, windowMs, nowMs);
    this.#window = window;
    if (windowWorthSaving(window, limit, this.#savedAtMs, nowMs)) {
      this.kv.put("window", window);
      this.#savedAtMs = nowMs;
    }
    return decision;
  }
}
