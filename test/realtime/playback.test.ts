import { describe, expect, it } from "vitest";
import { FRAME_BYTES } from "../../src/audio/mulaw";
import { MARK_EVERY_FRAMES, type OutgoingFrame, PlaybackTracker } from "../../src/realtime/playback";
import { TickingCarrier } from "./ticking-carrier";

const audio = (bytes: number, fill = 0x20) => new Uint8Array(bytes).fill(fill);
const counting = (bytes: number) => Uint8Array.from({ length: bytes }, (_, i) => i % 251);
const frame = (count: number) => count * FRAME_BYTES;
/** The bar: what the tracker settles on is within one frame of what the callee heard. */
const ONE_FRAME_MS = 20;

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/** The mark of a frame that has one (the test means that frame). */
function markOf(frames: OutgoingFrame[], index: number): string {
  const mark = frames[index]?.mark;
  if (!mark) throw new Error(`frame ${index} has no mark`);
  return mark;
}

const markedIndexes = (frames: OutgoingFrame[]) => frames.flatMap((f, i) => (f.mark ? [i] : []));

describe("PlaybackTracker.frames", () => {
  it("splits audio into frames of at most 160 bytes that concatenate back to the input", () => {
    const input = counting(1000);
    const frames = new PlaybackTracker().frames("item_a", input);
    expect(frames.map((f) => f.payload.length)).toEqual([160, 160, 160, 160, 160, 160, 40]);
    expect(concat(frames.map((f) => f.payload))).toEqual(input);
  });

  it("sends a short delta as one frame and an empty one as none", () => {
    const tracker = new PlaybackTracker();
    expect(tracker.frames("item_a", counting(7)).map((f) => f.payload)).toEqual([counting(7)]);
    expect(tracker.frames("item_a", new Uint8Array(0))).toEqual([]);
  });

  it(`marks the first frame of a stretch, then every ${MARK_EVERY_FRAMES}th, across deltas and items, each mark unique`, () => {
    const tracker = new PlaybackTracker();
    const frames = [...tracker.frames("item_a", audio(frame(7))), ...tracker.frames("item_a", audio(frame(4))), ...tracker.frames("item_b", audio(frame(6)))];
    expect(markedIndexes(frames)).toEqual([0, 5, 10, 15]);
    const marks = frames.flatMap((f) => (f.mark ? [f.mark] : []));
    expect(new Set(marks).size).toBe(marks.length);
    expect(marks[3]).toMatch(/^item_b:/);
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
    const frames = tracker.frames("item_a", audio(1000)); // 125 ms, marks on frames 0 and 5
    expect(tracker.playedMs("item_a")).toBe(0);
    tracker.onMark(markOf(frames, 0));
    expect(tracker.playedMs("item_a")).toBe(20);
    tracker.onMark(markOf(frames, 5));
    expect(tracker.playedMs("item_a")).toBe(120);
    const end = tracker.endOfAudio()!;
    tracker.onMark(end);
    expect(tracker.playedMs("item_a")).toBe(125);
  });

  it("keeps counting across deltas of odd sizes, in whole milliseconds", () => {
    const tracker = new PlaybackTracker();
    tracker.frames("item_a", audio(100)); // 12.5 ms
    tracker.frames("item_a", audio(100));
    tracker.onMark(tracker.endOfAudio()!);
    expect(tracker.playedMs("item_a")).toBe(25);
  });

  it("treats a mark as proof that every earlier frame played, and ignores it if it comes back late or twice", () => {
    const tracker = new PlaybackTracker();
    const frames = tracker.frames("item_a", audio(frame(11)));
    tracker.onMark(markOf(frames, 5));
    expect(tracker.playedMs("item_a")).toBe(120);
    tracker.onMark(markOf(frames, 0));
    tracker.onMark(markOf(frames, 5));
    expect(tracker.playedMs("item_a")).toBe(120);
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

describe("PlaybackTracker.endOfAudio", () => {
  it("marks the last frame sent when it had no mark, once, and nothing when all has played", () => {
    const tracker = new PlaybackTracker();
    expect(tracker.endOfAudio()).toBeNull();
    const frames = tracker.frames("item_a", audio(frame(3)));
    const end = tracker.endOfAudio();
    expect(end).toMatch(/^item_a:60:/);
    expect(tracker.endOfAudio()).toBeNull();
    tracker.onMark(markOf(frames, 0));
    expect(tracker.isPlaying()).toBe(true);
    tracker.onMark(end!);
    expect(tracker.isPlaying()).toBe(false);
    expect(tracker.endOfAudio()).toBeNull();
  });

  it("adds nothing when the last frame already carries a mark", () => {
    const tracker = new PlaybackTracker();
    tracker.frames("item_a", audio(frame(6))); // marks on frames 0 and 5
    expect(tracker.endOfAudio()).toBeNull();
  });
});

describe("PlaybackTracker.isPlaying", () => {
  it("is true from the first frame sent until the mark after its last comes back, and false after an interruption", () => {
    const tracker = new PlaybackTracker();
    expect(tracker.isPlaying()).toBe(false);
    const frames = tracker.frames("item_a", audio(480));
    expect(tracker.isPlaying()).toBe(true);
    tracker.onMark(markOf(frames, 0));
    expect(tracker.isPlaying()).toBe(true);
    tracker.onMark(tracker.endOfAudio()!);
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
    tracker.frames("item_a", audio(320));
    tracker.onMark(tracker.endOfAudio()!);
    expect(tracker.interrupt()).toBeNull();
    expect(tracker.accepts("item_a")).toBe(true);
  });

  it("reads how much of the item was heard off the carrier's clock since the last mark", () => {
    const tracker = new PlaybackTracker();
    const frames = tracker.frames("item_a", audio(frame(10)));
    tracker.clock(0);
    tracker.onMark(markOf(frames, 0)); // 20 ms had played when the clock read 0
    tracker.clock(60);
    expect(tracker.interrupt()).toMatchObject({ itemId: "item_a", playedMs: 80 });
  });

  it("never reads past a mark that has not come back", () => {
    const tracker = new PlaybackTracker();
    const frames = tracker.frames("item_a", audio(frame(10)));
    tracker.clock(0);
    tracker.onMark(markOf(frames, 0));
    tracker.clock(500);
    expect(tracker.interrupt()).toMatchObject({ itemId: "item_a", playedMs: 120 }); // frame 5's mark
  });

  it("returns 0 ms when the callee talks before the first frame played", () => {
    const tracker = new PlaybackTracker();
    tracker.frames("item_a", audio(1600));
    tracker.clock(200);
    expect(tracker.interrupt()).toMatchObject({ itemId: "item_a", playedMs: 0 });
  });

  it("ignores the marks the carrier echoes for the flushed frames", () => {
    const tracker = new PlaybackTracker();
    const frames = tracker.frames("item_a", audio(frame(16)));
    tracker.onMark(markOf(frames, 5));
    const cut = tracker.interrupt()!;
    tracker.onMark(markOf(frames, 10));
    tracker.onMark(markOf(frames, 15));
    expect(tracker.onMark(cut.sentinel)).toEqual({ itemId: "item_a", playedMs: 120 });
    expect(tracker.playedMs("item_a")).toBe(120);
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
    const old = tracker.frames("item_a", audio(frame(8)));
    const cut = tracker.interrupt()!;
    const next = tracker.frames("item_b", audio(frame(8)));
    expect(tracker.accepts("item_b")).toBe(true);
    expect(markedIndexes(next)).toEqual([0, 5]);
    // The flushed marks and the sentinel come back before the new ones; only the new ones count.
    tracker.onMark(markOf(old, 5));
    tracker.onMark(cut.sentinel);
    tracker.onMark(markOf(old, 0));
    tracker.onMark(markOf(next, 0));
    expect(tracker.playedMs("item_b")).toBe(20);
    expect(tracker.playedMs("item_a")).toBe(0);
    tracker.onMark(markOf(next, 5));
    expect(tracker.interrupt()).toMatchObject({ itemId: "item_b", playedMs: 120 });
  });

  it("follows two items in sequence and interrupts the one being heard", () => {
    const tracker = new PlaybackTracker();
    const frames = [...tracker.frames("item_a", audio(400)), ...tracker.frames("item_b", audio(frame(4)))]; // marks on 0 (a) and 5 (b)
    tracker.onMark(markOf(frames, 5));
    expect(tracker.playedMs("item_a")).toBe(50);
    expect(tracker.playedMs("item_b")).toBe(60);
    expect(tracker.isPlaying()).toBe(true);
    expect(tracker.interrupt()).toMatchObject({ itemId: "item_b", playedMs: 60 });
    expect(tracker.accepts("item_a")).toBe(true);
    expect(tracker.accepts("item_b")).toBe(false);
  });

  it("interrupts the earlier item when the next one is queued behind it, and drops both", () => {
    const tracker = new PlaybackTracker();
    const first = tracker.frames("item_a", audio(400));
    tracker.frames("item_b", audio(400));
    tracker.onMark(markOf(first, 0));
    expect(tracker.interrupt()).toMatchObject({ itemId: "item_a", playedMs: 20 });
    expect(tracker.accepts("item_a")).toBe(false);
    expect(tracker.accepts("item_b")).toBe(false);
    expect(tracker.playedMs("item_b")).toBe(0);
  });
});

describe("PlaybackTracker.dropItem", () => {
  it("refuses late deltas of a cancelled item while its audio already sent still counts when played", () => {
    const tracker = new PlaybackTracker();
    tracker.frames("item_a", audio(320));
    tracker.dropItem("item_a");
    expect(tracker.accepts("item_a")).toBe(false);
    expect(tracker.frames("item_a", audio(320))).toEqual([]);
    tracker.onMark(tracker.endOfAudio()!);
    expect(tracker.playedMs("item_a")).toBe(40);
    expect(tracker.isPlaying()).toBe(false);
    expect(tracker.accepts("item_b")).toBe(true);
  });
});

/**
 * Plays `deltas` (bytes, and the carrier ticks between them) through a carrier like Twilio's,
 * interrupts `extraTicks` later, lets the clear travel `clearTicks`, and returns what the tracker
 * settled on beside what the callee heard.
 */
function interruptAfter(deltas: [bytes: number, ticksAfter: number][], extraTicks: number, clearTicks: number) {
  const tracker = new PlaybackTracker();
  const carrier = new TickingCarrier(tracker);
  for (const [bytes, ticks] of deltas) {
    carrier.send("item_a", tracker.frames("item_a", audio(bytes)));
    carrier.tick(ticks);
  }
  carrier.tick(extraTicks);
  const cut = tracker.interrupt();
  carrier.tick(clearTicks);
  if (cut) carrier.clear(cut.sentinel);
  return { tracker, carrier, cut, settled: carrier.settled, heardMs: carrier.heardMs("item_a") };
}

describe("PlaybackTracker against a carrier playing in real time", () => {
  // The model produces faster than real time: deltas arrive while earlier audio plays.
  const fast: [number, number][] = [2400, 333, 1, 960, 4801, 17, 1200].map((bytes) => [bytes, 0]);
  fast[0]![1] = 1;

  for (const extraTicks of [0, 1, 2, 7, 16, 30, 58]) {
    for (const clearTicks of [0, 1, 3]) {
      it(`settles within one frame of what was heard, interrupted ${extraTicks} ticks in with the clear landing ${clearTicks} later`, () => {
        const { tracker, carrier, cut, settled, heardMs } = interruptAfter(fast, extraTicks, clearTicks);
        expect(cut?.itemId).toBe("item_a");
        expect(settled?.itemId).toBe("item_a");
        expect(Math.abs(heardMs - settled!.playedMs)).toBeLessThanOrEqual(ONE_FRAME_MS);
        expect(tracker.playedMs("item_a")).toBe(settled!.playedMs);

        // Late deltas of the interrupted item never reach the carrier; the next item plays normally.
        expect(tracker.frames("item_a", audio(800))).toEqual([]);
        carrier.send("item_b", tracker.frames("item_b", audio(800)));
        carrier.tick(2);
        expect(tracker.playedMs("item_b")).toBe(20);
        carrier.send("item_b", []);
        const end = tracker.endOfAudio();
        if (end) carrier.mark(end);
        carrier.tick(5);
        expect(tracker.playedMs("item_b")).toBe(100);
        expect(tracker.isPlaying()).toBe(false);
      });
    }
  }

  it(`sends one mark per ${MARK_EVERY_FRAMES} frames while the model keeps ahead`, () => {
    const { carrier } = interruptAfter(fast, 58, 0);
    const frames = fast.reduce((n, [bytes]) => n + Math.ceil(bytes / FRAME_BYTES), 0);
    expect(frames).toBe(65);
    // Frames 0, 5, … 60, and the sentinel after the clear.
    expect(carrier.marksReceived).toBe(Math.ceil(frames / MARK_EVERY_FRAMES) + 1);
  });

  // The model falls behind the phone: the carrier runs dry between frames, and must not be taken
  // to have played what it was waiting for.
  it("settles within one frame when the model falls behind, wherever the callee cuts in", () => {
    const gaps = Array.from({ length: 30 }, (_, i) => (i % 7 === 3 ? 6 : i % 3 === 0 ? 2 : 1));
    for (let sent = 1; sent <= gaps.length; sent++) {
      // Frames one at a time with the carrier running dry between them; the callee cuts in just
      // after the last one was sent (or as it plays, with the clear a tick late).
      const deltas = gaps.slice(0, sent).map((ticks, i): [number, number] => [FRAME_BYTES, i === sent - 1 ? 0 : ticks]);
      for (const clearTicks of [0, 1]) {
        const { settled, heardMs } = interruptAfter(deltas, 0, clearTicks);
        expect(Math.abs(heardMs - settled!.playedMs), `cut in after ${sent} frames`).toBeLessThanOrEqual(ONE_FRAME_MS);
      }
    }
  });

  it(`keeps to one mark per ${MARK_EVERY_FRAMES} frames when the model speaks exactly in real time, and settles within one frame`, () => {
    for (const cutAt of [7, 8, 9, 10, 11, 12]) {
      // One frame a tick, the callee cutting in as the last is sent; the clear lands a tick later.
      const deltas = Array.from({ length: 60 + cutAt }, (_, i): [number, number] => [FRAME_BYTES, i < 59 + cutAt ? 1 : 0]);
      const { carrier, settled, heardMs } = interruptAfter(deltas, 0, 1);
      expect(carrier.marksReceived, `cut at ${cutAt}`).toBe(Math.ceil((60 + cutAt) / MARK_EVERY_FRAMES) + 1);
      expect(Math.abs(heardMs - settled!.playedMs)).toBeLessThanOrEqual(ONE_FRAME_MS);
    }
  });

  it("marks sparsely when the carrier echoes each mark the moment it arrives", () => {
    const tracker = new PlaybackTracker();
    let marks = 0;
    for (let t = 0; t < 100; t++) {
      tracker.clock(t * 20);
      for (const sent of tracker.frames("item_a", audio(FRAME_BYTES))) {
        if (sent.mark) {
          marks++;
          tracker.onMark(sent.mark);
        }
      }
    }
    expect(marks).toBe(100 / MARK_EVERY_FRAMES);
  });

  it("settles within one frame at every point of a stretch that starts after the line went quiet", () => {
    for (let at = 0; at < 12; at++) {
      const { settled, heardMs } = interruptAfter(
        [
          [frame(3), 25],
          [frame(12), 0],
        ],
        at,
        0,
      );
      expect(Math.abs(heardMs - settled!.playedMs), `interrupted ${at} ticks into the second stretch`).toBeLessThanOrEqual(ONE_FRAME_MS);
    }
  });

  it("stays exact across a minute of audio with the carrier two deltas behind the model", () => {
    const tracker = new PlaybackTracker();
    const carrier = new TickingCarrier(tracker);
    for (let delta = 0; delta < 100; delta++) {
      carrier.send("item_long", tracker.frames("item_long", audio(4800))); // 600 ms each
      if (delta >= 2) carrier.tick(30);
    }
    expect(tracker.playedMs("item_long")).toBeGreaterThanOrEqual(98 * 600 - 100);
    expect(carrier.heardMs("item_long")).toBe(98 * 600);
    carrier.tick(13);
    const cut = tracker.interrupt()!;
    carrier.clear(cut.sentinel);
    expect(carrier.settled).toEqual({ itemId: "item_long", playedMs: 98 * 600 + 13 * 20 });
  });
});

describe("PlaybackTracker, settling an interruption with the carrier's clock", () => {
  it("counts the frames that played before the clear landed and not the ones it flushed", () => {
    const { settled, heardMs } = interruptAfter([[frame(50), 10]], 0, 5);
    expect(heardMs).toBe(300);
    expect(settled).toEqual({ itemId: "item_a", playedMs: 300 });
  });

  it("settles at what had played when the clear lands at once", () => {
    const { settled } = interruptAfter([[frame(20), 4]], 0, 0);
    expect(settled).toEqual({ itemId: "item_a", playedMs: 80 });
  });

  it("returns nothing for ordinary marks while an interruption settles", () => {
    const tracker = new PlaybackTracker();
    const frames = tracker.frames("item_a", audio(frame(4)));
    const cut = tracker.interrupt()!;
    expect(tracker.onMark(markOf(frames, 0))).toBeNull();
    expect(tracker.onMark("unknown")).toBeNull();
    expect(tracker.onMark(cut.sentinel)).toEqual({ itemId: "item_a", playedMs: 0 });
  });
});
