import { describe, expect, it } from "vitest";
import { bytesToBase64, decodeSample, SILENCE } from "../../src/audio/mulaw";
import { PlaybackTracker } from "../../src/realtime/playback";
import { decodeBase64Into } from "../../src/lib/base64";
import { CallRecorder } from "../../src/recordings/call-recorder";
import { parseRange } from "../../src/recordings/serve-recording";
import { fakeBucket, memoryStore } from "./fakes";
import { parseWav, soundRuns } from "./wav-reader";
import { TickingCarrier } from "../realtime/ticking-carrier";

const tone = (bytes: number, value: number) => new Uint8Array(bytes).fill(value);
const CALLEE = 0x10;
const AGENT = 0x20;

async function recorded(play: (recorder: CallRecorder) => void, maxMs = 60_000) {
  const r2 = fakeBucket(0);
  const recorder = new CallRecorder(r2.bucket, "call.wav", memoryStore(), { maxMs });
  play(recorder);
  await recorder.finish();
  return parseWav(r2.objects.get("call.wav")!);
}

/** Callee frames of 20 ms at each timestamp (ms), silent unless listed in `speaking`. */
function calleeFrames(recorder: CallRecorder, fromMs: number, toMs: number, speaking = true) {
  for (let ms = fromMs; ms < toMs; ms += 20) recorder.callee(bytesToBase64(tone(160, speaking ? CALLEE : SILENCE)), ms);
}

describe("the call recorder's timeline", () => {
  it("places the callee's frames by the carrier's timestamps, a missing frame left silent", async () => {
    const wav = await recorded((r) => {
      calleeFrames(r, 0, 40);
      calleeFrames(r, 60, 100); // the frame at 40 ms never came
    });
    expect(wav.durationMs).toBe(100);
    expect(soundRuns(wav.left, 10).map((run) => [run.startMs, run.endMs])).toEqual([
      [0, 40],
      [60, 100],
    ]);
    expect(wav.left[0]).toBe(decodeSample(CALLEE));
  });

  it("places the agent's played audio where it played on the carrier's clock, never over the audio before it", async () => {
    const wav = await recorded((r) => {
      calleeFrames(r, 0, 100, false);
      r.agent(tone(160, AGENT), 80);
      r.agent(tone(80, AGENT), 95); // would overlap the frame before: placed right after it
      calleeFrames(r, 100, 300, false);
      r.agent(tone(160, AGENT), 280);
      calleeFrames(r, 300, 400, false);
    });
    expect(wav.durationMs).toBe(400);
    expect(soundRuns(wav.right, 10).map((run) => [run.startMs, run.endMs])).toEqual([
      [80, 110],
      [280, 300],
    ]);
    expect(wav.left.every((sample) => sample === 0)).toBe(true);
  });

  it("ignores audio past the call's longest possible length", async () => {
    const wav = await recorded((r) => calleeFrames(r, 0, 200), 100);
    expect(wav.durationMs).toBe(100);
  });

  it("keeps the recording of a call with no audio at all a valid, empty WAV", async () => {
    const wav = await recorded(() => {});
    expect(wav).toMatchObject({ riff: "RIFF", channels: 2, dataBytes: 0 });
  });
});

describe("the agent's audio handed to the recording", () => {
  const counting = (bytes: number) => Uint8Array.from({ length: bytes }, (_, i) => i % 256);

  it("is each frame once a mark after it confirms it played, in order, at the time it played on the carrier's clock", () => {
    const played: { audio: Uint8Array; atMs: number }[] = [];
    const tracker = new PlaybackTracker((audio, atMs) => played.push({ audio, atMs }));
    const carrier = new TickingCarrier(tracker);
    const input = counting(160 * 12);
    carrier.send("item_a", tracker.frames("item_a", input)); // marks on frames 0, 5 and 10
    carrier.tick(3);
    expect(played.map((p) => p.atMs)).toEqual([0]);
    carrier.tick(3);
    expect(played.map((p) => p.atMs)).toEqual([0, 20, 40, 60, 80, 100]);
    const end = tracker.endOfAudio()!;
    carrier.mark(end);
    carrier.tick(10);
    // Every frame, as the carrier played it: the same bytes, at the same moments.
    expect(played.flatMap((p) => [...p.audio])).toEqual([...input]);
    expect(played.map((p) => p.atMs)).toEqual(carrier.played.map((run) => run.atMs));
  });

  it("never includes frames a clear flushed, only those that played before the clear arrived", () => {
    const played: { audio: Uint8Array; atMs: number }[] = [];
    const tracker = new PlaybackTracker((audio, atMs) => played.push({ audio, atMs }));
    const carrier = new TickingCarrier(tracker);
    const frames = tracker.frames("item_a", tone(160 * 20, AGENT));
    carrier.send("item_a", frames);
    carrier.tick(7);
    const cut = tracker.interrupt()!;
    // Two more frames play while the clear travels; the rest are flushed at once.
    carrier.tick(2);
    carrier.clear(cut.sentinel);
    expect(carrier.settled).toEqual({ itemId: "item_a", playedMs: 180 });
    expect(played.map((p) => p.audio)).toEqual(frames.slice(0, 9).map((f) => f.payload));
    expect(played.map((p) => p.atMs)).toEqual([0, 20, 40, 60, 80, 100, 120, 140, 160]);
  });
});

describe("recording helpers", () => {
  it("decodes base64 into a reused buffer exactly as atob does, and refuses what is not base64", () => {
    const out = new Uint8Array(256);
    for (const length of [0, 1, 2, 3, 160, 200]) {
      const bytes = Uint8Array.from({ length }, (_, i) => (i * 37) % 256);
      expect(decodeBase64Into(bytesToBase64(bytes), out)).toBe(length);
      expect(out.subarray(0, length)).toEqual(bytes);
    }
    expect(decodeBase64Into("ab$d", out)).toBe(-1);
    expect(decodeBase64Into("abcde", out)).toBe(-1);
    expect(decodeBase64Into(bytesToBase64(new Uint8Array(300)), out)).toBe(-1);
  });

  it("reads one byte range of a Range header, and says when it starts past the end", () => {
    expect(parseRange("bytes=0-43", 1000)).toEqual({ offset: 0, length: 44 });
    expect(parseRange("bytes=990-", 1000)).toEqual({ offset: 990, length: 10 });
    expect(parseRange("bytes=-10", 1000)).toEqual({ offset: 990, length: 10 });
    expect(parseRange("bytes=500-5000", 1000)).toEqual({ offset: 500, length: 500 });
    expect(parseRange("bytes=-5000", 1000)).toEqual({ offset: 0, length: 1000 });
    expect(parseRange("bytes=1000-", 1000)).toBe("unsatisfiable");
    expect(parseRange("bytes=-0", 1000)).toBe("unsatisfiable");
    // Several ranges, reversed ones and other units are ignored: the whole file is sent.
    for (const header of [null, "bytes=0-1,5-6", "bytes=9-3", "items=0-1", "bytes=-"]) expect(parseRange(header, 1000)).toBeNull();
  });
});
