import { hmacSha256, toHex } from "../lib/crypto";

function toBase64(bytes: Uint8Array): string {
  let binary = "";
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary);
}

/** Standard Webhooks keys are the bytes after `whsec_`, base64-decoded. */
function standardKey(secret: string): Uint8Array {
  const encoded = secret.startsWith("whsec_") ? secret.slice("whsec_".length) : secret;
  return Uint8Array.from(atob(encoded), (ch) => ch.charCodeAt(0));
}

/**
 * The headers that let a receiver trust a delivery. `X-Echo-Signature` is what Echo's documented
 * receiver checks (HMAC of the raw body keyed by the secret string). The Standard Webhooks
 * headers add a timestamp against replays; during a rotation they carry both secrets' signatures
 * so receivers can switch over at their own pace.
 * `secrets[0]` is the current secret; an empty list sends no signatures.
 */
export async function signatureHeaders(body: string, eventId: string, secrets: string[], timestamp: number): Promise<Record<string, string>> {
  const headers: Record<string, string> = {
    "content-type": "application/json",
    "webhook-id": eventId,
    "webhook-timestamp": String(timestamp),
  };
  const [current] = secrets;
  if (current === undefined) return headers;
  headers["x-echo-signature"] = `sha256=${toHex(await hmacSha256(current, body))}`;
  const signed = `${eventId}.${timestamp}.${body}`;
  const signatures = await Promise.all(secrets.map(async (secret) => `v1,${toBase64(await hmacSha256(standardKey(secret), signed))}`));
  headers["webhook-signature"] = signatures.join(" ");
  return headers;
}
