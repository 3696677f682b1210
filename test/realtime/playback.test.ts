import { describe, expect, it } from "vitest";
import { FRAME_BYTES } from "../../src/audio/mulaw";
import { PlaybackTracker } from "../../src/realtime/playback";

const audio = (bytes: number, fill = 0x20) => new Uint8Array(bytes).fill(fill);
const counting = (bytes: number) => Uint8Array.from({ length: bytes }, (_, i) => i % 251);

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

describe("PlaybackTracker.frames", () => {
  it("splits audio into frames of at most 160 bytes that concatenate back to the input", () => {
    const input = counting(1000);
    const frames = new PlaybackTracker().frames("item_a", input);
    expect(frames.map((f) => f.payload.length)).toEqual([160, 160, 160, 160, 160, 160, 40]);
    expect(frames.every((f) => f.payload.length <= FRAME_BYTES)).toBe(true);
    expect(concat(frames.map((f) => f.payload))).toEqual(input);
  });

  it("sends a short delta as one frame and an empty one as none", () => {
    const tracker = new PlaybackTracker();
    expect(tracker.frames("item_a", counting(7)).map((f) => f.payload)).toEqual([counting(7)]);
    expect(tracker.frames("item_a", new Uint8Array(0))).toEqual([]);
  });

  it("gives every frame a unique mark across deltas and items", () => {
    const tracker = new PlaybackTracker();
    const marks = [
      ...tracker.frames("item_a", audio(500)),
      ...tracker.frames("item_a", audio(500)),
      ...tracker.frames("item_b", audio(321)),
    ].map((f) => f.mark);
    expect(marks).toHaveLength(4 + 4 + 3);
    expect(new Set(marks).size).toBe(marks.length);
  });

  it("does not let the payload change when the caller reuses its buffer", () => {
    const input = audio(200, 0x01);
    const [first] = new PlaybackTracker().frames("item_a", input);
    input.fill(0x02);
    expect(first!.payload.every((b) => b === 0x01)).toBe(true);
  });
});

describe("PlaybackTracker marks", () => {
  it("counts as played exactly the audio before the last mark that came back", () => {
    const tracker = new PlaybackTracker();
    const frames = tracker.frames("item_a", audio(1000)); // 125 ms
    expect(tracker.playedMs("item_a")).toBe(0);
    tracker.onMark(frames[0]!.mark);
    expect(tracker.playedMs("item_a")).toBe(20);
    tracker.onMark(frames[2]!.mark);
    expect(tracker.playedMs("item_a")).toBe(60);
    tracker.onMark(frames[6]!.mark);
    expect(tracker.playedMs("item_a")).toBe(125);
  });

  it("keeps counting across deltas of odd sizes, in whole milliseconds", () => {
    const tracker = new PlaybackTracker();
    tracker.frames("item_a", audio(100)); // 12.5 ms
    const second = tracker.frames("item_a", audio(100));
    tracker.onMark(second[0]!.mark);
    expect(tracker.playedMs("item_a")).toBe(25);
  });

  it("treats a mark as proof that every earlier frame played, and ignores it if it comes back late or twice", () => {
    const tracker = new PlaybackTracker();
    const frames = tracker.frames("item_a", audio(800)); // 5 frames
    tracker.onMark(frames[3]!.mark);
    expect(tracker.playedMs("item_a")).toBe(80);
    tracker.onMark(frames[1]!.mark);
    tracker.onMark(frames[3]!.mark);
    expect(tracker.playedMs("item_a")).toBe(80);
  });

  it("ignores marks it never issued", () => {
    const tracker = new PlaybackTracker();
    tracker.frames("item_a", audio(320));
    tracker.onMark("item_a:40:1000");
    tracker.onMark("");
    expect(tracker.playedMs("item_a")).toBe(0);
    expect(tracker.isPlaying()).toBe(true);
  });

  it("reports 0 ms for an item it has never seen", () => {
    expect(new PlaybackTracker().playedMs("item_unknown")).toBe(0);
  });
});

