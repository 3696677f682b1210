/**
 * Keys the callee presses (Twilio's `dtmf` events). Every press reaches the model as text, so it
 * can answer "press 1 to confirm" prompts of its own; an agent's `dtmf_rules` (a digit → action
 * map, e.g. `{"1": "confirm", "9": "opt_out"}`) give a key a meaning, and two actions Parley
 * carries out itself, because they must not depend on the model getting them right: `opt_out`
 * (the number joins the do-not-call list) and `transfer` (put through to a person).
 */
export type KeypadAction = "opt_out" | "transfer";

export interface KeyPress {
  /** What the model is told. */
  text: string;
  /** What Parley does itself, if anything. */
  action: KeypadAction | null;
}

const MEANINGS: Record<string, string> = {
  confirm: "they confirm",
  cancel: "they want to cancel",
  reschedule: "they want to reschedule",
  opt_out: "they do not want to be called again",
  transfer: "they want to speak to a person",
  end_call: "they want to end the call",
};

/** The action a rule names for `digit`: a string, or `{ action }` (other shapes are ignored). */
function ruleFor(rules: unknown, digit: string): string | null {
  if (typeof rules !== "object" || rules === null || Array.isArray(rules)) return null;
  const rule = (rules as Record<string, unknown>)[digit];
  if (typeof rule === "string") return rule;
  if (typeof rule === "object" && rule !== null && typeof (rule as { action?: unknown }).action === "string") return (rule as { action: string }).action;
  return null;
}

export function keyPress(rules: unknown, digit: string): KeyPress {
  const rule = ruleFor(rules, digit);
  const meaning = rule === null ? null : (MEANINGS[rule] ?? rule);
  const text = `The callee pressed ${digit} on their keypad${meaning ? `, which means: ${meaning}` : ""}.`;
  const action = rule === "opt_out" || rule === "transfer" ? rule : null;
  return { text, action };
}
