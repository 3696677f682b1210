/**
 * The OpenAI Realtime (GA) events Parley reads and writes. Server events are validated down to
 * the fields the call engine relies on: a known event with a wrong shape is treated like garbage
 * (null) so nothing downstream acts on half an event. Unknown types pass through as `unknown`
 * because the API adds events over time and most are safe to ignore.
 */
export interface RealtimeErrorDetail {
  type: string;
  code: string | null;
  message: string;
  param?: string | null;
  event_id?: string | null;
}

export type ResponseStatus = "completed" | "cancelled" | "failed" | "incomplete" | "in_progress";

export interface RealtimeResponse {
  id: string;
  status: ResponseStatus | (string & {});
  status_details: Record<string, unknown> | null;
  output: Record<string, unknown>[];
  usage: Record<string, unknown> | null;
}

interface ItemRef {
  response_id: string;
  item_id: string;
}

export type ModelEvent =
  | { type: "session.created"; session: Record<string, unknown> }
  | { type: "session.updated"; session: Record<string, unknown> }
  | { type: "response.created"; response: RealtimeResponse }
  | ({ type: "response.output_audio.delta"; delta: string } & ItemRef)
  | ({ type: "response.output_audio.done" } & ItemRef)
  | ({ type: "response.output_audio_transcript.delta"; delta: string } & ItemRef)
  | ({ type: "response.output_audio_transcript.done"; transcript: string } & ItemRef)
  | { type: "conversation.item.input_audio_transcription.completed"; item_id: string; transcript: string }
  | { type: "input_audio_buffer.speech_started"; audio_start_ms: number; item_id: string }
  | { type: "input_audio_buffer.speech_stopped"; audio_end_ms: number; item_id: string }
  | ({ type: "response.function_call_arguments.done"; call_id: string; name: string; arguments: string } & ItemRef)
  | { type: "response.output_item.done"; response_id: string; item: Record<string, unknown> }
  | { type: "response.done"; response: RealtimeResponse }
  | { type: "error"; error: RealtimeErrorDetail }
  | { type: "unknown"; raw: Record<string, unknown> };

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);
const isString = (v: unknown): v is string => typeof v === "string";
const isMs = (v: unknown): v is number => typeof v === "number" && Number.isFinite(v) && v >= 0;
const has = (o: Json, test: (v: unknown) => boolean, ...keys: string[]) => keys.every((k) => test(o[k]));

function response(v: unknown): RealtimeResponse | null {
  if (!isObject(v) || !isString(v.id)) return null;
  const output = Array.isArray(v.output) ? v.output.filter(isObject) : [];
  return {
    id: v.id,
    status: isString(v.status) ? v.status : "in_progress",
    status_details: isObject(v.status_details) ? v.status_details : null,
    output,
    usage: isObject(v.usage) ? v.usage : null,
  };
}

function itemRef(o: Json): ItemRef | null {
  return has(o, isString, "response_id", "item_id") ? { response_id: o.response_id as string, item_id: o.item_id as string } : null;
}

