/**
 * The two TwiML documents Parley hands Twilio: one that bridges the call to Parley's media
 * WebSocket, and one that hangs up. Built as strings because they are tiny and fixed; every
 * value that came from outside is escaped so it cannot add verbs or attributes.
 */

/** Twilio refuses inline `Twiml` longer than this, so a longer document is a bug here, not there. */
export const TWIML_MAX_CHARS = 4000;

// Characters XML 1.0 cannot carry at all, not even as references (NUL, most C0 controls, lone
// surrogates, U+FFFE/U+FFFF). Escaping cannot save them, so they are refused.
const NOT_XML = /[^\t\n\r\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;

const ENTITIES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&apos;",
  // Parsers turn raw whitespace in attribute values into spaces; references keep it as sent.
  "\t": "&#9;",
  "\n": "&#10;",
  "\r": "&#13;",
};

function attribute(value: string, what: string): string {
  if (NOT_XML.test(value)) throw new TypeError(`The ${what} contains a character XML cannot carry.`);
  return value.replace(/[&<>"'\t\n\r]/g, (ch) => ENTITIES[ch]!);
}

/**
 * Twilio rejects a `<Stream url>` with a query string (error 31920) and needs a WebSocket
 * scheme; failing here names the mistake before a phone rings. Secrets belong in parameters,
 * which arrive in the stream's `start.customParameters` and never in logs of URLs.
 */
function checkStreamUrl(streamUrl: string): void {
  let url: URL;
  try {
    url = new URL(streamUrl);
  } catch {
    throw new TypeError(`The media stream URL "${streamUrl}" is not a valid URL.`);
  }
  if (url.protocol !== "wss:" && url.protocol !== "ws:") {
    throw new TypeError(`The media stream URL must use wss:// (or ws://), not ${url.protocol}//.`);
  }
  // `new URL` drops a bare "?" or "#", so look at the text as Twilio will.
  if (streamUrl.includes("?") || streamUrl.includes("#")) {
    throw new TypeError("The media stream URL cannot carry a query string or fragment: pass values as parameters.");
  }
}

function document(body: string): string {
  const twiml = `<Response>${body}</Response>`;
  if (twiml.length > TWIML_MAX_CHARS) {
    throw new RangeError(`The TwiML is ${twiml.length} characters; Twilio accepts at most ${TWIML_MAX_CHARS}.`);
  }
  return twiml;
}

/** `<Connect><Stream>`: Twilio opens a bidirectional media stream to `streamUrl` once answered. */
export function connectStreamTwiml(streamUrl: string, parameters: Record<string, string>): string {
  checkStreamUrl(streamUrl);
  const params = Object.entries(parameters)
    .map(([name, value]) => `<Parameter name="${attribute(name, "parameter name")}" value="${attribute(value, `parameter "${name}"`)}"/>`)
    .join("");
  return document(`<Connect><Stream url="${attribute(streamUrl, "media stream URL")}">${params}</Stream></Connect>`);
}

/** Replacing a live call's TwiML with this ends it, stream and all. */
export function hangupTwiml(): string {
  return document("<Hangup/>");
}

/**
 * Replacing a live call's TwiML with this puts the callee through to `number` (E.164): Twilio ends
 * the media stream, dials the number and bridges the two; the call ends when either hangs up.
 */
export function dialTwiml(number: string): string {
  if (!/^\+[1-9]\d{6,14}$/.test(number)) throw new TypeError(`The transfer number "${number}" is not in E.164 form.`);
  return document(`<Dial>${number}</Dial>`);
}
