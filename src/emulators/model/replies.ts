/**
 * What the emulated agent says. A real model reasons over the agent's prompt; the emulator
 * follows a short, predictable script driven by the callee's words, so a sandbox call behaves
 * the same way every time and tests can tell which branch a call took.
 */
export interface Reply {
  text: string;
  /** Set on closing lines: the agent then calls `end_call` with this reason. */
  endCallReason: string | null;
}

export const GENERIC_GREETING = "Hello! This is an automated call.";
export const CONFIRMED = "Wonderful, you're all set. Thank you, goodbye!";
export const DECLINED = "Understood, I'll let them know you can't make it. Goodbye!";
export const PARDON = "Sorry, could you repeat that?";
export const STILL_THERE = "Are you still there?";
export const GIVING_UP = "I'll try again later. Goodbye!";

/** The text after "Say exactly:" in instructions (to the end of that line), if any. */
export function sayExactly(instructions: unknown): string | null {
  if (typeof instructions !== "string") return null;
  const match = /say exactly:\s*(.+)/i.exec(instructions);
  const text = match?.[1]?.trim().replace(/^["“'](.*)["”']$/, "$1").trim();
  return text ? text : null;
}

export function greeting(sessionInstructions: unknown): Reply {
  return { text: sayExactly(sessionInstructions) ?? GENERIC_GREETING, endCallReason: null };
}

const DAY = "(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|tomorrow|tonight|next week)";
const CLOCK = "(?:\\d{1,2}(?::\\d{2})?\\s*(?:a\\.?m\\.?|p\\.?m\\.?|o'clock)|noon|midnight)";
const PART_OF_DAY = "(?:morning|afternoon|evening)";
// "Friday at 3 PM", "tomorrow afternoon", "next week", "10:30 am".
const WHEN = new RegExp(
  `${DAY}(?:\\s+(?:at\\s+|in the\\s+)?(?:${CLOCK}|${PART_OF_DAY}))?|${CLOCK}|(?:this|in the) ${PART_OF_DAY}`,
  "i",
);
const DECLINE = /\b(?:no|nope|cancel\w*|can['’]t|cannot|won['’]t|unable)\b/i;
const CONFIRM = /\b(?:yes|yeah|yep|works?|confirm\w*|sure|okay|ok|sounds good)\b/i;

/**
 * The agent's answer to what the callee said. A proposed day or time wins over a plain no
 * ("No, could we do Friday?" asks to reschedule), and a no wins over a yes ("Yes, but I can't").
 */
export function replyTo(words: string): Reply {
  const when = WHEN.exec(words)?.[0];
  if (when || /reschedul/i.test(words)) {
    const noted = when ?? words.trim().replace(/[.!?]+$/, "");
    return { text: `No problem, I've noted ${noted}. Goodbye!`, endCallReason: `reschedule requested: ${noted}` };
  }
  if (DECLINE.test(words)) return { text: DECLINED, endCallReason: "declined" };
  if (CONFIRM.test(words)) return { text: CONFIRMED, endCallReason: "confirmed" };
  return { text: PARDON, endCallReason: null };
}

/** The prompts after the callee has been silent for a while: first a check, then goodbye. */
export function silencePrompt(promptsSoFar: number): Reply {
  return promptsSoFar === 0
    ? { text: STILL_THERE, endCallReason: null }
    : { text: GIVING_UP, endCallReason: "no response from the callee" };
}
