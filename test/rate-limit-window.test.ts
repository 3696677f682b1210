import { describe, expect, it } from "vitest";
import { type RateLimitDecision, takeFromWindow, type Window } from "../src/rate-limit/window";

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
});
