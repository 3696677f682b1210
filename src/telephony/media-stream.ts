import { z } from "zod";

/**
 * Twilio Media Streams, the JSON spoken on the call's WebSocket. Anything can arrive on that
 * socket, so parsing never throws: a frame is either a message of the documented shape or an
 * `{ error }` the call session can log and count (Twilio itself calls these errors 31950/31951).
 */

/** Far above a 20 ms frame (~400 bytes of JSON), far below what could hurt the call's memory. */
export const MAX_FRAME_BYTES = 64 * 1024;

// Twilio sends sequence numbers, chunks and timestamps as strings; the protocol says so, and a
// number there means the sender is not Twilio.
const text = z.string();
// Only the format gets a custom message; a missing payload keeps zod's "expected string".
const base64 = z.base64({ error: (issue) => (issue.code === "invalid_format" ? "Not base64" : undefined) });
// Only these fields are read; the object schemas strip others, so Twilio can add fields freely.
const envelope = { sequenceNumber: text, streamSid: text };

const connected = z.object({ event: z.literal("connected"), protocol: text, version: text });

const start = z
  .object({
    event: z.literal("start"),
    ...envelope,
    start: z.object({
      accountSid: text,
      streamSid: text,
      callSid: text,
      tracks: z.array(text),
      // Absent when the TwiML had no <Parameter>: that is "no parameters", for the token check.
      customParameters: z.record(text, text).default({}),
      mediaFormat: z.object({ encoding: text, sampleRate: z.number(), channels: z.number() }),
    }),
  })
  .refine((m) => m.start.streamSid === m.streamSid, { error: "Differs from streamSid", path: ["start", "streamSid"] });

const media = z.object({
  event: z.literal("media"),
  ...envelope,
  media: z.object({ track: text, chunk: text, timestamp: text, payload: base64 }),
});

const mark = z.object({ event: z.literal("mark"), ...envelope, mark: z.object({ name: text }) });

const dtmf = z.object({ event: z.literal("dtmf"), ...envelope, dtmf: z.object({ track: text, digit: text }) });

const stop = z.object({ event: z.literal("stop"), ...envelope, stop: z.object({ accountSid: text, callSid: text }) });

const carrierMessage = z.discriminatedUnion("event", [connected, start, media, mark, dtmf, stop]);

export type CarrierMessage = z.infer<typeof carrierMessage>;
export type ConnectedMessage = z.infer<typeof connected>;
export type StartMessage = z.infer<typeof start>;
export type MediaMessage = z.infer<typeof media>;
export type MarkMessage = z.infer<typeof mark>;
export type DtmfMessage = z.infer<typeof dtmf>;
export type StopMessage = z.infer<typeof stop>;
export type CarrierEvent = CarrierMessage["event"];

const EVENTS: readonly string[] = ["connected", "start", "media", "mark", "dtmf", "stop"] satisfies CarrierEvent[];

const encoder = new TextEncoder();

function tooLarge(data: string): boolean {
  // UTF-8 takes 1 to 3 bytes per UTF-16 unit, so most frames are decided without encoding them.
  if (data.length > MAX_FRAME_BYTES) return true;
  if (data.length * 3 <= MAX_FRAME_BYTES) return false;
  return encoder.encode(data).byteLength > MAX_FRAME_BYTES;
}

function explain(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return "The message does not have the shape of its event.";
  const where = issue.path.length ? issue.path.join(".") : "message";
  return `${where}: ${issue.message}.`;
}

// zod's own base64 pattern, so the fast path below accepts exactly what the schema accepts.
const BASE64 = /^$|^(?:[0-9a-zA-Z+/]{4})*(?:(?:[0-9a-zA-Z+/]{2}==)|(?:[0-9a-zA-Z+/]{3}=))?$/;
const isText = (value: unknown): value is string => typeof value === "string";

/**
 * The hot path: fifty `media` frames a second per call (and as many marks). A well-formed one is read by hand into
 * the same shape the schema gives; anything else goes through the schema, whose error names the
 * field, so hand-reading changes speed only, never what is accepted or what an error says.
 */
function wellFormedMedia(json: Record<string, unknown>): MediaMessage | null {
  const { sequenceNumber, streamSid, media } = json;
  if (!isText(sequenceNumber) || !isText(streamSid) || typeof media !== "object" || media === null) return null;
  const { track, chunk, timestamp, payload } = media as Record<string, unknown>;
  if (!isText(track) || !isText(chunk) || !isText(timestamp) || !isText(payload) || !BASE64.test(payload)) return null;
  // The parsed object itself, not a copy: its fields are the message's (others are never read).
  return json as unknown as MediaMessage;
}

/** The other frame that comes fifty times a second: the echo of each mark Parley sent. */
function wellFormedMark(json: Record<string, unknown>): MarkMessage | null {
  const { sequenceNumber, streamSid, mark } = json;
  if (!isText(sequenceNumber) || !isText(streamSid) || typeof mark !== "object" || mark === null) return null;
  const { name } = mark as Record<string, unknown>;
  return isText(name) ? (json as unknown as MarkMessage) : null;
}

export function parseCarrierMessage(data: string | ArrayBuffer): CarrierMessage | { error: string } {
  try {
    if (typeof data !== "string") return { error: "Binary frames are not part of the Media Streams protocol (31950)." };
    if (tooLarge(data)) return { error: `The frame is larger than ${MAX_FRAME_BYTES} bytes.` };
    let json: unknown;
    try {
      json = JSON.parse(data);
    } catch {
      return { error: "The frame is not valid JSON." };
    }
    if (typeof json !== "object" || json === null || Array.isArray(json)) return { error: "The frame is not a JSON object." };
    const event = (json as { event?: unknown }).event;
    if (typeof event !== "string" || !EVENTS.includes(event)) {
      return { error: `Unknown event ${JSON.stringify(event ?? null).slice(0, 40)}.` };
    }
    const fast = event === "media" ? wellFormedMedia(json as Record<string, unknown>) : event === "mark" ? wellFormedMark(json as Record<string, unknown>) : null;
    if (fast) return fast;
    const parsed = carrierMessage.safeParse(json);
    return parsed.success ? parsed.data : { error: explain(parsed.error) };
  } catch {
    // Nothing above should throw; this keeps a hostile frame from ever taking the call down.
    return { error: "The frame could not be read." };
  }
}

// Messages Parley sends: Twilio plays `media` payloads in order, echoes a `mark` once the audio
// before it has played (or been flushed), and `clear` flushes whatever has not played yet.

// Fifty of each a second per call, so written as strings rather than objects to stringify.

/** `payloadB64` must be base64 (nothing in it needs escaping): it goes in as it is. */
export function mediaMessage(streamSid: string, payloadB64: string): string {
  return `{"event":"media","streamSid":${JSON.stringify(streamSid)},"media":{"payload":"${payloadB64}"}}`;
}

export function markMessage(streamSid: string, name: string): string {
  return `{"event":"mark","streamSid":${JSON.stringify(streamSid)},"mark":{"name":${JSON.stringify(name)}}}`;
}

export function clearMessage(streamSid: string): string {
  return JSON.stringify({ event: "clear", streamSid });
}
