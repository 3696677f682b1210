import { decode, FRAME_BYTES, SAMPLE_RATE } from "../../audio/mulaw";

/**
 * Hears keypad tones in the audio a phone menu receives, as a real menu does: a Goertzel filter
 * per DTMF frequency over each 20 ms frame. A key counts when one row and one column tone stand
 * well above the rest for two frames running, and is reported once, when it starts; it must
 * stop before the same key can count again. Written from the standard (not from Parley's tone
 * generator), so a test of the two together checks one against the other.
 */
const ROWS = [697, 770, 852, 941];
const COLUMNS = [1209, 1336, 1477, 1633];
const KEYS = ["123A", "456B", "789C", "*0#D"];
/** Minimum power of each of the two tones (on 16-bit samples over one frame), far above line noise. */
const MIN_POWER = 1e9;
/** How much stronger the strongest row (column) must be than the next one. */
const DOMINANCE = 8;

function power(samples: Int16Array, hz: number): number {
  const coefficient = 2 * Math.cos((2 * Math.PI * hz) / SAMPLE_RATE);
  let s1 = 0;
  let s2 = 0;
  for (let i = 0; i < samples.length; i++) {
    const s0 = samples[i]! + coefficient * s1 - s2;
    s2 = s1;
    s1 = s0;
  }
  return s1 * s1 + s2 * s2 - coefficient * s1 * s2;
}

function strongest(samples: Int16Array, frequencies: number[]): number | null {
  const powers = frequencies.map((hz) => power(samples, hz));
  const sorted = [...powers].sort((a, b) => b - a);
  const top = sorted[0]!;
  if (top < MIN_POWER || top < sorted[1]! * DOMINANCE) return null;
  return powers.indexOf(top);
}

/** The key whose tone fills this frame, or null. */
export function keyIn(frame: Uint8Array): string | null {
  const samples = decode(frame);
  const row = strongest(samples, ROWS);
  const column = row === null ? null : strongest(samples, COLUMNS);
  return row === null || column === null ? null : KEYS[row]![column]!;
}

export class DtmfDetector {
  #candidate: string | null = null;
  #frames = 0;
  #reported = false;

  /** The last frame held a key tone: it is signalling, not speech. */
  get inTone(): boolean {
    return this.#candidate !== null;
  }

  /** Feeds one frame (160 bytes); returns a key the moment it is recognised. */
  push(frame: Uint8Array): string | null {
    const key = frame.length === FRAME_BYTES ? keyIn(frame) : null;
    if (key !== this.#candidate) {
      this.#candidate = key;
      this.#frames = 0;
      this.#reported = false;
    }
    if (key === null) return null;
    this.#frames++;
    if (this.#frames >= 2 && !this.#reported) {
      this.#reported = true;
      return key;
    }
    return null;
  }
}
