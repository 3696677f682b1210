import { fromBase64Url, randomBytes, toBase64Url } from "../lib/crypto";

/**
 * Signing secrets are shown once and must be usable again to sign every delivery, so they are
 * stored encrypted (not hashed) under a key derived from the server secret and the endpoint:
 * the table alone reveals nothing, and one endpoint's ciphertext cannot stand in for another's.
 */
async function keyFor(serverSecret: string, endpointId: string): Promise<CryptoKey> {
  const material = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(`webhook-secret\0${serverSecret}\0${endpointId}`));
  return crypto.subtle.importKey("raw", material, "AES-GCM", false, ["encrypt", "decrypt"]);
}

/** `whsec_` + base64 of 32 random bytes: the Standard Webhooks format. */
export function newSigningSecret(): string {
  let binary = "";
  for (const b of randomBytes(32)) binary += String.fromCharCode(b);
  return `whsec_${btoa(binary)}`;
}

export async function sealSecret(serverSecret: string, endpointId: string, secret: string): Promise<string> {
  const iv = randomBytes(12);
  const key = await keyFor(serverSecret, endpointId);
  const cipher = new Uint8Array(await crypto.subtle.encrypt({ name: "AES-GCM", iv }, key, new TextEncoder().encode(secret)));
  const out = new Uint8Array(iv.length + cipher.length);
  out.set(iv);
  out.set(cipher, iv.length);
  return toBase64Url(out);
}

export async function unsealSecret(serverSecret: string, endpointId: string, sealed: string): Promise<string> {
  const bytes = fromBase64Url(sealed);
  const key = await keyFor(serverSecret, endpointId);
  const plain = await crypto.subtle.decrypt({ name: "AES-GCM", iv: bytes.slice(0, 12) }, key, bytes.slice(12));
  return new TextDecoder().decode(plain);
}
