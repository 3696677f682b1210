/**
 * The `session.update` Parley sends as soon as the model socket opens (GA shape). Mu-law in and
 * out, so the carrier's payloads pass through untouched; server VAD both answers the callee and
 * interrupts the agent, which is what makes barge-in work without Parley detecting speech itself.
 */
export const VOICES = ["alloy", "ash", "ballad", "coral", "echo", "sage", "shimmer", "verse", "marin", "cedar"] as const;
export type Voice = (typeof VOICES)[number];
export const DEFAULT_VOICE: Voice = "marin";

/** The speaking rates the Realtime API accepts. */
export const MIN_SPEED = 0.25;
export const MAX_SPEED = 1.5;

export const TRANSCRIPTION_MODEL = "gpt-4o-mini-transcribe";

export interface JsonSchemaObject {
  type: "object";
  properties: Record<string, Record<string, unknown>>;
  required?: string[];
  additionalProperties?: boolean;
}

export interface RealtimeTool {
  type: "function";
  name: string;
  description: string;
  parameters: JsonSchemaObject;
}

export const END_CALL_TOOL: RealtimeTool = {
  type: "function",
  name: "end_call",
  description:
    "Hang up the phone. Call this after you have said goodbye, when the conversation is over, or when you reached voicemail or the wrong person.",
  parameters: {
    type: "object",
    properties: {
      reason: { type: "string", description: "Why the call is ending, in a few words (e.g. \"appointment confirmed\")." },
    },
    required: [],
  },
};

const REASON = { type: "string", description: "Why, in a few words." } as const;

/** The callee asked not to be called again: their number joins the project's do-not-call list. */
export const DO_NOT_CALL_TOOL: RealtimeTool = {
  type: "function",
  name: "add_to_do_not_call",
  description:
    "Call this when the person asks not to be called again (\"stop calling me\", \"take me off your list\"). First acknowledge it once, briefly and politely; " +
    "their number is then never called again by this business and the call ends after your sentence.",
  parameters: { type: "object", properties: { reason: REASON }, required: [] },
};

/** Puts the callee through to a person (only offered when the call has a transfer number). */
export const TRANSFER_TOOL: RealtimeTool = {
  type: "function",
  name: "transfer_call",
  description:
    "Call this when the person asks to speak to a human, or when you cannot help them and a person can. First tell them you are putting them through; " +
    "the call is handed over after your sentence.",
  parameters: { type: "object", properties: { reason: REASON }, required: [] },
};

/** Presses keypad keys: the tones are played into the call, for phone menus. */
export const PRESS_DIGITS_TOOL: RealtimeTool = {
  type: "function",
  name: "press_digits",
  description:
    "Press keys on the phone's keypad, for example to choose an option in an automated phone menu (\"for appointments, press 1\"). " +
    "Do not say the digits aloud: the key tones are played into the call.",
  parameters: {
    type: "object",
    properties: { digits: { type: "string", description: "The keys to press in order: 0-9, * and #." } },
    required: ["digits"],
  },
};

export interface SessionOptions {
  instructions: string;
  voice?: string;
  speed?: number;
  /** The callee's language (BCP 47 or ISO-639-1); it makes the callee's transcript more accurate. */
  language?: string | null;
  /** Defaults to `[END_CALL_TOOL]`: every call agent must be able to hang up. */
  tools?: RealtimeTool[];
}

export interface SessionUpdateEvent {
  type: "session.update";
  session: {
    type: "realtime";
    instructions: string;
    output_modalities: ["audio"];
    audio: {
      input: {
        format: { type: "audio/pcmu" };
        transcription: { model: typeof TRANSCRIPTION_MODEL; language?: string };
        turn_detection: {
          type: "server_vad";
          threshold: number;
          prefix_padding_ms: number;
          silence_duration_ms: number;
          create_response: true;
          interrupt_response: true;
        };
      };
      output: { format: { type: "audio/pcmu" }; voice: Voice; speed: number };
    };
    tools: RealtimeTool[];
    tool_choice: "auto";
  };
}

export function buildSessionUpdate(o: SessionOptions): SessionUpdateEvent {
  const language = transcriptionLanguage(o.language);
  return {
    type: "session.update",
    session: {
      type: "realtime",
      instructions: o.instructions,
      output_modalities: ["audio"],
      audio: {
        input: {
          format: { type: "audio/pcmu" },
          transcription: language ? { model: TRANSCRIPTION_MODEL, language } : { model: TRANSCRIPTION_MODEL },
          turn_detection: {
            type: "server_vad",
            threshold: 0.5,
            prefix_padding_ms: 300,
            silence_duration_ms: 500,
            create_response: true,
            interrupt_response: true,
          },
        },
        output: { format: { type: "audio/pcmu" }, voice: voiceOrDefault(o.voice), speed: speedInRange(o.speed) },
      },
      tools: o.tools ?? [END_CALL_TOOL],
      tool_choice: "auto",
    },
  };
}

export function isVoice(value: unknown): value is Voice {
  return typeof value === "string" && (VOICES as readonly string[]).includes(value);
}

// Voice settings are free-form JSON on the agent; an unknown voice would make the model refuse
// the whole session.update, so the call goes ahead with the default voice instead.
function voiceOrDefault(voice: string | undefined): Voice {
  const normalized = voice?.trim().toLowerCase();
  return isVoice(normalized) ? normalized : DEFAULT_VOICE;
}

function speedInRange(speed: number | undefined): number {
  if (speed === undefined || !Number.isFinite(speed)) return 1.0;
  return Math.min(MAX_SPEED, Math.max(MIN_SPEED, speed));
}

/** The transcriber wants ISO-639-1 ("en"), while agents and customers store BCP 47 ("en-US"). */
function transcriptionLanguage(language: string | null | undefined): string | undefined {
  const primary = language?.trim().split(/[-_]/)[0]?.toLowerCase();
  return primary && /^[a-z]{2}$/.test(primary) ? primary : undefined;
}
