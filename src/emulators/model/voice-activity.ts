import { BYTES_PER_MS } from "../../audio/mulaw";
import { isSpeechByte } from "../in-band-speech";

/**
 * Server VAD over the audio the client appended, measured in audio time (8 bytes per ms) rather
 * than wall time: a sped-up emulated call and a real one produce the same events at the same
 * audio offsets, and a client that sends a burst of audio gets the events that audio implies.
 */
export type VoiceEvent =
  | { type: "started"; speechStartMs: number }
  | { type: "stopped"; audioEndMs: number; utterance: Uint8Array };

// Enough for a long sentence; the words sit at the start of an utterance, so the cap loses nothing.
const MAX_UTTERANCE_BYTES = 30_000 * BYTES_PER_MS;

export class VoiceActivity {
  #position = 0; // bytes since the session began
  #speaking = false;
  #speechStart = 0;
  #speechEnd = 0; // position just after the latest speech byte
  #utterance: Uint8Array | undefined;

  /** Milliseconds of audio received so far. */
  get nowMs(): number {
    return Math.floor(this.#position / BYTES_PER_MS);
  }

  get speaking(): boolean {
    return this.#speaking;
  }

  /** Feeds appended audio; returns the turn boundaries it contains, in order. */
  push(audio: Uint8Array, silenceMs: number): VoiceEvent[] {
    const events: VoiceEvent[] = [];
    const silenceBytes = Math.max(1, silenceMs * BYTES_PER_MS);
    for (const byte of audio) {
      const at = this.#position++;
      if (isSpeechByte(byte)) {
        if (!this.#speaking) {
          this.#speaking = true;
          this.#speechStart = at;
          events.push({ type: "started", speechStartMs: Math.floor(at / BYTES_PER_MS) });
        }
        this.#speechEnd = at + 1;
      } else if (this.#speaking && at + 1 - this.#speechEnd >= silenceBytes) {
        events.push({ type: "stopped", audioEndMs: Math.floor((at + 1) / BYTES_PER_MS), utterance: this.#finish() });
        continue;
      }
      if (this.#speaking) this.#record(at, byte);
    }
    return events;
  }

  /** Ends the current utterance now (a client commit); null when nobody is speaking. */
  flush(): Uint8Array | null {
    return this.#speaking ? this.#finish() : null;
  }

  /** Forgets the utterance in progress (`input_audio_buffer.clear`); audio time keeps running. */
  clear(): void {
    this.#speaking = false;
    this.#utterance = undefined;
  }

  #record(at: number, byte: number): void {
    const offset = at - this.#speechStart;
    if (offset >= MAX_UTTERANCE_BYTES) return;
    this.#utterance ??= new Uint8Array(MAX_UTTERANCE_BYTES);
    this.#utterance[offset] = byte;
  }

  #finish(): Uint8Array {
    const length = Math.min(this.#speechEnd - this.#speechStart, MAX_UTTERANCE_BYTES);
    const utterance = this.#utterance?.slice(0, length) ?? new Uint8Array(0);
    this.#speaking = false;
    this.#utterance = undefined;
    return utterance;
  }
}

/** Audio held for an explicit commit when the client does its own turn detection. */
export class CommitBuffer {
  #chunks: Uint8Array[] = [];
  #length = 0;

  push(audio: Uint8Array): void {
    if (this.#length >= MAX_UTTERANCE_BYTES) return;
    this.#chunks.push(audio);
    this.#length += audio.length;
  }

  take(): Uint8Array {
    const out = new Uint8Array(this.#length);
    let offset = 0;
    for (const chunk of this.#chunks) {
      out.set(chunk, offset);
      offset += chunk.length;
    }
    this.clear();
    return out;
  }

  clear(): void {
    this.#chunks = [];
    this.#length = 0;
  }
}
