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
