import { base64ToBytes } from "../../audio/mulaw";
import { errorEvent, isObject, type Json, realtimeId, type ServerEvent } from "./wire";

/**
 * Validation of the client events the emulated model accepts. A bad event is refused the way
 * OpenAI refuses it — an `error` event naming the client's event id — and the session goes on.
 */
export class Refusal extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly param: string | null = null,
  ) {
    super(message);
  }

  toEvent(clientEventId: unknown): ServerEvent {
    return errorEvent(this.code, this.message, this.param, clientEventId);
  }
}

export function refuse(code: string, message: string, param: string | null = null): never {
  throw new Refusal(code, message, param);
}

function missing(param: string): never {
  refuse("missing_required_parameter", `Missing required parameter: '${param}'.`, param);
}

/** The JSON object of one text frame, with its type. */
export function parseClientEvent(message: string | ArrayBuffer): Json & { type: string } {
  if (typeof message !== "string") refuse("invalid_json", "Binary frames are not supported: send JSON text events.");
  let event: unknown;
  try {
    event = JSON.parse(message);
  } catch {
    refuse("invalid_json", "The event could not be parsed as JSON.");
  }
  if (!isObject(event) || typeof event.type !== "string") missing("type");
  return event as Json & { type: string };
}

export function sessionOf(event: Json): Json {
  const session = event.session;
  if (!isObject(session)) missing("session");
  if (session.type !== undefined && session.type !== "realtime") {
    refuse("invalid_value", "Invalid value: 'session.type'. This session is a 'realtime' session.", "session.type");
  }
  return session;
}

export function audioOf(event: Json): Uint8Array {
  if (typeof event.audio !== "string") missing("audio");
  try {
    return base64ToBytes(event.audio);
  } catch {
    refuse("invalid_value", "Invalid 'audio': expected base64-encoded audio.", "audio");
  }
}

export function truncationOf(event: Json): { itemId: string; audioEndMs: number } {
  const { item_id: itemId, audio_end_ms: audioEndMs, content_index: contentIndex } = event;
  if (typeof itemId !== "string") missing("item_id");
  if (typeof audioEndMs !== "number" || !Number.isInteger(audioEndMs) || audioEndMs < 0) {
    refuse("invalid_value", "Invalid 'audio_end_ms': expected a non-negative integer.", "audio_end_ms");
  }
  if (contentIndex !== undefined && contentIndex !== 0) {
    refuse("invalid_value", "Invalid 'content_index': the item has one audio part, at index 0.", "content_index");
  }
  return { itemId, audioEndMs };
}

/** A `conversation.item.create` item as stored, and any words a user message item carries. */
export function itemOf(event: Json): { item: Json; userText: string | null } {
  const item = event.item;
  if (!isObject(item)) missing("item");
  let userText: string | null = null;
  if (item.type === "function_call_output") {
    if (typeof item.call_id !== "string") missing("item.call_id");
    if (typeof item.output !== "string") missing("item.output");
  } else if (item.type === "message" && Array.isArray(item.content)) {
    const parts = item.content.flatMap((part) => (isObject(part) && typeof part.text === "string" ? [part.text] : []));
    if (item.role === "user" && parts.length > 0) userText = parts.join(" ");
  } else {
    refuse("invalid_value", "Invalid 'item.type': expected 'message' or 'function_call_output'.", "item.type");
  }
  const id = typeof item.id === "string" ? item.id : realtimeId("item");
  return { item: { ...item, id, object: "realtime.item", status: "completed" }, userText };
}
