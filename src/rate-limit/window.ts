/** Fixed-window counting, kept pure so it is tested without a runtime. */
export interface Window {
  startMs: number;
  count: number;
}

export interface RateLimitDecision {
  allowed: boolean;
  limit: number;
  remaining: number;
  /** Unix seconds when the window resets. */
  resetAt: number;
  retryAfterSeconds: number;
}

export function takeFromWindow(current: Window | undefined, limit: number, windowMs: number, nowMs: number) {
  const window = !current || nowMs >= current.startMs + windowMs ? { startMs: nowMs, count: 0 } : { ...current };
  const allowed = window.count < limit;
  if (allowed) window.count += 1;
  const resetMs = window.startMs + windowMs;
  const decision: RateLimitDecision = {
    allowed,
    limit,
    remaining: Math.max(0, limit - window.count),
    resetAt: Math.ceil(resetMs / 1000),
    retryAfterSeconds: allowed ? 0 : Math.max(1, Math.ceil((resetMs - nowMs) / 1000)),
  };
  return { window, decision };
}

/** How often a window in use is written to its object's storage (it is counted in memory). */
export const SAVE_WINDOW_EVERY_MS = 1_000;

/**
 * Whether to write the window now: a storage write is a durable commit, far dearer than the
 * count itself, so not on every request. Written once a second while in use, and on the request
 * that exhausts it, so an object that restarts lets through at most one second's worth more —
 * and never a fresh allowance after a refusal.
 */
export function windowWorthSaving(window: Window, limit: number, savedAtMs: number, nowMs: number): boolean {
  return nowMs - savedAtMs >= SAVE_WINDOW_EVERY_MS || window.count === limit || window.startMs > savedAtMs;
}
