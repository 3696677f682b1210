/**
 * The shapes of the OpenAI Realtime (GA) protocol the emulated model speaks: ids, the session it
 * starts with, how a `session.update` is applied and what the turn-detection settings mean.
 */
export type ServerEvent = { type: string } & Record<string, unknown>;
export type Json = Record<string, unknown>;

/** Ids shaped like OpenAI's (`event_…`, `item_…`, `resp_…`, `call_…`). */
export function realtimeId(prefix: "event" | "item" | "resp" | "call"): string {
  return `${prefix}_${crypto.randomUUID().replace(/-/g, "").slice(0, 20)}`;
}

/** The session id names the Durable Object, so a test or the call engine can reach its observations. */
export const sessionIdFor = (objectId: string) => `sess_${objectId}`;
export const objectIdOf = (sessionId: string) => sessionId.replace(/^sess_/, "");

export function defaultSession(id: string, model: string): Json {
  return {
    type: "realtime",
    object: "realtime.session",
    id,
    model,
    output_modalities: ["audio"],
    instructions: "",
    audio: {
      input: {
        format: { type: "audio/pcm", rate: 24000 },
        transcription: null,
        noise_reduction: null,
        turn_detection: {
          type: "server_vad",
          threshold: 0.5,
          prefix_padding_ms: 300,
          silence_duration_ms: 500,
          idle_timeout_ms: null,
          create_response: true,
          interrupt_response: true,
        },
      },
      output: { format: { type: "audio/pcm", rate: 24000 }, voice: "alloy", speed: 1 },
    },
    tools: [],
    tool_choice: "auto",
    max_output_tokens: "inf",
    tracing: null,
    truncation: "auto",
    prompt: null,
  };
}

export const isObject = (value: unknown): value is Json =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** `session.update` changes only the fields it names, at any depth; arrays and nulls replace. */
export function mergeSession(current: Json, update: Json): Json {
  const merged: Json = { ...current };
  for (const [key, value] of Object.entries(update)) {
    if (key === "id" || key === "object") continue;
    const before = merged[key];
    merged[key] = isObject(value) && isObject(before) ? mergeSession(before, value) : value;
  }
  return merged;
}

export interface TurnDetection {
  silenceMs: number;
  prefixPaddingMs: number;
  createResponse: boolean;
  interruptResponse: boolean;
}

/** Server-side turn detection as configured, or null when the client commits turns itself. */
export function turnDetection(session: Json): TurnDetection | null {
  const audio = isObject(session.audio) ? session.audio : {};
  const input = isObject(audio.input) ? audio.input : {};
  const detection = input.turn_detection;
  if (!isObject(detection)) return null;
  const number = (value: unknown, fallback: number) =>
    typeof value === "number" && Number.isFinite(value) && value >= 0 ? value : fallback;
  return {
    // semantic_vad has no silence setting; its "auto" eagerness waits about as long as server_vad.
    silenceMs: number(detection.silence_duration_ms, 500),
    prefixPaddingMs: number(detection.prefix_padding_ms, 300),
    createResponse: detection.create_response !== false,
    interruptResponse: detection.interrupt_response !== false,
  };
}

/** True when the session offers the model a function with this name. */
export function offersTool(session: Json, name: string): boolean {
  return Array.isArray(session.tools) && session.tools.some((tool) => isObject(tool) && tool.name === name);
}

export function errorEvent(code: string, message: string, param: string | null, clientEventId: unknown): ServerEvent {
  return {
    type: "error",
    error: {
      type: "invalid_request_error",
      code,
      message,
      param,
      event_id: typeof clientEventId === "string" ? clientEventId : null,
    },
  };
}
