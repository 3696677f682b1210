import { encodeSample } from "../../src/audio/mulaw";
import { hear } from "../../src/emulators/in-band-speech";

/** A WAV file read back the way a player would: the header's fields, then the samples per channel. */
export interface ParsedWav {
  riff: string;
  wave: string;
  riffSize: number;
  format: number;
  channels: number;
  sampleRate: number;
  byteRate: number;
  blockAlign: number;
  bitsPerSample: number;
  dataBytes: number;
  left: Int16Array;
  right: Int16Array;
  durationMs: number;
}

export function parseWav(bytes: Uint8Array): ParsedWav {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const text = (offset: number) => String.fromCharCode(...bytes.subarray(offset, offset + 4));
  if (text(12) !== "fmt " || text(36) !== "data") throw new Error(`unexpected chunks ${text(12)} ${text(36)}`);
  const channels = view.getUint16(22, true);
  const dataBytes = view.getUint32(40, true);
  const frames = Math.floor(Math.min(dataBytes, bytes.length - 44) / (2 * channels));
  const left = new Int16Array(frames);
  const right = new Int16Array(frames);
  for (let i = 0; i < frames; i++) {
    left[i] = view.getInt16(44 + i * 2 * channels, true);
    right[i] = view.getInt16(44 + i * 2 * channels + 2, true);
  }
  const sampleRate = view.getUint32(24, true);
  return {
    riff: text(0),
    wave: text(8),
    riffSize: view.getUint32(4, true),
    format: view.getUint16(20, true),
    channels,
    sampleRate,
    byteRate: view.getUint32(28, true),
    blockAlign: view.getUint16(32, true),
    bitsPerSample: view.getUint16(34, true),
    dataBytes,
    left,
    right,
    durationMs: (frames / sampleRate) * 1000,
  };
}

/** Stretches of sound in one channel (8 samples per ms), split at `gapMs` or more of silence. */
export function soundRuns(samples: Int16Array, gapMs = 300): { startMs: number; endMs: number; samples: Int16Array }[] {
  const runs: { start: number; end: number }[] = [];
  const gap = gapMs * 8;
  let start = -1;
  let lastSound = -1;
  for (let i = 0; i < samples.length; i++) {
    if (samples[i] === 0) continue;
    if (start < 0 || i - lastSound > gap) {
      if (start >= 0) runs.push({ start, end: lastSound + 1 });
      start = i;
    }
    lastSound = i;
  }
  if (start >= 0) runs.push({ start, end: lastSound + 1 });
  return runs.map(({ start, end }) => ({ startMs: start / 8, endMs: end / 8, samples: samples.subarray(start, end) }));
}

/** The words the emulators' in-band speech carries in a stretch of a channel. */
export function wordsIn(samples: Int16Array): string {
  return hear(Uint8Array.from(samples, (s) => encodeSample(s)));
}

export const nonSilent = (samples: Int16Array) => samples.some((s) => s !== 0);
