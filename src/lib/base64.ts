/**
 * Base64 decoding into a buffer the caller reuses: the recorder decodes every 20 ms frame of the
 * callee's audio, and `atob` would build a string and a new array for each one.
 */
const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const INVALID = 255;
const VALUES = new Uint8Array(128).fill(INVALID);
for (let i = 0; i < ALPHABET.length; i++) VALUES[ALPHABET.charCodeAt(i)] = i;
const PAD = 61; // "="

/** Bytes `b64` decodes to (padding aside); a length base64 cannot have gives -1. */
export function decodedLength(b64: string): number {
  let length = b64.length;
  while (length > 0 && b64.charCodeAt(length - 1) === PAD) length--;
  return length % 4 === 1 ? -1 : (length * 3) >> 2;
}

/** Decodes into `out` (at least `decodedLength(b64)` long); returns the byte count, or -1 if `b64` is not base64. */
export function decodeBase64Into(b64: string, out: Uint8Array): number {
  const bytes = decodedLength(b64);
  if (bytes < 0 || bytes > out.length) return -1;
  let o = 0;
  let bits = 0;
  let buffered = 0;
  for (let i = 0; o < bytes; i++) {
    const code = b64.charCodeAt(i);
    const value = code < 128 ? VALUES[code]! : INVALID;
    if (value === INVALID) return -1;
    // Fewer than 14 bits are ever pending, so the mask keeps the number small.
    buffered = ((buffered << 6) | value) & 0x3fff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (buffered >> bits) & 0xff;
    }
  }
  return o;
}

/** A new array of the bytes `b64` stands for, or null if it is not base64. */
export function decodeBase64(b64: string): Uint8Array | null {
  const length = decodedLength(b64);
  if (length < 0) return null;
  const out = new Uint8Array(length);
  return decodeBase64Into(b64, out) < 0 ? null : out;
}
