import { fromBase64Url, sha256Hex, toBase64Url } from "../lib/crypto";

/**
 * Replayable responses can contain secrets shown once (a new API key, session tokens), so they
 * are stored encrypted under a key derived from the server secret and the idempotency key: the
 * table alone reveals nothing.
 */
export interface StoredResponse {
  status: number;
  contentType: string | null;
  body: string;
}

async function keyFor(secret: string, scope: string, idempotencyKey: string): Promise<CryptoKey> {
  const material = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(`idempotency\0${secret}\0${scope}\0${idempotencyKey}`));
  return crypto.subtle.importKey("raw", material, "AES-GCM", false, ["encrypt", "decrypt"]);
}

export async function seal(secret: string, scope: string, idempotencyKey: string, response: StoredResponse): Promise<string> {
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const plain = new TextEncoder().encode(JSON.stringify(response));
  const cipher = new Uint8Array(await crypto.subtle.encrypt({ name: "AES-GCM", iv }, await keyFor(secret, scope, idempotencyKey), plain));
  const out = new Uint8Array(iv.length + cipher.length);
  out.set(iv);
  out.set(cipher, iv.length);
  return toBase64Url(out);
}

export async function unseal(secret: string, scope: string, idempotencyKey: string, sealed: string): Promise<StoredResponse> {
  const bytes = fromBase64Url(sealed);
  const plain = await crypto.subtle.decrypt({ name: "AES-GCM", iv: bytes.slice(0, 12) }, await keyFor(secret, scope, idempotencyKey), bytes.slice(12));
  return JSON.parse(new TextDecoder().decode(plain)) as StoredResponse;
}

/** What makes two requests "the same": method, path and the exact body bytes. */
export async function fingerprint(method: string, path: string, body: ArrayBuffer): Promise<string> {
  const head = new TextEncoder().encode(`${method} ${path}\n`);
  const all = new Uint8Array(head.length + body.byteLength);
  all.set(head);
  all.set(new Uint8Array(body), head.length);
  return sha256Hex(all);
}
