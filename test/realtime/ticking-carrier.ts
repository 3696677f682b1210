import type { Interruption, OutgoingFrame, PlaybackTracker } from "../../src/realtime/playback";

type Queued = { bytes: number; itemId: string } | { mark: string };

/**
 * A carrier like Twilio's (and the emulator's), on a 20 ms tick: each tick stamps the callee's
 * audio with its clock, then plays 20 ms of the agent's audio (8 bytes per ms) and echoes the
 * marks playback got past. A mark that arrives with nothing left to play is echoed at once;
 * `clear` drops what is queued and echoes the flushed marks at once.
 */
export class TickingCarrier {
  private queue: Queued[] = [];
  nowMs = 0;
  /** Bytes of each item that played. */
  readonly heard = new Map<string, number>();
  /** When each played byte run started on the clock: what a recording should line up with. */
  readonly played: { itemId: string; atMs: number; bytes: number }[] = [];
  marksReceived = 0;
  /** What the tracker answered when the sentinel came back. */
  settled: Interruption | null = null;

  constructor(private readonly tracker: PlaybackTracker) {}

  send(itemId: string, frames: OutgoingFrame[]): void {
    for (const frame of frames) {
      this.queue.push({ bytes: frame.payload.length, itemId });
      if (frame.mark) this.mark(frame.mark);
    }
  }

  mark(name: string): void {
    this.marksReceived++;
    if (this.queue.length === 0) this.echo(name);
    else this.queue.push({ mark: name });
  }

  tick(count = 1): void {
    for (let t = 0; t < count; t++) {
      this.tracker.clock(this.nowMs);
      let budget = 160;
      let atMs = this.nowMs;
      while (this.queue.length > 0) {
        const next = this.queue[0]!;
        if ("mark" in next) {
          this.queue.shift();
          this.echo(next.mark);
          continue;
        }
        if (budget === 0) break;
        const take = Math.min(budget, next.bytes);
        this.played.push({ itemId: next.itemId, atMs, bytes: take });
        atMs += take / 8;
        budget -= take;
        next.bytes -= take;
        this.heard.set(next.itemId, (this.heard.get(next.itemId) ?? 0) + take);
        if (next.bytes === 0) this.queue.shift();
      }
      this.nowMs += 20;
    }
  }

  /** `clear`, then the sentinel after it, as Parley sends them. */
  clear(sentinel: string): void {
    const flushed = this.queue.flatMap((entry) => ("mark" in entry ? [entry.mark] : []));
    this.queue = [];
    for (const mark of flushed) this.echo(mark);
    this.mark(sentinel);
  }

  heardMs(itemId: string): number {
    return (this.heard.get(itemId) ?? 0) / 8;
  }

  private echo(name: string): void {
    const answer = this.tracker.onMark(name);
    if (answer) this.settled = answer;
  }
}
