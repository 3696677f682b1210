import { encodeSample, SAMPLE_RATE, silence } from "./mulaw";

/**
 * Keypad tones (DTMF, ITU-T Q.23): each key is the sum of one low "row" and one high "column"
 * frequency. The agent presses keys to get through phone menus by playing these into the call,
 * because a menu on the far side listens to the audio, not to any signalling of ours.
 */
export const ROW_HZ = [697, 770, 852, 941] as const;
export const COLUMN_HZ = [1209, 1336, 1477, 1633] as const;
export const KEYPAD = ["123A", "456B", "789C", "*0#D"] as const;

/** Long enough for any menu to register (Q.24 asks for 40 ms at least), with a gap as long. */
export const TONE_MS = 120;
export const GAP_MS = 80;

export const DIGITS = /^[0-9*#A-D]+$/;

function frequenciesOf(key: string): [number, number] {
  for (let row = 0; row < KEYPAD.length; row++) {
    const column = KEYPAD[row]!.indexOf(key);
    if (column >= 0) return [ROW_HZ[row]!, COLUMN_HZ[column]!];
  }
  throw new RangeError(`"${key}" is not a keypad key.`);
}

/** One key's tone as mu-law audio. Each component at about −10 dBm0, well clear of speech levels. */
export function keyTone(key: string, ms = TONE_MS): Uint8Array {
  const [low, high] = frequenciesOf(key);
  const samples = (ms * SAMPLE_RATE) / 1000;
  const out = new Uint8Array(samples);
  for (let i = 0; i < samples; i++) {
    const t = i / SAMPLE_RATE;
    out[i] = encodeSample(7000 * (Math.sin(2 * Math.PI * low * t) + Math.sin(2 * Math.PI * high * t)));
  }
  return out;
}

/** The audio of pressing `digits` in turn: tone, gap, tone, gap… */
export function keypadAudio(digits: string): Uint8Array {
  if (!DIGITS.test(digits)) throw new RangeError(`"${digits}" holds something other than keypad keys (0-9, *, #, A-D).`);
  const gap = silence(GAP_MS);
  const parts = [...digits].flatMap((key) => [keyTone(key), gap]);
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}
