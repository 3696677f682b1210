/**
 * What the emulated agent says. A real model reasons over the agent's prompt; the emulator
 * follows a short, predictable script driven by the callee's words, so a sandbox call behaves
 * the same way every time and tests can tell which branch a call took.
 */
export interface Reply {
  /** Null for a response that only acts (presses keys) without saying anything. */
  text: string | null;
  /** Set on closing lines: the agent then calls `end_call` with this reason. */
  endCallReason: string | null;
  /** Another of the session's tools to call once the line is said. */
  tool?: ToolCall;
}

export interface ToolCall {
  name: "add_to_do_not_call" | "transfer_call" | "press_digits";
  arguments: Record<string, string>;
}

/** The tools that end the conversation on the model's side: after them it has nothing more to say. */
export const CLOSING_TOOLS: ReadonlySet<string> = new Set(["add_to_do_not_call", "transfer_call"]);

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

export const OPTED_OUT = "Understood. I've taken your number off our list, and we won't call you again. Goodbye!";
export const TRANSFERRING = "Of course. I'll put you through to someone now, please hold.";
export const CANNOT_TRANSFER = "I'm sorry, I can't put you through to a person on this call, but I'm happy to help with your appointment.";

const OPT_OUT = /\b(?:don['’]t|do not|never|stop)\s+(?:ever\s+)?call(?:ing)?\s+(?:me|this number)\b|\b(?:remove|take) (?:me|my number)\b|\bdo[- ]not[- ]call\b/i;
const WANTS_PERSON = /\b(?:speak|talk)\b.*\b(?:person|human|someone|somebody|representative|operator)\b/i;
const MENU_OPTION = /for ([^,.]+?),? press (\d)/gi;

/** A phone menu's prompt: the key for the option about appointments, else the first option. */
export function menuKey(words: string): string | null {
  const options = [...words.matchAll(MENU_OPTION)].map((m) => ({ topic: m[1]!, key: m[2]! }));
  return (options.find((o) => /appointment/i.test(o.topic)) ?? options[0])?.key ?? null;
}

/**
 * The agent's answer to what the callee said, given the tools its session offers. Asking not to
 * be called again and asking for a person come first; then a proposed day or time wins over a
 * plain no ("No, could we do Friday?" asks to reschedule), and a no wins over a yes ("Yes, but I can't").
 */
export function replyTo(words: string, offers: (tool: string) => boolean = () => false): Reply {
  if (OPT_OUT.test(words)) {
    if (offers("add_to_do_not_call")) {
      return { text: OPTED_OUT, endCallReason: null, tool: { name: "add_to_do_not_call", arguments: { reason: "The callee asked not to be called again." } } };
    }
    return { text: DECLINED, endCallReason: "declined" };
  }
  if (WANTS_PERSON.test(words)) {
    if (offers("transfer_call")) return { text: TRANSFERRING, endCallReason: null, tool: { name: "transfer_call", arguments: { reason: "The callee asked for a person." } } };
    return { text: CANNOT_TRANSFER, endCallReason: null };
  }
  const key = offers("press_digits") ? menuKey(words) : null;
  if (key) return { text: null, endCallReason: null, tool: { name: "press_digits", arguments: { digits: key } } };
  return answerTo(words);
}

function answerTo(words: string): Reply {
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
