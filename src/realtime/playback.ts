import { BYTES_PER_MS, FRAME_BYTES } from "../audio/mulaw";

/**
 * Barge-in bookkeeping: what the callee has actually heard of each agent item. The model produces
 * audio faster than real time and the carrier buffers it, so "sent" is not "heard". Each outgoing
 * frame (at most 20 ms) is followed by a mark; the carrier echoes a mark once the audio before it
 * has played, which bounds the error of `playedMs` to one frame.
 *
 * On an interruption the caller sends `clear` and then a sentinel mark. The carrier keeps playing
 * until the `clear` reaches it, echoing those frames' marks as they play, and then echoes every
 * flushed mark at once, then the sentinel. Played and flushed marks look alike, so they are told
 * apart by the carrier's clock (the timestamps of the callee's audio, which the caller passes to
 * `clock`): played marks come back as playback moves on, interleaved with the callee's audio,
 * while flushed ones come back together, the clock standing still between them. When the
 * sentinel comes back, `onMark` returns what the callee really heard — the `audio_end_ms` to
 * truncate at, within one frame.
 *
 * The audio of each frame is handed to `onPlayed` (the call's recording) once the frame is known
 * to have played, in playing order; flushed frames never are. A frame's audio is kept only while
 * its fate is open, so what is held is bounded by how far the model runs ahead of the phone.
 */
export interface OutgoingFrame {
  payload: Uint8Array;
  /** Send as a carrier `mark` right after the payload. */
  mark: string;
}

export interface Interruption {
  itemId: string;
  /** Milliseconds of the item the callee heard: the `audio_end_ms` to truncate it at. */
  playedMs: number;
}

export interface PendingInterruption extends Interruption {
  /** Send as a carrier `mark` right after the `clear`; its echo settles the interruption. */
  sentinel: string;
}

interface SentFrame {
  mark: string;
  itemId: string;
  /** Bytes of the item sent up to and including this frame. */
  endBytes: number;
  /** The frame's audio, until it is known to have played or not. */
  payload: Uint8Array | null;
}

interface Settling {
  itemId: string;
  sentinel: string;
  flushed: Map<string, SentFrame>;
}

export class PlaybackTracker {
  // Frames sent whose marks have not come back, oldest first from `head`. `base` is the sequence
  // number of queue[0], so a mark's sequence number finds its frame without a search.
  private queue: SentFrame[] = [];
  private head = 0;
  private base = 0;
  private nextSeq = 0;
  private readonly pending = new Map<string, number>();
  private readonly sentBytes = new Map<string, number>();
  private readonly playedBytes = new Map<string, number>();
  private readonly dropped = new Set<string>();
  private clockMs = 0;
  /** The carrier's clock when the previous mark came back. */
  private lastMarkClock = 0;
  private settling: Settling | null = null;

  constructor(private readonly onPlayed: ((audio: Uint8Array) => void) | null = null) {}

  /** The carrier's clock: the timestamp of the latest callee audio, in ms since the stream began. */
  clock(ms: number): void {
    if (ms > this.clockMs) this.clockMs = ms;
  }

  /**
   * Splits agent audio into carrier frames, or none if the item was dropped or interrupted. The
   * frames are copies, unless the caller `gives` the buffer away (it will never touch it again):
   * then they are views of it, which spares a copy of every frame on the call's hot path.
   */
  frames(itemId: string, audio: Uint8Array, gives = false): OutgoingFrame[] {
    if (this.dropped.has(itemId)) return [];
    const out: OutgoingFrame[] = [];
    let sent = this.sentBytes.get(itemId) ?? 0;
    for (let offset = 0; offset < audio.length; offset += FRAME_BYTES) {
      const whole = offset === 0 && audio.length <= FRAME_BYTES;
      const payload = !gives ? audio.slice(offset, offset + FRAME_BYTES) : whole ? audio : audio.subarray(offset, offset + FRAME_BYTES);
      sent += payload.length;
      const seq = this.nextSeq++;
      // Item and ms make the mark readable in carrier logs; the sequence number keeps it unique.
      const mark = `${itemId}:${Math.floor(sent / BYTES_PER_MS)}:${seq}`;
      this.queue.push({ mark, itemId, endBytes: sent, payload: this.onPlayed ? payload : null });
      this.pending.set(mark, seq);
      out.push({ payload, mark });
    }
    this.sentBytes.set(itemId, sent);
    return out;
  }

