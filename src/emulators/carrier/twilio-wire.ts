import { bytesToBase64 } from "../../audio/mulaw";

/**
 * The emulated carrier's own reading and writing of Twilio's formats. It deliberately shares no
 * code with Parley's Twilio adapter (src/telephony): an emulator that reused the adapter's
 * signing or TwiML code would agree with it even where both were wrong.
 */
export const API_VERSION = "2010-04-01";

export function newSid(prefix: "CA" | "MZ"): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return prefix + Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** Twilio's dates: RFC 2822, e.g. "Tue, 31 Aug 2010 20:36:28 +0000". */
export const rfc2822 = (date: Date) => date.toUTCString().replace("GMT", "+0000");

export interface TwilioErrorBody {
  code: number;
  message: string;
  more_info: string;
  status: number;
}

export function twilioError(status: number, code: number, message: string): TwilioErrorBody {
  return { code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status };
}

/**
 * X-Twilio-Signature: base64(HMAC-SHA1(authToken, url + each parameter name and value, names
 * sorted)). A repeated parameter contributes each distinct value, sorted (as twilio-node does).
 */
export async function signTwilioRequest(authToken: string, url: string, params: Record<string, string | string[]>): Promise<string> {
  let data = url;
  for (const name of Object.keys(params).sort()) {
    const value = params[name]!;
    const values = Array.isArray(value) ? [...new Set(value)].sort() : [value];
    for (const v of values) data += name + v;
  }
  const encoder = new TextEncoder();
  const key = await crypto.subtle.importKey("raw", encoder.encode(authToken), { name: "HMAC", hash: "SHA-1" }, false, ["sign"]);
  return bytesToBase64(new Uint8Array(await crypto.subtle.sign("HMAC", key, encoder.encode(data))));
}

/** What the emulator acts on in a TwiML document. Verbs it cannot play are ignored. */
export interface TwimlPlan {
  /** `<Connect><Stream url>` with its `<Parameter>`s, if any. */
  stream: { url: string; parameters: Record<string, string> } | null;
  /** Seconds of `<Pause>` (default length 1) before the document runs out. */
  pauseSeconds: number;
  hangup: boolean;
  /** `<Dial>`: the number the call is connected to (the text, or its `<Number>`), if any. */
  dial: string | null;
}

const ENTITIES: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" };

function unescapeXml(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#[0-9]+|[a-z]+);/gi, (whole, entity: string) => {
    if (entity[0] === "#") {
      const code = entity[1] === "x" || entity[1] === "X" ? Number.parseInt(entity.slice(2), 16) : Number(entity.slice(1));
      return Number.isFinite(code) ? String.fromCodePoint(code) : whole;
    }
    return ENTITIES[entity] ?? whole;
  });
}

function attributes(tagBody: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of tagBody.matchAll(/([A-Za-z_][\w.-]*)\s*=\s*(?:"([^"]*)"|'([^']*)')/g)) {
    out[m[1]!] = unescapeXml(m[2] ?? m[3] ?? "");
  }
  return out;
}

export function readTwiml(xml: string): TwimlPlan {
  const connect = /<Connect\b[^>]*>([\s\S]*?)<\/Connect>/.exec(xml);
  const streamTag = connect ? /<Stream\b([^>]*?)(?:\/>|>([\s\S]*?)<\/Stream>)/.exec(connect[1]!) : null;
  let stream: TwimlPlan["stream"] = null;
  if (streamTag) {
    const parameters: Record<string, string> = {};
    for (const p of (streamTag[2] ?? "").matchAll(/<Parameter\b([^>]*?)\/?>/g)) {
      const { name, value } = attributes(p[1]!);
      if (name !== undefined) parameters[name] = value ?? "";
    }
    stream = { url: attributes(streamTag[1]!).url ?? "", parameters };
  }
  let pauseSeconds = 0;
  for (const p of xml.matchAll(/<Pause\b([^>]*?)\/?>/g)) {
    const length = Number(attributes(p[1]!).length ?? 1);
    pauseSeconds += Number.isFinite(length) && length > 0 ? length : 1;
  }
  const dialTag = /<Dial\b[^>]*>([\s\S]*?)<\/Dial>/.exec(xml);
  const dialled = dialTag ? (/<Number\b[^>]*>([\s\S]*?)<\/Number>/.exec(dialTag[1]!)?.[1] ?? dialTag[1]!) : null;
  const dial = dialled === null ? null : unescapeXml(dialled.trim()) || null;
  return { stream, pauseSeconds, hangup: /<Hangup\b[^>]*\/?>/.test(xml), dial };
}

/**
 * Why Twilio would refuse a `<Stream url>` (error 31920), or null if it is fine: it must be an
 * absolute ws(s) URL without a query string.
 */
export function streamUrlProblem(url: string): string | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return `Stream url "${url}" is not a valid URL.`;
  }
  if (parsed.protocol !== "wss:" && parsed.protocol !== "ws:") return `Stream url "${url}" must use the wss:// scheme.`;
  if (parsed.search) return `Stream url "${url}" must not carry a query string.`;
  return null;
}

/** The HTTP URL the WebSocket handshake is sent to (Workers open sockets with fetch). */
export const handshakeUrl = (streamUrl: string) => streamUrl.replace(/^wss:/i, "https:").replace(/^ws:/i, "http:");

export function isHttpUrl(value: string): boolean {
  try {
    const { protocol, hostname } = new URL(value);
    return (protocol === "https:" || protocol === "http:") && hostname.length > 0;
  } catch {
    return false;
  }
}
