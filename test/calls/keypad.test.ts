import { describe, expect, it } from "vitest";
import { keyPress } from "../../src/calls/keypad";

describe("a key the callee presses", () => {
  it("reaches the model as text, with its meaning when the agent's dtmf_rules give one", () => {
    expect(keyPress(null, "5")).toEqual({ text: "The callee pressed 5 on their keypad.", action: null });
    expect(keyPress({ "1": "confirm" }, "1")).toEqual({ text: "The callee pressed 1 on their keypad, which means: they confirm.", action: null });
    expect(keyPress({ "2": { action: "reschedule" } }, "2").text).toMatch(/they want to reschedule/);
    expect(keyPress({ "3": "the billing team" }, "3").text).toMatch(/which means: the billing team\.$/);
  });

  it("carries out opt_out and transfer itself", () => {
    expect(keyPress({ "9": "opt_out" }, "9")).toMatchObject({ action: "opt_out" });
    expect(keyPress({ "0": "transfer" }, "0")).toMatchObject({ action: "transfer" });
  });

  it("ignores rules of other shapes", () => {
    expect(keyPress([{ digit: "1" }], "1")).toEqual({ text: "The callee pressed 1 on their keypad.", action: null });
    expect(keyPress({ "1": 42 }, "1").action).toBeNull();
  });
});