describe("PlaybackTracker.isPlaying", () => {
  it("is true from the first frame sent until its last mark comes back, and false after an interruption", () => {
    const tracker = new PlaybackTracker();
    expect(tracker.isPlaying()).toBe(false);
    const frames = tracker.frames("item_a", audio(480));
    expect(tracker.isPlaying()).toBe(true);
    tracker.onMark(frames[1]!.mark);
    expect(tracker.isPlaying()).toBe(true);
    tracker.onMark(frames[2]!.mark);
    expect(tracker.isPlaying()).toBe(false);
    tracker.frames("item_b", audio(160));
    expect(tracker.isPlaying()).toBe(true);
    tracker.interrupt();
    expect(tracker.isPlaying()).toBe(false);
  });
});

describe("PlaybackTracker.interrupt", () => {
  it("returns nothing when nothing was ever sent", () => {
    expect(new PlaybackTracker().interrupt()).toBeNull();
  });

  it("returns nothing when all sent audio has already played, and keeps accepting that item", () => {
    const tracker = new PlaybackTracker();
    const frames = tracker.frames("item_a", audio(320));
    tracker.onMark(frames[1]!.mark);
    expect(tracker.interrupt()).toBeNull();
    expect(tracker.accepts("item_a")).toBe(true);
  });

  it("returns the item being heard and the milliseconds heard so far", () => {
    const tracker = new PlaybackTracker();
    const frames = tracker.frames("item_a", audio(1600)); // 200 ms
    tracker.onMark(frames[4]!.mark);
    expect(tracker.interrupt()).toMatchObject({ itemId: "item_a", playedMs: 100 });
  });

  it("returns 0 ms when the callee talks before the first frame played", () => {
    const tracker = new PlaybackTracker();
    tracker.frames("item_a", audio(1600));
    expect(tracker.interrupt()).toMatchObject({ itemId: "item_a", playedMs: 0 });
  });

  it("ignores the marks the carrier echoes for the flushed frames", () => {
    const tracker = new PlaybackTracker();
    const frames = tracker.frames("item_a", audio(1600));
    tracker.onMark(frames[2]!.mark);
    tracker.interrupt();
    for (const frame of frames.slice(3)) tracker.onMark(frame.mark);
    expect(tracker.playedMs("item_a")).toBe(60);
    expect(tracker.isPlaying()).toBe(false);
    expect(tracker.interrupt()).toBeNull();
  });

  it("refuses further audio of the interrupted item", () => {
    const tracker = new PlaybackTracker();
    tracker.frames("item_a", audio(800));
    tracker.interrupt();
    expect(tracker.accepts("item_a")).toBe(false);
    expect(tracker.frames("item_a", audio(800))).toEqual([]);
    expect(tracker.isPlaying()).toBe(false);
  });

  it("tracks a new item after an interruption like the first", () => {
    const tracker = new PlaybackTracker();
    const old = tracker.frames("item_a", audio(800));
    tracker.interrupt();
    const next = tracker.frames("item_b", audio(800));
    expect(tracker.accepts("item_b")).toBe(true);
    expect(next).toHaveLength(5);
    // The flushed marks come back interleaved with the new ones; only the new ones count.
    tracker.onMark(old[4]!.mark);
    tracker.onMark(next[1]!.mark);
    tracker.onMark(old[3]!.mark);
    expect(tracker.playedMs("item_b")).toBe(40);
    expect(tracker.playedMs("item_a")).toBe(0);
    expect(tracker.interrupt()).toMatchObject({ itemId: "item_b", playedMs: 40 });
  });

  it("follows two items in sequence and interrupts the one being heard", () => {
    const tracker = new PlaybackTracker();
    const first = tracker.frames("item_a", audio(400)); // 50 ms
    const second = tracker.frames("item_b", audio(400));
    tracker.onMark(first[2]!.mark);
    expect(tracker.playedMs("item_a")).toBe(50);
    expect(tracker.isPlaying()).toBe(true);
    tracker.onMark(second[1]!.mark);
    expect(tracker.playedMs("item_b")).toBe(40);
    expect(tracker.interrupt()).toMatchObject({ itemId: "item_b", playedMs: 40 });
    expect(tracker.accepts("item_a")).toBe(true);
    expect(tracker.accepts("item_b")).toBe(false);
  });

  it("interrupts the earlier item when the next one is queued behind it, and drops both", () => {
    const tracker = new PlaybackTracker();
    const first = tracker.frames("item_a", audio(400));
    tracker.frames("item_b", audio(400));
    tracker.onMark(first[0]!.mark);
    expect(tracker.interrupt()).toMatchObject({ itemId: "item_a", playedMs: 20 });
    expect(tracker.accepts("item_a")).toBe(false);
    expect(tracker.accepts("item_b")).toBe(false);
    expect(tracker.playedMs("item_b")).toBe(0);
  });
});