  /**
   * A mark came back: everything sent before it has played. Unknown marks are ignored. Returns the
   * settled interruption when the mark is the sentinel sent after a `clear`.
   */
  onMark(name: string): Interruption | null {
    const clockMoved = this.clockMs > this.lastMarkClock;
    this.lastMarkClock = this.clockMs;
    if (this.settling) {
      const settled = this.#settle(name, clockMoved);
      if (settled !== undefined) return settled;
    }
    const seq = this.pending.get(name);
    if (seq === undefined) return null;
    const last = seq - this.base;
    for (let i = this.head; i <= last; i++) {
      const frame = this.queue[i]!;
      this.playedBytes.set(frame.itemId, frame.endBytes);
      this.pending.delete(frame.mark);
      this.#played(frame);
    }
    this.head = last + 1;
    if (this.head > 256 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.base += this.head;
      this.head = 0;
    }
    return null;
  }

  /**
   * The callee started talking over the agent: returns the item being heard, how much of it was
   * confirmed so far, and the sentinel to send after the `clear`; null if all sent audio had
   * already played. The unplayed frames leave the queue, and their items accept no more audio.
   */
  interrupt(): PendingInterruption | null {
    if (!this.isPlaying()) return null;
    const current = this.queue[this.head]!;
    const flushed = new Map<string, SentFrame>();
    for (let i = this.head; i < this.queue.length; i++) {
      const frame = this.queue[i]!;
      this.pending.delete(frame.mark);
      this.dropped.add(frame.itemId);
      if (frame.itemId === current.itemId) flushed.set(frame.mark, frame);
    }
    this.queue = [];
    this.head = 0;
    const sentinel = `clear:${this.nextSeq++}`;
    this.base = this.nextSeq;
    this.settling = { itemId: current.itemId, sentinel, flushed };
    return { itemId: current.itemId, playedMs: this.playedMs(current.itemId), sentinel };
  }

  /** Undefined when the mark is not part of the interruption being settled. */
  #settle(name: string, clockMoved: boolean): Interruption | null | undefined {
    const settling = this.settling!;
    if (name === settling.sentinel) {
      this.settling = null;
      return { itemId: settling.itemId, playedMs: this.playedMs(settling.itemId) };
    }
    const frame = settling.flushed.get(name);
    if (!frame) return undefined;
    settling.flushed.delete(name);
    if (clockMoved) {
      this.playedBytes.set(frame.itemId, Math.max(this.playedBytes.get(frame.itemId) ?? 0, frame.endBytes));
      this.#played(frame);
    }
    return null;
  }

  #played(frame: SentFrame): void {
    if (frame.payload) this.onPlayed?.(frame.payload);
    frame.payload = null;
  }

  /** Audio was sent that the carrier has not confirmed as played. */
  isPlaying(): boolean {
    return this.head < this.queue.length;
  }

  /** Whole milliseconds of the item confirmed as played (never beyond what was sent). */
  playedMs(itemId: string): number {
    return Math.floor((this.playedBytes.get(itemId) ?? 0) / BYTES_PER_MS);
  }

  /** Refuses any further audio of the item (its response was cancelled). Audio already sent still plays. */
  dropItem(itemId: string): void {
    this.dropped.add(itemId);
  }

  accepts(itemId: string): boolean {
    return !this.dropped.has(itemId);
  }
}
