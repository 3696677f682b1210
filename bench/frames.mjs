// The benchmark's audio frames: 20 ms of mu-law (160 bytes) whose first bytes carry who sent it
// and when, so the far side can tell a frame's latency. Parley relays payloads untouched, so the
// stamp survives the trip. Both fakes live in this process: one clock times both directions.
import { performance } from "node:perf_hooks";

export const FRAME_BYTES = 160;
export const FRAME_MS = 20;
const MAGIC = 0x7e;
const SILENCE = 0xff;
// Layout: [0] magic, [1..3) call index, [3..7) frame number, [7..15) carrier send time,
// [15..23) model send time (stamped by the fake model when it echoes the frame back).
const CALL = 1;
const SEQ = 3;
const CARRIER_AT = 7;
const MODEL_AT = 15;

export const now = () => performance.now();

/** A frame of silence stamped with the call, the frame number and the carrier's send time. */
export function carrierFrame(callIndex, seq, at) {
  const frame = Buffer.alloc(FRAME_BYTES, SILENCE);
  frame[0] = MAGIC;
  frame.writeUInt16BE(callIndex, CALL);
  frame.writeUInt32BE(seq, SEQ);
  frame.writeDoubleBE(at, CARRIER_AT);
  return frame;
}

export function stampModel(frame, at) {
  frame.writeDoubleBE(at, MODEL_AT);
}

/** The stamp of a frame, or null when the audio is not one of ours (or was cut). */
export function readFrame(frame) {
  if (frame.length !== FRAME_BYTES || frame[0] !== MAGIC) return null;
  return {
    callIndex: frame.readUInt16BE(CALL),
    seq: frame.readUInt32BE(SEQ),
    carrierAt: frame.readDoubleBE(CARRIER_AT),
    modelAt: frame.readDoubleBE(MODEL_AT),
  };
}

/** Latency samples in ms, kept compactly (100 calls × 30 s is 150,000 per direction). */
export class Samples {
  #values = new Float64Array(1024);
  #length = 0;

  push(value) {
    if (this.#length === this.#values.length) {
      const grown = new Float64Array(this.#values.length * 2);
      grown.set(this.#values);
      this.#values = grown;
    }
    this.#values[this.#length++] = value;
  }

  get count() {
    return this.#length;
  }

  /** Nearest-rank percentiles, e.g. percentiles([50, 99]). */
  percentiles(ps) {
    const sorted = this.#values.slice(0, this.#length).sort();
    return ps.map((p) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] : Number.NaN));
  }

  max() {
    let max = Number.NaN;
    for (let i = 0; i < this.#length; i++) if (!(this.#values[i] <= max)) max = this.#values[i];
    return max;
  }
}

/**
 * Frames slower than `thresholdMs`, to tell a stall of the whole relay (every call's frames late
 * at once) from one call's bad luck: they are grouped into bursts of frames sent less than
 * `gapMs` apart, and a burst that touched at least half the calls counts as a stall.
 */
export class SlowFrames {
  #frames = [];

  constructor(thresholdMs = 5) {
    this.thresholdMs = thresholdMs;
  }

  note(sentAt, latency, callIndex) {
    if (latency >= this.thresholdMs) this.#frames.push([sentAt, latency, callIndex]);
  }

  /** `gcs` are major collections ({from, to} poll times): a stall that overlaps one is counted as theirs. */
  summary(calls, timed, gcs = [], gapMs = 40) {
    const frames = this.#frames.sort((a, b) => a[0] - b[0]);
    const bursts = [];
    for (const frame of frames) {
      const last = bursts[bursts.length - 1];
      if (last && frame[0] - last.end <= gapMs) {
        last.end = frame[0];
        last.calls.add(frame[2]);
        last.frames++;
        last.worst = Math.max(last.worst, frame[1]);
      } else bursts.push({ start: frame[0], end: frame[0], calls: new Set([frame[2]]), frames: 1, worst: frame[1] });
    }
    const stalls = bursts.filter((b) => b.calls.size >= Math.max(2, calls / 2));
    const duringGc = stalls.filter((b) => gcs.some((g) => b.start <= g.to && b.end + b.worst >= g.from));
    return {
      share: timed ? frames.length / timed : 0,
      stalls: stalls.length,
      inStalls: frames.length ? stalls.reduce((s, b) => s + b.frames, 0) / frames.length : 0,
      longestStallMs: stalls.reduce((m, b) => Math.max(m, b.end - b.start + b.worst), 0),
      stallsDuringGc: duringGc.length,
      majorGcs: gcs.length,
      stallTimes: stalls.map((b) => ({ at: b.start, ms: b.end - b.start + b.worst, calls: b.calls.size })),
    };
  }
}
