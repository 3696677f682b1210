import { fromBase64Url, randomBytes, timingSafeEqual, toBase64Url } from "./crypto";

/**
 * Password hashes are self-describing — `pbkdf2-sha256$<iterations>$<salt>$<hash>` — so the
 * cost can be raised later and old hashes still verify. 100,000 iterations is the most
 * production workerd allows for PBKDF2.
 */
const ALGORITHM = "pbkdf2-sha256";
export const PBKDF2_ITERATIONS = 100_000;
const SALT_BYTES = 16;
const HASH_BITS = 256;

async function derive(password: string, salt: Uint8Array, iterations: number): Promise<Uint8Array> {
  const key = await crypto.subtle.importKey("raw", new TextEncoder().encode(password), "PBKDF2", false, ["deriveBits"]);
  const bits = await crypto.subtle.deriveBits({ name: "PBKDF2", hash: "SHA-256", salt, iterations }, key, HASH_BITS);
  return new Uint8Array(bits);
}

export async function hashPassword(password: string, iterations = PBKDF2_ITERATIONS): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const hash = await derive(password, salt, iterations);
  return `${ALGORITHM}$${iterations}$${toBase64Url(salt)}$${toBase64Url(hash)}`;
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [algorithm, iterationsText, saltText, hashText] = stored.split("$");
  const iterations = Number(iterationsText);
  if (algorithm !== ALGORITHM || !Number.isInteger(iterations) || iterations < 1 || !saltText || !hashText) return false;
  const hash = await derive(password, fromBase64Url(saltText), iterations);
  return timingSafeEqual(toBase64Url(hash), hashText);
}

/** True when a hash was made with weaker parameters than today's, so login can upgrade it. */
export function needsRehash(stored: string): boolean {
  const [algorithm, iterationsText] = stored.split("$");
  return algorithm !== ALGORITHM || Number(iterationsText) < PBKDF2_ITERATIONS;
}
