import { DIGITS } from "../audio/dtmf";
import { DO_NOT_CALL_TOOL, END_CALL_TOOL, PRESS_DIGITS_TOOL, type RealtimeTool, TRANSFER_TOOL } from "../realtime/session-config";
import type { CallPlan } from "./call-plan";

/** What the agent asked for with a tool call, once Parley has read it. */
export type AgentAction =
  | { kind: "end_call" }
  | { kind: "opt_out"; reason: string | null }
  | { kind: "transfer"; reason: string | null }
  | { kind: "press_digits"; digits: string }
  /** Not carried out; the output tells the model why, and it answers the callee. */
  | { kind: "refused" };

/** Every agent can hang up, honour "don't call me again" and press keys; transfers need a number. */
export function toolsFor(plan: CallPlan): RealtimeTool[] {
  return [END_CALL_TOOL, DO_NOT_CALL_TOOL, PRESS_DIGITS_TOOL, ...(plan.transferNumber ? [TRANSFER_TOOL] : [])];
}

const MAX_DIGITS = 32;

function argumentsOf(raw: string): Record<string, unknown> {
  try {
    const parsed: unknown = JSON.parse(raw);
    return typeof parsed === "object" && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

const reasonOf = (args: Record<string, unknown>) => (typeof args.reason === "string" && args.reason.trim() ? args.reason.trim().slice(0, 500) : null);
const refused = (error: string) => ({ action: { kind: "refused" } as AgentAction, output: JSON.stringify({ ok: false, error }) });
const done = (action: AgentAction) => ({ action, output: JSON.stringify({ ok: true }) });

/**
 * Reads a tool call from the model. The model is not trusted with anything it could get wrong
 * to the callee's cost: a transfer needs a configured number, keys must be keypad keys, and an
 * unknown tool is refused (with the reason as the tool's output) rather than ignored.
 */
export function readToolCall(name: string, rawArguments: string, plan: CallPlan): { action: AgentAction; output: string } {
  const args = argumentsOf(rawArguments);
  switch (name) {
    case "end_call":
      return done({ kind: "end_call" });
    case "add_to_do_not_call":
      return done({ kind: "opt_out", reason: reasonOf(args) });
    case "transfer_call":
      if (!plan.transferNumber) return refused("No one to transfer to on this call: tell the person you cannot put them through, and help them yourself.");
      return done({ kind: "transfer", reason: reasonOf(args) });
    case "press_digits": {
      const digits = typeof args.digits === "string" ? args.digits.replace(/\s+/g, "") : "";
      if (!digits || digits.length > MAX_DIGITS || !DIGITS.test(digits) || /[A-D]/.test(digits)) {
        return refused(`"digits" must be 1 to ${MAX_DIGITS} keypad keys: 0-9, * and #.`);
      }
      return done({ kind: "press_digits", digits });
    }
    default:
      return refused(`There is no tool named ${name}.`);
  }
}
