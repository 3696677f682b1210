import { BYTES_PER_MS, FRAME_BYTES } from "../audio/mulaw";
import { type Anchor, heardOf, limitOf, positionAt, type SentFrame } from "./playback-position";

/**
 * Barge-in bookkeeping: what the callee has actually heard of each agent item. The model produces
 * audio faster than real time and the carrier buffers it, so "sent" is not "heard".
 *
 * Marks tell what has played: the carrier echoes a mark once the audio before it has played. A
 * mark after every frame would say it to the frame, but then each frame relayed is three messages
 * each way (the callee's audio, the agent's audio, the mark), which is a third of the relay's work.
 * So a mark follows every MARK_EVERY_FRAMES-th frame, and between two marks the position is read
 * off the carrier's clock (the timestamps of the callee's audio, which the caller passes to
 * `clock`): playback runs in real time, so `bytes` confirmed at clock `t` means `bytes + 8·(t' − t)`
 * at `t'`, never past the next mark that has not come back. That holds while the carrier has audio
 * to play. A frame sent when the clock says the carrier ran out of audio (or the first since a
 * clear) starts a new stretch of playback, so it is marked too: the position then cannot run past
 * it before its echo re-reads where playback is. The last frame of a response is marked as well
 * (`endOfAudio`), so the end of what was said is confirmed, not inferred.
 *
 * On an interruption the caller sends `clear` and then a sentinel mark. The carrier keeps playing
 * until the `clear` reaches it, echoing those frames' marks as they play, then echoes every flushed
 * mark at once and then the sentinel, with its clock standing where the `clear` caught playback.
 * So when the sentinel comes back, the position at its clock is what the callee really heard: the
 * `audio_end_ms` to truncate at, within one frame. Marks echoed before that clock played; marks
 * echoed at it were flushed.
 *
 * The audio of each frame is handed to `onPlayed` (the call's recording) once the frame is known
 * to have played, in playing order, with where it played on the carrier's clock; flushed frames
 * never are. A frame's audio is kept only while its fate is open, so what is held is bounded by
 * how far the model runs ahead of the phone.
 */
export const MARK_EVERY_FRAMES = 5;

export interface OutgoingFrame {
  payload: Uint8Array;
  /** Send as a carrier `mark` right after the payload; null for the frames between marks. */
  mark: string | null;
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

/** Agent audio that played, and the carrier's clock (ms since the stream began) when it started. */
export type PlayedAudio = (audio: Uint8Array, atMs: number) => void;

interface Settling {
  itemId: string;
  sentinel: string;
  /** The frames unconfirmed when the callee cut in, in the order sent. */
  frames: SentFrame[];
  /** Their marks, and the carrier's clock when each came back. */
  echoedAt: Map<string, number>;
  anchor: Anchor | null;
  played: number;
}

export class PlaybackTracker {
  // Frames sent but not confirmed as played, oldest first from `head`. `base` is the sequence
  // number of queue[0], so a mark's sequence number finds its frame without a search.
  private queue: SentFrame[] = [];
  private head = 0;
  private base = 0;
  private nextSeq = 0;
  private readonly pending = new Map<string, number>();
  private readonly sentBytes = new Map<string, number>();
  private readonly playedBytes = new Map<string, number>();
  private readonly dropped = new Set<string>();
  private streamSent = 0;
  /** Stream bytes confirmed as played (or, after a clear, given up): where playback stands at worst. */
  private streamPlayed = 0;
  private anchor: Anchor | null = null;
  private sinceMark = 0;
  private clockMs = 0;
  private settling: Settling | null = null;

