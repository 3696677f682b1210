import { sha256Hex, toHex, randomBytes } from "../lib/crypto";

/** API keys look like the Echo documents say: `echo_` + 64 hex characters. */
export const API_KEY_PREFIX = "echo_";
const API_KEY_PATTERN = /^echo_[0-9a-f]{64}$/;

export interface NewApiKey {
  secret: string;
  hash: string;
  prefix: string;
  lastFour: string;
}

export async function generateApiKey(): Promise<NewApiKey> {
  const secret = API_KEY_PREFIX + toHex(randomBytes(32));
  return { secret, hash: await hashApiKey(secret), prefix: secret.slice(0, 12), lastFour: secret.slice(-4) };
}

/** Keys carry 256 bits of randomness, so a fast hash is enough: nothing to brute-force. */
export const hashApiKey = (secret: string) => sha256Hex(secret);

// A client sends the same key with every request, so the isolate remembers the hashes of the keys
// it saw last instead of working each one out again (a few percent of an authenticated request).
// Bounded, oldest first out: keys sprayed at random only push out entries, never grow it.
const recentHashes = new Map<string, string>();
const RECENT_KEYS = 1_000;

/** `hashApiKey` for a key presented with a request. */
export async function hashPresentedKey(secret: string): Promise<string> {
  const known = recentHashes.get(secret);
  if (known !== undefined) return known;
  const hash = await hashApiKey(secret);
  if (recentHashes.size >= RECENT_KEYS) {
    const oldest = recentHashes.keys().next().value;
    if (oldest !== undefined) recentHashes.delete(oldest);
  }
  recentHashes.set(secret, hash);
  return hash;
}

export const looksLikeApiKey = (value: string) => API_KEY_PATTERN.test(value);

export type Credential = { kind: "api_key"; key: string } | { kind: "access_token"; token: string };

/**
 * Reads the caller's credential from `x-api-key`, `Authorization: Bearer …` (an API key or a
 * session access token), or HTTP Basic with the key as the username (as Elemente's clients send).
 */
export function readCredential(headers: Headers): Credential | null {
  const headerKey = headers.get("x-api-key")?.trim();
  if (headerKey) return { kind: "api_key", key: headerKey };
  const authorization = headers.get("authorization")?.trim();
  if (!authorization) return null;
  const space = authorization.indexOf(" ");
  if (space < 0) return null;
  const scheme = authorization.slice(0, space).toLowerCase();
  const value = authorization.slice(space + 1).trim();
  if (scheme === "bearer") {
    return value.startsWith(API_KEY_PREFIX) ? { kind: "api_key", key: value } : { kind: "access_token", token: value };
  }
  if (scheme === "basic") {
    let decoded: string;
    try {
      decoded = atob(value);
    } catch {
      return { kind: "api_key", key: "" };
    }
    const colon = decoded.indexOf(":");
    return { kind: "api_key", key: colon < 0 ? decoded : decoded.slice(0, colon) };
  }
  return null;
}