describe("PlaybackTracker over a long call", () => {
  it("stays exact across a minute of audio with marks lagging behind the sends", () => {
    const tracker = new PlaybackTracker();
    const marks: string[] = [];
    for (let delta = 0; delta < 100; delta++) {
      marks.push(...tracker.frames("item_long", audio(4800)).map((f) => f.mark)); // 600 ms each
      // The carrier is two deltas behind the model.
      if (delta >= 2) tracker.onMark(marks[(delta - 1) * 30 - 1]!);
    }
    expect(tracker.playedMs("item_long")).toBe(98 * 600);
    tracker.onMark(marks[2990]!);
    expect(tracker.interrupt()).toMatchObject({ itemId: "item_long", playedMs: 2991 * 20 });
    tracker.onMark(marks[2999]!);
    expect(tracker.playedMs("item_long")).toBe(2991 * 20);
  });
});

describe("PlaybackTracker.dropItem", () => {
  it("refuses late deltas of a cancelled item while its audio already sent still counts when played", () => {
    const tracker = new PlaybackTracker();
    const frames = tracker.frames("item_a", audio(320));
    tracker.dropItem("item_a");
    expect(tracker.accepts("item_a")).toBe(false);
    expect(tracker.frames("item_a", audio(320))).toEqual([]);
    tracker.onMark(frames[1]!.mark);
    expect(tracker.playedMs("item_a")).toBe(40);
    expect(tracker.isPlaying()).toBe(false);
    expect(tracker.accepts("item_b")).toBe(true);
  });
});

/**
 * A carrier like Twilio's: plays queued audio at 8 bytes per ms, echoes a mark when playback
 * reaches it, and on `clear` drops what is queued and echoes the flushed marks at once.
 */
class FakeCarrier {
  private queue: ({ bytes: number; itemId: string } | { mark: string })[] = [];
  readonly heard = new Map<string, number>();
  constructor(private readonly echo: (mark: string) => void) {}

  send(itemId: string, frame: { payload: Uint8Array; mark: string }) {
    this.queue.push({ bytes: frame.payload.length, itemId }, { mark: frame.mark });
  }

  play(ms: number) {
    let budget = ms * 8;
    while (this.queue.length > 0) {
      const next = this.queue[0]!;
      if ("mark" in next) {
        this.queue.shift();
        this.echo(next.mark);
        continue;
      }
      if (budget === 0) return;
      const take = Math.min(budget, next.bytes);
      budget -= take;
      next.bytes -= take;
      this.heard.set(next.itemId, (this.heard.get(next.itemId) ?? 0) + take);
      if (next.bytes === 0) this.queue.shift();
    }
  }

  clear() {
    const flushed = this.queue.flatMap((entry) => ("mark" in entry ? [entry.mark] : []));
    this.queue = [];
    for (const mark of flushed) this.echo(mark);
  }
}

