import { decodeBase64 } from "../lib/base64";

/**
 * G.711 mu-law, the telephone codec Twilio streams and OpenAI accepts as `audio/pcmu`: 8 kHz,
 * one byte per sample, 160 bytes per 20 ms frame. Parley relays it untouched; these helpers are
 * for what must look inside it (the recorder, the emulators' speech detection).
 */
export const SAMPLE_RATE = 8000;
export const BYTES_PER_MS = 8;
export const FRAME_MS = 20;
export const FRAME_BYTES = FRAME_MS * BYTES_PER_MS;
/** The mu-law byte for silence (zero amplitude). */
export const SILENCE = 0xff;

const BIAS = 0x84;
const CLIP = 32635;

export function decodeSample(byte: number): number {
  const u = ~byte & 0xff;
  const sign = u & 0x80;
  const exponent = (u >> 4) & 0x07;
  const mantissa = u & 0x0f;
  const magnitude = (((mantissa << 3) + BIAS) << exponent) - BIAS;
  return sign && magnitude ? -magnitude : magnitude;
}

export function encodeSample(sample: number): number {
  let s = Math.max(-CLIP, Math.min(CLIP, Math.round(sample)));
  const sign = s < 0 ? 0x80 : 0;
  if (sign) s = -s;
  s += BIAS;
  let exponent = 7;
  for (let mask = 0x4000; (s & mask) === 0 && exponent > 0; mask >>= 1) exponent--;
  const mantissa = (s >> (exponent + 3)) & 0x0f;
  return ~(sign | (exponent << 4) | mantissa) & 0xff;
}

const DECODE_TABLE = Int16Array.from({ length: 256 }, (_, byte) => decodeSample(byte));

export function decode(bytes: Uint8Array): Int16Array {
  const out = new Int16Array(bytes.length);
  for (let i = 0; i < bytes.length; i++) out[i] = DECODE_TABLE[bytes[i]!]!;
  return out;
}

/** Root-mean-square amplitude of mu-law audio (0 for silence, ~32,000 at full scale). */
export function rms(bytes: Uint8Array): number {
  if (bytes.length === 0) return 0;
  let sum = 0;
  for (const byte of bytes) {
    const s = DECODE_TABLE[byte]!;
    sum += s * s;
  }
  return Math.sqrt(sum / bytes.length);
}

export function silence(ms: number): Uint8Array {
  return new Uint8Array(ms * BYTES_PER_MS).fill(SILENCE);
}

export function base64ToBytes(b64: string): Uint8Array {
  const bytes = decodeBase64(b64);
  if (!bytes) throw new TypeError("Not base64");
  return bytes;
}

export function bytesToBase64(bytes: Uint8Array): string {
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}
