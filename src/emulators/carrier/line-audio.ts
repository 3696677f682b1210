import { BYTES_PER_MS, SILENCE } from "../../audio/mulaw";
import { hear, isSpeechByte, speak } from "../in-band-speech";

/** A pause this long (of played audio) ends one of the agent's utterances. */
export const UTTERANCE_GAP_MS = 300;

type Queued = { kind: "audio"; bytes: Uint8Array; offset: number } | { kind: "mark"; name: string };

/**
 * Parley's outbound audio as the phone plays it: a FIFO of audio and marks. Twilio buffers
 * whatever it is sent and plays it in order; a mark is reached once everything before it has
 * played, and `clear` throws away what has not played yet.
 */
export class OutboundPlayer {
  private queue: Queued[] = [];

  get idle(): boolean {
    return this.queue.length === 0;
  }

  enqueueAudio(bytes: Uint8Array): void {
    if (bytes.length > 0) this.queue.push({ kind: "audio", bytes, offset: 0 });
  }

  enqueueMark(name: string): void {
    this.queue.push({ kind: "mark", name });
  }

  /** Plays up to `maxBytes`; returns the audio played and the marks it got past, in order. */
  play(maxBytes: number): { audio: Uint8Array; marks: string[] } {
    const audio = new Uint8Array(maxBytes);
    const marks: string[] = [];
    let filled = 0;
    while (this.queue.length > 0) {
      const head = this.queue[0]!;
      if (head.kind === "mark") {
        marks.push(head.name);
        this.queue.shift();
        continue;
      }
      if (filled === maxBytes) break;
      const take = Math.min(maxBytes - filled, head.bytes.length - head.offset);
      audio.set(head.bytes.subarray(head.offset, head.offset + take), filled);
      filled += take;
      head.offset += take;
      if (head.offset === head.bytes.length) this.queue.shift();
    }
    return { audio: audio.subarray(0, filled), marks };
  }

  /** Drops everything unplayed; returns the marks that were waiting, which Twilio echoes at once. */
  clear(): string[] {
    const marks = this.queue.flatMap((item) => (item.kind === "mark" ? [item.name] : []));
    this.queue = [];
    return marks;
  }
}

export interface AgentUtterance {
  /** The words recovered from the audio that played (a prefix, if it was cut off). */
  text: string;
  /** How much of it played, in ms. */
  playedMs: number;
  /** Line time when its first sound played. */
  startedAtMs: number;
  /** The callee was talking at the same time, so it does not answer this one. */
  talkedOver: boolean;
}

/**
 * Finds the agent's utterances in what the phone played: speech starts with the first speech
 * byte and ends after a silence of UTTERANCE_GAP_MS of line time (idle line time included).
 */
export class AgentListener {
  private buffer = new Uint8Array(16_000);
  /** Bytes of the current utterance so far, short pauses inside it included. */
  private length = 0;
  private silentBytes = 0;
  /** Bytes of the agent's own audio in the current utterance: what played, gaps left out. */
  private audioBytes = 0;
  private startedAtBytes = 0;
  /** Bytes of the agent's audio played over the whole call. */
  private totalAudioBytes = 0;
  private talkedOver = false;
  /** All line time listened to, in bytes: the clock utterances end by. */
  private lineBytes = 0;

  /** `endedAtMs`: line time when the pause that ended the utterance reached UTTERANCE_GAP_MS. */
  constructor(private readonly onUtterance: (utterance: AgentUtterance, endedAtMs: number) => void) {}

  get speaking(): boolean {
    return this.length > 0;
  }

  /** Ms of the current utterance played so far (0 when the agent is quiet). */
  get currentMs(): number {
    return this.length / BYTES_PER_MS;
  }

  /** Ms of the agent's audio played over the whole call, pauses left out. */
  get totalAudioMs(): number {
    return this.totalAudioBytes / BYTES_PER_MS;
  }

  /** Ms of the agent's audio in the current utterance that has played, pauses left out. */
  get currentAudioMs(): number {
    return this.audioBytes / BYTES_PER_MS;
  }

  /** Noted when the callee speaks while the agent does. */
  markTalkedOver(): void {
    if (this.speaking) this.talkedOver = true;
  }

  /** One frame of line time: the audio that played, then silence for the rest of the frame. */
  listen(played: Uint8Array, frameBytes: number): void {
    for (let i = 0; i < frameBytes; i++) {
      this.lineBytes++;
      const byte = i < played.length ? played[i]! : SILENCE;
      if (isSpeechByte(byte)) {
        // A pause shorter than the gap is part of the utterance.
        if (this.speaking) for (; this.silentBytes > 0; this.silentBytes--) this.append(SILENCE);
        this.silentBytes = 0;
        if (!this.speaking) this.startedAtBytes = this.lineBytes - 1;
        this.audioBytes++;
        this.totalAudioBytes++;
        this.append(byte);
      } else if (this.speaking && ++this.silentBytes >= UTTERANCE_GAP_MS * BYTES_PER_MS) {
        this.finish();
      }
    }
  }

  private append(byte: number): void {
    if (this.length === this.buffer.length) {
      const grown = new Uint8Array(this.buffer.length * 2);
      grown.set(this.buffer);
      this.buffer = grown;
    }
    this.buffer[this.length++] = byte;
  }

  private finish(): void {
    const utterance = {
      text: hear(this.buffer.subarray(0, this.length)),
      playedMs: this.currentMs,
      startedAtMs: this.startedAtBytes / BYTES_PER_MS,
      talkedOver: this.talkedOver,
    };
    this.length = this.silentBytes = this.audioBytes = 0;
    this.talkedOver = false;
    this.onUtterance(utterance, this.lineBytes / BYTES_PER_MS);
  }
}

/** The callee's side of the line: what it says, frame by frame. */
export class CalleeVoice {
  private pending: Uint8Array[] = [];
  private offset = 0;

  get speaking(): boolean {
    return this.pending.length > 0;
  }

  say(audio: Uint8Array): void {
    this.pending.push(audio);
  }

  sayText(text: string): void {
    this.say(speak(text));
  }

  /** The next frame: speech while there is some, silence after. */
  frame(frameBytes: number): Uint8Array {
    const out = new Uint8Array(frameBytes).fill(SILENCE);
    let filled = 0;
    while (filled < frameBytes && this.pending.length > 0) {
      const head = this.pending[0]!;
      const take = Math.min(frameBytes - filled, head.length - this.offset);
      out.set(head.subarray(this.offset, this.offset + take), filled);
      filled += take;
      this.offset += take;
      if (this.offset === head.length) {
        this.pending.shift();
        this.offset = 0;
      }
    }
    return out;
  }
}