describe("PlaybackTracker against a carrier playing in real time", () => {
  const deltaSizes = [2400, 333, 1, 960, 4801, 17, 1200];

  // 9712 bytes (1214 ms) in all; 35 ms play while the deltas arrive.
  for (const extraMs of [0, 7, 20, 155, 333, 601, 1150]) {
    it(`reports what the callee heard within one frame when interrupted ${35 + extraMs} ms in`, () => {
      const tracker = new PlaybackTracker();
      const carrier = new FakeCarrier((mark) => tracker.onMark(mark));
      // The model produces faster than real time: deltas arrive while earlier audio plays.
      for (const size of deltaSizes) {
        for (const frame of tracker.frames("item_a", audio(size))) carrier.send("item_a", frame);
        carrier.play(5);
      }
      carrier.play(extraMs);

      const interruption = tracker.interrupt();
      carrier.clear();
      const heardMs = (carrier.heard.get("item_a") ?? 0) / 8;
      expect(interruption?.itemId).toBe("item_a");
      expect(interruption!.playedMs).toBeLessThanOrEqual(heardMs);
      expect(heardMs - interruption!.playedMs).toBeLessThan(20);
      expect(tracker.playedMs("item_a")).toBe(interruption!.playedMs);

      // Late deltas of the interrupted item never reach the carrier; the next item plays normally.
      expect(tracker.frames("item_a", audio(800))).toEqual([]);
      for (const frame of tracker.frames("item_b", audio(800))) carrier.send("item_b", frame);
      carrier.play(30);
      expect(tracker.playedMs("item_b")).toBe(20);
      carrier.play(100);
      expect(tracker.playedMs("item_b")).toBe(100);
      expect(tracker.isPlaying()).toBe(false);
    });
  }
});

describe("PlaybackTracker, settling an interruption with the carrier's clock", () => {
  /** A carrier that plays 20 ms per tick, stamping the callee's audio with its clock first, then echoing the marks that played. */
  function playTicks(tracker: PlaybackTracker, frames: { mark: string }[], from: number, ticks: number) {
    for (let t = 0; t < ticks; t++) {
      tracker.clock((from + t) * 20);
      const frame = frames[from + t];
      if (frame) tracker.onMark(frame.mark);
    }
  }

  it("counts the frames that played before the clear landed and not the ones it flushed", () => {
    const tracker = new PlaybackTracker();
    const frames = tracker.frames("item_a", audio(160 * 50)); // one second
    playTicks(tracker, frames, 0, 10); // 200 ms heard when the callee starts talking
    const cut = tracker.interrupt();
    expect(cut).toMatchObject({ itemId: "item_a", playedMs: 200 });
    // The clear takes 5 more frames to reach the carrier, which keeps playing meanwhile...
    playTicks(tracker, frames, 10, 5);
    // ...then echoes the 35 flushed marks at once, the clock standing still, then the sentinel.
    for (const frame of frames.slice(15)) expect(tracker.onMark(frame.mark)).toBeNull();
    expect(tracker.onMark(cut!.sentinel)).toEqual({ itemId: "item_a", playedMs: 300 });
    expect(tracker.isPlaying()).toBe(false);
  });

  it("settles at what was confirmed when the clear lands at once", () => {
    const tracker = new PlaybackTracker();
    const frames = tracker.frames("item_a", audio(160 * 20));
    playTicks(tracker, frames, 0, 4);
    const cut = tracker.interrupt()!;
    for (const frame of frames.slice(4)) tracker.onMark(frame.mark);
    expect(tracker.onMark(cut.sentinel)).toEqual({ itemId: "item_a", playedMs: 80 });
  });

  it("returns nothing for ordinary marks while an interruption settles", () => {
    const tracker = new PlaybackTracker();
    const frames = tracker.frames("item_a", audio(160 * 4));
    const cut = tracker.interrupt()!;
    expect(tracker.onMark(frames[0]!.mark)).toBeNull();
    expect(tracker.onMark("unknown")).toBeNull();
    expect(tracker.onMark(cut.sentinel)).toEqual({ itemId: "item_a", playedMs: 0 });
  });
});