/** Reads one server event; null for anything that is not a well-formed event. */
export function parseModelEvent(data: string): ModelEvent | null {
  let o: unknown;
  try {
    o = JSON.parse(data);
  } catch {
    return null;
  }
  if (!isObject(o) || !isString(o.type)) return null;
  switch (o.type) {
    case "session.created":
    case "session.updated":
      return isObject(o.session) ? { type: o.type, session: o.session } : null;
    case "response.created":
    case "response.done": {
      const r = response(o.response);
      return r ? { type: o.type, response: r } : null;
    }
    case "response.output_audio.delta":
      // Fifty a second per call: the parsed event is handed on as it is, not copied field by field.
      return isString(o.response_id) && isString(o.item_id) && isString(o.delta) ? (o as ModelEvent) : null;
    case "response.output_audio_transcript.delta": {
      const ref = itemRef(o);
      return ref && isString(o.delta) ? { type: o.type, ...ref, delta: o.delta } : null;
    }
    case "response.output_audio.done": {
      const ref = itemRef(o);
      return ref ? { type: o.type, ...ref } : null;
    }
    case "response.output_audio_transcript.done": {
      const ref = itemRef(o);
      return ref && isString(o.transcript) ? { type: o.type, ...ref, transcript: o.transcript } : null;
    }
    case "conversation.item.input_audio_transcription.completed":
      return has(o, isString, "item_id", "transcript")
        ? { type: o.type, item_id: o.item_id as string, transcript: o.transcript as string }
        : null;
    case "input_audio_buffer.speech_started":
      return isString(o.item_id) && isMs(o.audio_start_ms) ? { type: o.type, item_id: o.item_id, audio_start_ms: o.audio_start_ms } : null;
    case "input_audio_buffer.speech_stopped":
      return isString(o.item_id) && isMs(o.audio_end_ms) ? { type: o.type, item_id: o.item_id, audio_end_ms: o.audio_end_ms } : null;
    case "response.function_call_arguments.done": {
      const ref = itemRef(o);
      return ref && has(o, isString, "call_id", "name", "arguments")
        ? { type: o.type, ...ref, call_id: o.call_id as string, name: o.name as string, arguments: o.arguments as string }
        : null;
    }
    case "response.output_item.done":
      return isString(o.response_id) && isObject(o.item) ? { type: o.type, response_id: o.response_id, item: o.item } : null;
    case "error": {
      const e = o.error;
      if (!isObject(e) || !isString(e.message)) return null;
      const error: RealtimeErrorDetail = { type: isString(e.type) ? e.type : "error", code: isString(e.code) ? e.code : null, message: e.message };
      if (isString(e.param) || e.param === null) error.param = e.param;
      if (isString(e.event_id) || e.event_id === null) error.event_id = e.event_id;
      return { type: "error", error };
    }
    default:
      return { type: "unknown", raw: o };
  }
}

// Client events. Builders return event objects (send them with JSON.stringify) so that a
// forgotten or doubled encoding is a type error instead of a silently broken frame.
export interface AppendAudioEvent { type: "input_audio_buffer.append"; audio: string }
export interface CreateResponseEvent { type: "response.create"; response?: { instructions: string } }
export interface CancelResponseEvent { type: "response.cancel" }
export interface TruncateItemEvent { type: "conversation.item.truncate"; item_id: string; content_index: 0; audio_end_ms: number }
export interface CreateItemEvent<Item> { type: "conversation.item.create"; item: Item }
export interface FunctionCallOutputItem { type: "function_call_output"; call_id: string; output: string }
export interface UserMessageItem { type: "message"; role: "user"; content: [{ type: "input_text"; text: string }] }

export type ClientEvent =
  | AppendAudioEvent
  | CreateResponseEvent
  | CancelResponseEvent
  | TruncateItemEvent
  | CreateItemEvent<FunctionCallOutputItem | UserMessageItem>;

/**
 * Callee audio for the model, base64 mu-law exactly as the carrier sent it, as the text sent: fifty
 * a second per call, so a string, not an object to stringify. `b64` must be base64 (it goes in unescaped).
 */
export const appendAudioMessage = (b64: string): string => `{"type":"input_audio_buffer.append","audio":"${b64}"}`;

/** Without instructions the model answers the conversation so far; with them, they replace the session's for this turn. */
export const createResponse = (instructions?: string): CreateResponseEvent =>
  instructions === undefined ? { type: "response.create" } : { type: "response.create", response: { instructions } };

export const cancelResponse = (): CancelResponseEvent => ({ type: "response.cancel" });

/** Cuts an assistant item to what the callee heard; the API refuses fractions and points beyond its audio. */
export const truncateItem = (itemId: string, audioEndMs: number): TruncateItemEvent => ({
  type: "conversation.item.truncate",
  item_id: itemId,
  content_index: 0,
  audio_end_ms: Math.max(0, Math.floor(audioEndMs)),
});

export const functionCallOutput = (callId: string, output: string): CreateItemEvent<FunctionCallOutputItem> => ({
  type: "conversation.item.create",
  item: { type: "function_call_output", call_id: callId, output },
});

export const userText = (text: string): CreateItemEvent<UserMessageItem> => ({
  type: "conversation.item.create",
  item: { type: "message", role: "user", content: [{ type: "input_text", text }] },
});
