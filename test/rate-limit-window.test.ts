import { describe, expect, it } from "vitest";
import { type RateLimitDecision, takeFromWindow, type Window, windowWorthSaving } from "../src/rate-limit/window";

describe("fixed-window counting", () => {
  it("allows the limit within a window, then refuses until the window ends", () => {
    let window: Window | undefined;
    const decisions: RateLimitDecision[] = [];
    for (let i = 0; i < 4; i++) {
      const step = takeFromWindow(window, 3, 60_000, 1_000_000 + i);
      window = step.window;
      decisions.push(step.decision);
    }
    expect(decisions.map((d) => d.allowed)).toEqual([true, true, true, false]);
    expect(decisions[3]).toMatchObject({ remaining: 0, resetAt: Math.ceil(1_060_000 / 1000), retryAfterSeconds: 60 });

    const next = takeFromWindow(window, 3, 60_000, 1_060_000);
    expect(next.decision).toMatchObject({ allowed: true, remaining: 2 });
  });

  it("is written when a window opens, once a second while in use, and when the allowance runs out", () => {
    const at = 2_000_000;
    // A fresh window (or a fresh object: nothing saved yet) is written.
    expect(windowWorthSaving({ startMs: at, count: 1 }, 100, 0, at)).toBe(true);
    expect(windowWorthSaving({ startMs: at, count: 1 }, 100, at - 60_000, at)).toBe(true);
    // Within the second after a write, ordinary requests only count in memory.
    expect(windowWorthSaving({ startMs: at, count: 40 }, 100, at + 10, at + 500)).toBe(false);
    expect(windowWorthSaving({ startMs: at, count: 80 }, 100, at + 10, at + 1_010)).toBe(true);
    // The request that spends the allowance is written at once, so a restart cannot hand it out again.
    expect(windowWorthSaving({ startMs: at, count: 100 }, 100, at + 600, at + 700)).toBe(true);
  });
});
