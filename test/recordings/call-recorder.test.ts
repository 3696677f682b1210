import { describe, expect, it } from "vitest";
import { bytesToBase64, decodeSample, SILENCE } from "../../src/audio/mulaw";
import { PlaybackTracker } from "../../src/realtime/playback";
import { decodeBase64Into } from "../../src/lib/base64";
import { CallRecorder } from "../../src/recordings/call-recorder";
import { parseRange } from "../../src/recordings/serve-recording";
import { fakeBucket, memoryStore } from "./fakes";
import { parseWav, soundRuns } from "./wav-reader";

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

  it("places the agent's played audio where the carrier's clock stood, then back to back while it plays on", async () => {
    const wav = await recorded((r) => {
      calleeFrames(r, 0, 100, false);
      r.agent(tone(160, AGENT)); // confirmed while the carrier's clock read 80 ms
      r.agent(tone(80, AGENT));
      calleeFrames(r, 100, 300, false);
      r.agent(tone(160, AGENT)); // after a pause: at the clock again (280 ms)
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
  it("is each frame once its mark confirms it played, in order", () => {
    const played: Uint8Array[] = [];
    const tracker = new PlaybackTracker((audio) => played.push(audio));
    const frames = tracker.frames("item_a", Uint8Array.from({ length: 400 }, (_, i) => i % 256));
    tracker.onMark(frames[1]!.mark);
    expect(played).toEqual([frames[0]!.payload, frames[1]!.payload]);
    tracker.onMark(frames[2]!.mark);
    expect(played).toHaveLength(3);
  });

  it("never includes frames a clear flushed, only those that played before the clear arrived", () => {
    const played: Uint8Array[] = [];
    const tracker = new PlaybackTracker((audio) => played.push(audio));
    const frames = tracker.frames("item_a", tone(800, AGENT));
    tracker.clock(0);
    tracker.onMark(frames[0]!.mark);
    const cut = tracker.interrupt()!;
    // Frame 1 plays while the clear travels (the carrier's clock moves), then 2–4 are flushed at once.
    tracker.clock(20);
    tracker.onMark(frames[1]!.mark);
    for (const frame of frames.slice(2)) tracker.onMark(frame.mark);
    tracker.onMark(cut.sentinel);
    expect(played).toEqual([frames[0]!.payload, frames[1]!.payload]);
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
