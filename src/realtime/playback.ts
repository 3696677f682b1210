import { BYTES_PER_MS, FRAME_BYTES } from "../audio/mulaw";

/**
 * Barge-in bookkeeping: what the callee has actually heard of each agent item. The model produces
 * audio faster than real time and the carrier buffers it, so "sent" is not "heard". Each outgoing
 * frame (at most 20 ms) is followed by a mark; the carrier echoes a mark once the audio before it
 * has played, which bounds the error of `playedMs` to one frame. A `clear` flushes the carrier's
 * buffer and echoes the flushed marks at once: `interrupt` forgets them first, so they never count.
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

interface SentFrame {
  mark: string;
  itemId: string;
  /** Bytes of the item sent up to and including this frame. */
  endBytes: number;
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

  /** Splits agent audio into carrier frames, or none if the item was dropped or interrupted. */
  frames(itemId: string, audio: Uint8Array): OutgoingFrame[] {
    if (this.dropped.has(itemId)) return [];
    const out: OutgoingFrame[] = [];
    let sent = this.sentBytes.get(itemId) ?? 0;
    for (let offset = 0; offset < audio.length; offset += FRAME_BYTES) {
      const payload = audio.slice(offset, offset + FRAME_BYTES);
      sent += payload.length;
      const seq = this.nextSeq++;
      // Item and ms make the mark readable in carrier logs; the sequence number keeps it unique.
      const mark = `${itemId}:${Math.floor(sent / BYTES_PER_MS)}:${seq}`;
      this.queue.push({ mark, itemId, endBytes: sent });
      this.pending.set(mark, seq);
      out.push({ payload, mark });
    }
    this.sentBytes.set(itemId, sent);
    return out;
  }

  /** A mark came back: everything sent before it has played. Unknown and flushed marks are ignored. */
  onMark(name: string): void {
    const seq = this.pending.get(name);
    if (seq === undefined) return;
    const last = seq - this.base;
    for (let i = this.head; i <= last; i++) {
      const frame = this.queue[i]!;
      this.playedBytes.set(frame.itemId, frame.endBytes);
      this.pending.delete(frame.mark);
    }
    this.head = last + 1;
    if (this.head > 256 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.base += this.head;
      this.head = 0;
    }
  }

  /**
   * The callee started talking over the agent: returns the item being heard and how much of it
   * was, or null if all sent audio had already played. Every unplayed frame counts as flushed
   * (the caller sends `clear`), and the items they belong to accept no more audio.
   */
  interrupt(): Interruption | null {
    if (!this.isPlaying()) return null;
    const current = this.queue[this.head]!;
    for (let i = this.head; i < this.queue.length; i++) {
      const frame = this.queue[i]!;
      this.pending.delete(frame.mark);
      this.dropped.add(frame.itemId);
    }
    this.queue = [];
    this.head = 0;
    this.base = this.nextSeq;
    return { itemId: current.itemId, playedMs: this.playedMs(current.itemId) };
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
