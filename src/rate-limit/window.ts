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
