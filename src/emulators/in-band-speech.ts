import { BYTES_PER_MS, SILENCE } from "../audio/mulaw";

/**
 * How the emulators "speak" and "hear" without a speech model. An utterance is real, loud mu-law
 * audio whose first samples carry its words (each UTF-8 byte as two loud samples, one per
 * nibble), followed by loud filler for as long as a person would take to say them. Speech
 * detection therefore works on genuine audio energy, and the listener recovers the exact words
 * from whatever part of the utterance it received — the start, at least, for a transcript.
 */
const NIBBLE_BASE = 0x00; // 0x00–0x0F: the loudest negative mu-law codes
const END_OF_TEXT = 0x1f;
const FILLER = 0x20; // loud, and outside the nibble range
export const MS_PER_CHARACTER = 65;
const MIN_UTTERANCE_MS = 400;

export function utteranceMs(text: string): number {
  return Math.max(MIN_UTTERANCE_MS, text.length * MS_PER_CHARACTER);
}

/** The audio of one utterance (no leading or trailing silence). */
export function speak(text: string): Uint8Array {
  const encoded = new TextEncoder().encode(text);
  const length = Math.max(utteranceMs(text) * BYTES_PER_MS, encoded.length * 2 + 1);
  const audio = new Uint8Array(length).fill(FILLER);
  encoded.forEach((byte, i) => {
    audio[i * 2] = NIBBLE_BASE | (byte >> 4);
    audio[i * 2 + 1] = NIBBLE_BASE | (byte & 0x0f);
  });
  audio[encoded.length * 2] = END_OF_TEXT;
  return audio;
}

/** True for a mu-law byte that is part of an utterance rather than silence or line noise. */
export const isSpeechByte = (byte: number) => byte !== SILENCE && (byte <= END_OF_TEXT || byte === FILLER);

/**
 * Recovers the words from the audio of one utterance, as far as it was received. Returns what
 * could be read (possibly a prefix, if the audio was cut off before the end of its text).
 */
export function hear(audio: Uint8Array): string {
  let start = 0;
  while (start < audio.length && audio[start] === SILENCE) start++;
  const bytes: number[] = [];
  for (let i = start; i + 1 < audio.length; i += 2) {
    const hi = audio[i]!;
    if (hi === END_OF_TEXT || hi > 0x0f) break;
    const lo = audio[i + 1]!;
    if (lo > 0x0f) break;
    bytes.push((hi << 4) | lo);
  }
  return new TextDecoder().decode(new Uint8Array(bytes));
}
