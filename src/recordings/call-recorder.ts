import { BYTES_PER_MS } from "../audio/mulaw";
import { decodeBase64Into, decodedLength } from "../lib/base64";
import type { RecordingStore } from "./recording-store";
import { type RecordingBucket, RecordingUpload, type SavedRecording } from "./recording-upload";
import { LEFT, RIGHT, StereoTimeline } from "./stereo-timeline";

/** Audio may arrive this late (the carrier's jitter, marks echoed after the audio) and still be placed. */
const LAG_MS = 2_000;
const WINDOW_MS = 4_000;

export interface RecorderOptions {
  /** No audio is placed past this point of the call (a runaway clock must not fill storage). */
  maxMs: number;
  partBytes?: number;
  chunkBytes?: number;
  stagingDelayBytes?: number;
}

/**
 * A call's two-channel recording: the callee left, the agent right, on the carrier's clock.
 * The callee's frames carry that clock (ms since the stream began). The agent's audio has no
 * timestamp of its own: a frame counts only once the carrier confirms it played (a mark after it
 * came back), and it is placed where the PlaybackTracker says it played on that clock, or right
 * after the agent's previous frame if that would overlap it. So audio a barge-in flushed is never
 * in the recording.
 */
export class CallRecorder {
  readonly #upload: RecordingUpload;
  readonly #timeline: StereoTimeline;
  readonly #maxSamples: number;
  #scratch = new Uint8Array(1024);
  #agentEnd = 0;

  constructor(bucket: RecordingBucket, key: string, store: RecordingStore, options: RecorderOptions) {
    this.#upload = new RecordingUpload(bucket, key, store, options);
    this.#timeline = new StereoTimeline(this.#upload, { windowSamples: WINDOW_MS * BYTES_PER_MS, lagSamples: LAG_MS * BYTES_PER_MS });
    this.#maxSamples = options.maxMs * BYTES_PER_MS;
  }

  get recording(): boolean {
    return this.#upload.healthy;
  }

  /** A media frame from the carrier: base64 mu-law, `timestampMs` on the carrier's clock. */
  callee(payloadB64: string, timestampMs: number): void {
    if (!this.#upload.healthy) return;
    const needed = decodedLength(payloadB64);
    if (needed > this.#scratch.length) this.#scratch = new Uint8Array(needed);
    const bytes = decodeBase64Into(payloadB64, this.#scratch);
    const position = Math.round(timestampMs * BYTES_PER_MS);
    if (bytes <= 0 || !(position >= 0) || position + bytes > this.#maxSamples) return;
    this.#timeline.write(LEFT, position, this.#scratch, bytes);
  }

  /** Agent audio the carrier confirmed as played, in the order it played, from `atMs` on the carrier's clock. */
  agent(audio: Uint8Array, atMs: number): void {
    if (!this.#upload.healthy) return;
    const position = Math.max(this.#agentEnd, Math.round(atMs * BYTES_PER_MS));
    if (position + audio.length > this.#maxSamples) return;
    this.#timeline.write(RIGHT, position, audio);
    this.#agentEnd = position + audio.length;
  }

  /** Writes the rest and completes the object in R2; throws (after aborting) if it cannot. */
  async finish(): Promise<SavedRecording> {
    if (this.#upload.healthy) this.#timeline.flush();
    return this.#upload.finish();
  }

  abort(): Promise<void> {
    return this.#upload.abort();
  }
}
