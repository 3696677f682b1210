import { SILENCE } from "../audio/mulaw";

export interface StereoSink {
  /** `count` samples of each channel from `start` (mu-law; `start + count` never passes the end of the arrays). */
  appendStereo(left: Uint8Array, right: Uint8Array, start: number, count: number): void;
}

export const LEFT = 0;
export const RIGHT = 1;

/**
 * The two channels of a call on one clock, in samples (8 per ms). The sides are heard at different
 * moments — the callee's frames as they arrive, the agent's once the carrier says they played — so
 * both are written into a short window of silence-filled rings, and a stretch is handed to the sink,
 * interleaved, once it is `lag` behind the newest sound. Audio that arrives later than that (or
 * before what was handed on) is dropped; the window slides forward past a jump, the gap left silent.
 */
export class StereoTimeline {
  readonly #left: Uint8Array;
  readonly #right: Uint8Array;
  readonly #size: number;
  readonly #lag: number;
  #committed = 0;
  #end = 0;

  constructor(
    private readonly sink: StereoSink,
    options: { windowSamples: number; lagSamples: number },
  ) {
    if (options.lagSamples >= options.windowSamples) throw new Error("The lag must be shorter than the window.");
    this.#size = options.windowSamples;
    this.#lag = options.lagSamples;
    this.#left = new Uint8Array(this.#size).fill(SILENCE);
    this.#right = new Uint8Array(this.#size).fill(SILENCE);
  }

  /** Samples handed to the sink so far, plus those waiting: the recording's length. */
  get length(): number {
    return this.#end;
  }

  write(channel: typeof LEFT | typeof RIGHT, position: number, audio: Uint8Array, length = audio.length): void {
    let from = 0;
    let start = position;
    if (start < this.#committed) {
      from = this.#committed - start;
      if (from >= length) return;
      start = this.#committed;
    }
    const count = length - from;
    const overflow = start + count - (this.#committed + this.#size);
    if (overflow > 0) this.#commit(this.#committed + overflow);
    const ring = channel === LEFT ? this.#left : this.#right;
    // A plain loop: a frame is 160 bytes, and subarray views would be garbage on every frame.
    for (let i = from, index = start % this.#size; i < length; i++) {
      ring[index] = audio[i]!;
      if (++index === this.#size) index = 0;
    }
    if (start + count > this.#end) this.#end = start + count;
    if (this.#end - this.#committed > this.#lag) this.#commit(this.#end - this.#lag);
  }

  /** Hands everything to the sink: the call is over. */
  flush(): void {
    this.#commit(this.#end);
  }

  #commit(upTo: number): void {
    while (this.#committed < upTo) {
      const index = this.#committed % this.#size;
      const count = Math.min(upTo - this.#committed, this.#size - index);
      this.sink.appendStereo(this.#left, this.#right, index, count);
      this.#left.fill(SILENCE, index, index + count);
      this.#right.fill(SILENCE, index, index + count);
      this.#committed += count;
    }
  }
}