  constructor(private readonly onPlayed: PlayedAudio | null = null) {}

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
      // A new stretch of playback: the first audio of the call or since a clear, or audio after
      // the carrier ran dry. Its first frame is marked, and until that mark comes back the
      // position is not read off the clock (the gap before it is not known).
      const dry = this.#ranDry();
      if (dry) this.#playedByClock();
      const restart = dry || (this.anchor === null && !this.isPlaying());
      if (restart) {
        this.anchor = null;
        this.streamPlayed = this.streamSent;
      }
      const marked = restart || ++this.sinceMark >= MARK_EVERY_FRAMES;
      sent += payload.length;
      this.streamSent += payload.length;
      const seq = this.nextSeq++;
      const frame: SentFrame = { itemId, endBytes: sent, streamEnd: this.streamSent, bytes: payload.length, mark: null, payload: this.onPlayed ? payload : null };
      this.queue.push(frame);
      if (marked) this.#mark(frame, seq);
      out.push({ payload, mark: frame.mark });
    }
    this.sentBytes.set(itemId, sent);
    return out;
  }

  /**
   * The agent stopped speaking for now (its response's audio is done): returns a mark to send
   * after the audio already sent when its last frame went without one, so that the end of what
   * was said is confirmed when it has played, not inferred.
   */
  endOfAudio(): string | null {
    const last = this.queue[this.queue.length - 1];
    if (!this.isPlaying() || !last || last.mark) return null;
    this.#mark(last, this.base + this.queue.length - 1);
    return last.mark;
  }

  /**
   * By the carrier's clock, everything sent ran out more than a frame ago: the model fell behind
   * the phone, and the next frame starts a new stretch of playback. (A gap within a frame is the
   * clock's own resolution; such gaps do not add up, as each mark's echo re-reads the position.)
   */
  #ranDry(): boolean {
    const anchor = this.anchor;
    return anchor !== null && anchor.bytes + (this.clockMs - anchor.clock) * BYTES_PER_MS > this.streamSent + FRAME_BYTES;
  }

  /** What is unconfirmed played out, by the clock: it is confirmed where the clock places it. */
  #playedByClock(): void {
    if (!this.isPlaying()) return;
    this.#confirm(this.queue, this.head, this.queue.length - 1, this.anchor!);
    this.streamPlayed = this.streamSent;
    this.#forget(this.queue.length);
  }

  #mark(frame: SentFrame, seq: number): void {
    // Item and ms make the mark readable in carrier logs; the sequence number keeps it unique.
    frame.mark = `${frame.itemId}:${Math.floor(frame.endBytes / BYTES_PER_MS)}:${seq}`;
    this.pending.set(frame.mark, seq);
    this.sinceMark = 0;
  }

  /**
   * A mark came back: everything sent before it has played. Unknown marks are ignored. Returns the
   * settled interruption when the mark is the sentinel sent after a `clear`.
   */
  onMark(name: string): Interruption | null {
    const settling = this.settling;
    if (settling) {
      if (name === settling.sentinel) return this.#settle(settling);
      if (settling.echoedAt.has(name)) {
        settling.echoedAt.set(name, this.clockMs);
        return null;
      }
    }
    const seq = this.pending.get(name);
    if (seq === undefined) return null;
    const last = seq - this.base;
    const frame = this.queue[last]!;
    this.anchor = { bytes: frame.streamEnd, clock: this.clockMs };
    this.#confirm(this.queue, this.head, last, this.anchor);
    this.streamPlayed = frame.streamEnd;
    this.#forget(last + 1);
    return null;
  }

  /** The frames before `head` are settled: they leave the queue (in batches, not one by one). */
  #forget(head: number): void {
    this.head = head;
    if (this.head > 256 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.base += this.head;
      this.head = 0;
    }
  }

  /** Frames `from`..`to` of `frames` played; the anchor places them on the carrier's clock. */
  #confirm(frames: SentFrame[], from: number, to: number, anchor: Anchor): void {
    for (let i = from; i <= to; i++) {
      const frame = frames[i]!;
      this.playedBytes.set(frame.itemId, frame.endBytes);
      if (frame.mark) this.pending.delete(frame.mark);
      if (frame.payload) this.onPlayed?.(frame.payload, anchor.clock + (frame.streamEnd - anchor.bytes) / BYTES_PER_MS);
      frame.payload = null;
    }
  }

  /**
   * The callee started talking over the agent: returns the item being heard, how much of it the
   * carrier's clock says was heard so far, and the sentinel to send after the `clear`; null if all
   * sent audio had already played. The unplayed frames leave the queue, and their items accept no
   * more audio.
   */
  interrupt(): PendingInterruption | null {
    if (!this.isPlaying()) return null;
    const frames = this.queue.slice(this.head);
    const heard = positionAt(this.clockMs, this.anchor, this.streamPlayed, limitOf(frames, 0));
    const current = frames.find((frame) => frame.streamEnd > heard) ?? frames[frames.length - 1]!;
    const echoedAt = new Map<string, number>();
    for (const frame of frames) {
      if (frame.mark) {
        this.pending.delete(frame.mark);
        echoedAt.set(frame.mark, Number.POSITIVE_INFINITY);
      }
      this.dropped.add(frame.itemId);
    }
    const sentinel = `clear:${this.nextSeq++}`;
    this.settling = { itemId: current.itemId, sentinel, frames, echoedAt, anchor: this.anchor, played: this.streamPlayed };
    this.queue = [];
    this.head = 0;
    this.base = this.nextSeq;
    return { itemId: current.itemId, playedMs: Math.floor(heardOf(current, heard) / BYTES_PER_MS), sentinel };
  }

  /** The sentinel came back: the clock stands where the `clear` stopped playback. */
  #settle(settling: Settling): Interruption {
    this.settling = null;
    const { frames } = settling;
    let { anchor, played } = settling;
    // Marks echoed while the clock still moved had played before the clear landed.
    let next = 0;
    for (; next < frames.length; next++) {
      const frame = frames[next]!;
      if (!frame.mark) continue;
      const at = settling.echoedAt.get(frame.mark)!;
      if (at >= this.clockMs) break;
      anchor = { bytes: frame.streamEnd, clock: at };
      played = frame.streamEnd;
    }
    const heard = positionAt(this.clockMs, anchor, played, limitOf(frames, next));
    let whole = -1;
    while (whole + 1 < frames.length && frames[whole + 1]!.streamEnd <= heard) whole++;
    if (anchor && whole >= 0) this.#confirm(frames, 0, whole, anchor);
    const partial = frames[whole + 1];
    if (partial && heard > partial.streamEnd - partial.bytes) {
      this.playedBytes.set(partial.itemId, Math.max(this.playedBytes.get(partial.itemId) ?? 0, heardOf(partial, heard)));
    }
    return { itemId: settling.itemId, playedMs: this.playedMs(settling.itemId) };
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
