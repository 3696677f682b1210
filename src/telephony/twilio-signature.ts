/**
 * X-Twilio-Signature: base64(HMAC-SHA1(auth token, url + sorted name/value pairs)). Web Crypto
 * only, so the same code runs in Workers and in the Node tests that hold it to the official
 * `twilio` package's `getExpectedTwilioSignature` and `validateRequest`.
 */

export type SignedParams = Record<string, string | string[]>;

const encoder = new TextEncoder();

/**
 * The signed text, exactly as twilio-node builds it: names in code-unit order, a repeated
 * name once per distinct value with the values sorted too (duplicates count once).
 */
function signedData(url: string, params: SignedParams): string {
  let data = url;
  for (const name of Object.keys(params).sort()) {
    const value = params[name]!;
    const values = Array.isArray(value) ? Array.from(new Set(value)).sort() : [value];
    for (const v of values) data += name + v;
  }
  return data;
}

async function signer(authToken: string): Promise<(data: string) => Promise<string>> {
  const key = await crypto.subtle.importKey("raw", encoder.encode(authToken), { name: "HMAC", hash: "SHA-1" }, false, ["sign"]);
  return async (data) => {
    const mac = new Uint8Array(await crypto.subtle.sign("HMAC", key, encoder.encode(data)));
    return btoa(String.fromCharCode(...mac));
  };
}

export async function computeTwilioSignature(authToken: string, url: string, params: SignedParams): Promise<string> {
  return (await signer(authToken))(signedData(url, params));
}

/** Compares without an early exit, so timing does not reveal how much of a forgery was right. */
function constantTimeEqual(a: string, b: string): boolean {
  if (a.length !== b.length) return false; // the expected length is fixed by SHA-1, not secret
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

/**
 * Checks a callback's signature against the URL Parley expects it on (build it from the
 * configured public origin, never from request headers). Twilio has signed some URLs with the
 * default port and some without, and older back ends signed a normalized or re-encoded form,
 * so this accepts the same variants `twilio.validateRequest` does and no others. An empty auth
 * token verifies nothing: anyone could sign with it.
 */
export async function verifyTwilioSignature(
  authToken: string,
  url: string,
  params: SignedParams,
  signature: string | null | undefined,
): Promise<boolean> {
  if (!authToken || !signature) return false;
  const sign = await signer(authToken);
  for (const candidate of urlVariants(url)) {
    if (constantTimeEqual(signature, await sign(signedData(candidate, params)))) return true;
  }
  return false;
}

// --- The URL forms twilio-node tries, in its order -------------------------------------------

interface UrlParts {
  scheme: string;
  userInfo: string;
  host: string;
  port: string;
  rest: string;
}

/** Splits without normalizing, so the path and query keep the exact characters Twilio signed. */
function splitUrl(url: string): UrlParts | null {
  const match = /^([a-z][a-z0-9+.-]*:\/\/)([^/?#]*)/i.exec(url);
  if (!match) return null;
  const [prefix, scheme, authority] = match as unknown as [string, string, string];
  const userInfoEnd = authority.lastIndexOf("@");
  const hostAndPort = authority.slice(userInfoEnd + 1);
  // In an IPv6 literal the colons before "]" are not the port's.
  const portStart = hostAndPort.indexOf(":", hostAndPort.lastIndexOf("]") + 1);
  return {
    scheme,
    userInfo: authority.slice(0, userInfoEnd + 1),
    host: portStart === -1 ? hostAndPort : hostAndPort.slice(0, portStart),
    port: portStart === -1 ? "" : hostAndPort.slice(portStart),
    rest: url.slice(prefix.length),
  };
}

function withoutPort(url: string): string {
  const p = splitUrl(url);
  return p ? p.scheme + p.userInfo + p.host + p.rest : url;
}

function withDefaultPort(url: string): string {
  const p = splitUrl(url);
  if (!p || p.port) return url;
  return p.scheme + p.userInfo + p.host + (p.scheme.toLowerCase() === "https://" ? ":443" : ":80") + p.rest;
}

/** Node's legacy `querystring.unescape`: strict UTF-8 when possible, byte by byte otherwise. */
function unescapeLegacy(text: string): string {
  const spaced = text.replace(/\+/g, " ");
  try {
    return decodeURIComponent(spaced);
  } catch {
    const bytes: number[] = [];
    for (let i = 0; i < spaced.length; i++) {
      const hex = spaced.slice(i + 1, i + 3);
      if (spaced[i] === "%" && /^[0-9a-f]{2}$/i.test(hex)) {
        bytes.push(Number.parseInt(hex, 16));
        i += 2;
      } else {
        bytes.push(spaced.charCodeAt(i)); // only normalized, hence ASCII, URLs come here
      }
    }
    return new TextDecoder().decode(new Uint8Array(bytes));
  }
}

/** The query as Node's `querystring.stringify(querystring.parse(query))` rewrites it. */
function withLegacyQuerystring(url: string): string {
  const start = url.indexOf("?");
  if (start === -1 || start === url.length - 1) return url;
  // A null-prototype object, like Node's, so names such as "__proto__" stay plain data and
  // integer-like names move first exactly as they do there.
  const parsed: Record<string, string[]> = Object.create(null);
  // Node reads at most 1000 pieces, empty ones included, and drops the rest.
  const pairs = url.slice(start + 1).split("&").slice(0, 1000).filter(Boolean);
  for (const pair of pairs) {
    const eq = pair.indexOf("=");
    const name = unescapeLegacy(eq === -1 ? pair : pair.slice(0, eq));
    const value = unescapeLegacy(eq === -1 ? "" : pair.slice(eq + 1));
    if (parsed[name]) parsed[name].push(value);
    else parsed[name] = [value];
  }
  const query = Object.keys(parsed)
    .flatMap((name) => parsed[name]!.map((value) => `${encodeURIComponent(name)}=${encodeURIComponent(value)}`))
    .join("&");
  return `${url.slice(0, start)}?${query}`;
}

function urlVariants(url: string): string[] {
  const asReceived = [withoutPort(url), withDefaultPort(url)];
  let normalized: string;
  try {
    normalized = new URL(url).toString();
  } catch {
    return asReceived; // twilio-node throws here; a URL that does not parse matches nothing more
  }
  const plain = withoutPort(normalized);
  const ported = withDefaultPort(normalized);
  return [...asReceived, plain, ported, withLegacyQuerystring(plain), withLegacyQuerystring(ported)];
}
