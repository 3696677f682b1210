/**
 * The emulated callees, picked by the number dialled — like Stripe's test cards, so a sandbox
 * user (or a test) can make any outcome happen on purpose. Every number here is valid for
 * libphonenumber's "max" metadata, so Parley's own number checks accept them.
 */
export type ScenarioName =
  | "confirms"
  | "declines"
  | "reschedules"
  | "busy"
  | "no_answer"
  | "voicemail"
  | "interrupts"
  | "hangs_up_early"
  | "silent"
  | "invalid_number"
  | "presses_digits"
  | "opts_out"
  | "asks_for_person"
  | "phone_menu"
  | "keeps_talking";

/** What the callee does in answer to the agent: says a line, or presses keys on the keypad. */
export type CalleeReply = string | { digits: string };

/**
 * A phone menu that answers before any person: it plays `prompt` (again after a silence) until it
 * hears a key tone in `connects`, then the person for that key picks up and says that line.
 */
export interface PhoneMenu {
  prompt: string;
  connects: Record<string, string>;
}

export interface Scenario {
  name: ScenarioName;
  /** What happens when the phone is dialled. */
  outcome: "answers" | "busy" | "no_answer" | "invalid";
  /** How long it rings before someone (or something) picks up, in emulated ms. */
  ringMs: number;
  /** What answering machine detection concludes. */
  answeredBy: "human" | "machine";
  /** The callee's answers, in order, one per thing the agent says (goodbyes excepted). */
  replies: CalleeReply[];
  /** Said over the agent about 1 s into its first long utterance. */
  interruption?: string;
  /** Hangs up once this much of the agent's first utterance has played. */
  hangsUpAfterAgentMs?: number;
  /** Never speaks. */
  silent?: boolean;
  /** Starts the replies over when they run out, instead of saying goodbye: a call that lasts until its time limit. */
  repeatsReplies?: boolean;
  /** An answering machine: plays this greeting and a tone, then records. */
  voicemailGreeting?: string;
  menu?: PhoneMenu;
}

const AGREES = ["Yes, that works for me. I'll be there.", "No, that's everything. Thank you."];

const SCENARIOS: Record<ScenarioName, Scenario> = {
  confirms: { name: "confirms", outcome: "answers", ringMs: 2400, answeredBy: "human", replies: AGREES },
  declines: {
    name: "declines",
    outcome: "answers",
    ringMs: 2400,
    answeredBy: "human",
    replies: ["No, I can't make it. Please cancel the appointment.", "No, that's all. Thanks."],
  },
  reschedules: {
    name: "reschedules",
    outcome: "answers",
    ringMs: 2400,
    answeredBy: "human",
    replies: ["Could we do Friday at 3 PM instead?", "Yes, Friday at 3 PM is perfect. Thank you."],
  },
  busy: { name: "busy", outcome: "busy", ringMs: 0, answeredBy: "human", replies: [] },
  no_answer: { name: "no_answer", outcome: "no_answer", ringMs: 0, answeredBy: "human", replies: [] },
  voicemail: {
    name: "voicemail",
    outcome: "answers",
    ringMs: 4000,
    answeredBy: "machine",
    replies: [],
    voicemailGreeting: "Hi, you've reached Sam. I can't take your call right now. Please leave a message after the tone.",
  },
  interrupts: {
    name: "interrupts",
    outcome: "answers",
    ringMs: 2400,
    answeredBy: "human",
    replies: AGREES,
    // About 1.5 s of speech (65 ms a character).
    interruption: "Sorry, who's calling me?",
  },
  hangs_up_early: { name: "hangs_up_early", outcome: "answers", ringMs: 2400, answeredBy: "human", replies: [], hangsUpAfterAgentMs: 1000 },
  silent: { name: "silent", outcome: "answers", ringMs: 2400, answeredBy: "human", replies: [], silent: true },
  invalid_number: { name: "invalid_number", outcome: "invalid", ringMs: 0, answeredBy: "human", replies: [] },
  presses_digits: {
    name: "presses_digits",
    outcome: "answers",
    ringMs: 2400,
    answeredBy: "human",
    replies: [{ digits: "1" }, "No, that's everything. Thank you."],
  },
  opts_out: { name: "opts_out", outcome: "answers", ringMs: 2400, answeredBy: "human", replies: ["Please don't call me again."] },
  asks_for_person: {
    name: "asks_for_person",
    outcome: "answers",
    ringMs: 2400,
    answeredBy: "human",
    replies: ["Can I speak to a real person, please?", "Okay, thanks."],
  },
  phone_menu: {
    name: "phone_menu",
    outcome: "answers",
    ringMs: 2400,
    answeredBy: "human",
    replies: AGREES,
    menu: {
      prompt: "Thank you for calling. For appointments, press 1. For billing, press 2.",
      connects: { "1": "Appointments desk, this is Sam speaking." },
    },
  },
  keeps_talking: {
    name: "keeps_talking",
    outcome: "answers",
    ringMs: 2400,
    answeredBy: "human",
    replies: ["Hmm, let me think about that for a moment.", "Sorry, which day did you say it was?", "And who is this calling again?"],
    repeatsReplies: true,
  },
};

/** The documented magic numbers (README table). Any other number confirms. */
export const MAGIC_NUMBERS: Readonly<Record<string, ScenarioName>> = {
  "+14155550101": "confirms",
  "+14155550102": "declines",
  "+14155550103": "reschedules",
  "+14155550104": "busy",
  "+14155550105": "no_answer",
  "+14155550106": "voicemail",
  "+14155550107": "interrupts",
  "+14155550108": "hangs_up_early",
  "+14155550109": "silent",
  "+14155550110": "invalid_number",
  "+14155550111": "presses_digits",
  "+14155550112": "opts_out",
  "+14155550113": "asks_for_person",
  "+14155550114": "phone_menu",
  "+14155550115": "keeps_talking",
};

export function scenarioFor(to: string): Scenario {
  return SCENARIOS[MAGIC_NUMBERS[to] ?? "confirms"];
}

export const scenarioNamed = (name: ScenarioName): Scenario => SCENARIOS[name];
