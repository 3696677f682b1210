import { env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { durableRecordingStore } from "../../src/recordings/recording-store";
import { PART_BYTES, RecordingUpload } from "../../src/recordings/recording-upload";
import { MULAW_TO_PCM } from "../../src/recordings/wav";
import { fakeBucket, memoryStore } from "./fakes";
import { parseWav } from "./wav-reader";

const CHUNK = 64;
const PART = 4 * CHUNK;

/** `samples` stereo samples of two distinct, recognisable mu-law patterns. */
function audio(samples: number) {
  const left = Uint8Array.from({ length: samples }, (_, i) => i % 251);
  const right = Uint8Array.from({ length: samples }, (_, i) => 255 - (i % 241));
  return { left, right };
}

/** Feeds the audio in frames of 160 samples, as the call's timeline does. */
function feed(upload: RecordingUpload, left: Uint8Array, right: Uint8Array) {
  for (let i = 0; i < left.length; i += 160) upload.appendStereo(left, right, i, Math.min(160, left.length - i));
}

const samplesForBytes = (fileBytes: number) => (fileBytes - 44) / 4;
const tick = () => new Promise((resolve) => setTimeout(resolve, 20));

describe("the recording's multipart upload", () => {
  it("uploads each full part while the call runs, all the same size, and part 1 (the header) last", async () => {
    const r2 = fakeBucket(PART);
    const store = memoryStore();
    const upload = new RecordingUpload(r2.bucket, "rec.wav", store, { partBytes: PART, chunkBytes: CHUNK });
    const { left, right } = audio(samplesForBytes(3 * PART + PART / 2));
    feed(upload, left, right);
    await tick();
    // Parts 2 and 3 went up as soon as they were full; part 1 waits for the lengths its header needs.
    expect(r2.log).toEqual(["createMultipartUpload", `uploadPart 2 ${PART}`, `uploadPart 3 ${PART}`]);

    const saved = await upload.finish();
    expect(r2.log.slice(3)).toEqual([`uploadPart 4 ${PART / 2}`, `uploadPart 1 ${PART}`, "complete 1,2,3,4"]);
    expect(saved).toEqual({ key: "rec.wav", bytes: 3.5 * PART, durationMs: Math.round(left.length / 8) });
    const wav = parseWav(r2.objects.get("rec.wav")!);
    expect(wav).toMatchObject({ riff: "RIFF", channels: 2, sampleRate: 8000, bitsPerSample: 16, dataBytes: left.length * 4 });
    expect(wav.left).toEqual(Int16Array.from(left, (b) => MULAW_TO_PCM[b]!));
    expect(wav.right).toEqual(Int16Array.from(right, (b) => MULAW_TO_PCM[b]!));
    expect(store.keys()).toEqual([]);
  });

  it.each([
    ["under one part", PART - 4 * 10],
    ["exactly one part", PART],
    ["exactly two parts", 2 * PART],
    ["two parts and one sample", 2 * PART + 4],
  ])("writes a recording of %s that parses back whole", async (_label, fileBytes) => {
    const r2 = fakeBucket(PART);
    const upload = new RecordingUpload(r2.bucket, "rec.wav", memoryStore(), { partBytes: PART, chunkBytes: CHUNK });
    const { left, right } = audio(samplesForBytes(fileBytes));
    feed(upload, left, right);
    expect((await upload.finish()).bytes).toBe(fileBytes);
    const bytes = r2.objects.get("rec.wav")!;
    expect(bytes.length).toBe(fileBytes);
    expect(parseWav(bytes).right).toEqual(Int16Array.from(right, (b) => MULAW_TO_PCM[b]!));
    // A recording that fits one part is a single put; a longer one is multipart.
    expect(r2.log.includes("createMultipartUpload")).toBe(fileBytes > PART);
  });

  it("stages a full chunk only once the next holds the staging delay, and keeps one that the end catches waiting", async () => {
    const r2 = fakeBucket(PART);
    const store = memoryStore();
    const upload = new RecordingUpload(r2.bucket, "rec.wav", store, { partBytes: PART, chunkBytes: CHUNK, stagingDelayBytes: 16 });
    const { left, right } = audio(samplesForBytes(CHUNK + 12));
    upload.appendStereo(left, right, 0, samplesForBytes(CHUNK));
    expect(store.keys()).toEqual(["upload"]); // chunk 0 is full, waiting
    upload.appendStereo(left, right, samplesForBytes(CHUNK), 3);
    expect(store.keys()).toEqual(["upload"]); // 12 bytes of the next: not yet
    upload.appendStereo(left, right, samplesForBytes(CHUNK) + 3, 1);
    expect(store.keys()).toEqual(["chunk:0", "upload"]);

    // A recording that ends while a chunk waits still has every sample.
    const early = new RecordingUpload(r2.bucket, "early.wav", memoryStore(), { partBytes: PART, chunkBytes: CHUNK, stagingDelayBytes: 48 });
    feed(early, left, right);
    expect((await early.finish()).bytes).toBe(CHUNK + 12);
    expect(parseWav(r2.objects.get("early.wav")!).left).toEqual(Int16Array.from(left, (b) => MULAW_TO_PCM[b]!));

    // Appends larger than a chunk fill the next one before the delay is checked: nothing is lost.
    const big = audio(samplesForBytes(3 * PART));
    const bulky = new RecordingUpload(r2.bucket, "bulky.wav", memoryStore(), { partBytes: PART, chunkBytes: CHUNK, stagingDelayBytes: 60 });
    for (let i = 0; i < big.left.length; i += 40) bulky.appendStereo(big.left, big.right, i, Math.min(40, big.left.length - i));
    expect((await bulky.finish()).bytes).toBe(3 * PART);
    expect(parseWav(r2.objects.get("bulky.wav")!).right).toEqual(Int16Array.from(big.right, (b) => MULAW_TO_PCM[b]!));
  });

  it("aborts the multipart upload and forgets the staged audio when a part cannot be uploaded", async () => {
    const r2 = fakeBucket(PART, { failPart: 2 });
    const store = memoryStore();
    const upload = new RecordingUpload(r2.bucket, "rec.wav", store, { partBytes: PART, chunkBytes: CHUNK });
    const { left, right } = audio(samplesForBytes(3 * PART));
    feed(upload, left, right);
    await expect(upload.finish()).rejects.toThrow(/unavailable/);
    // The part was tried twice, then nothing more was sent, and the upload was aborted.
    expect(r2.log).toEqual(["createMultipartUpload", `uploadPart 2 ${PART}`, `uploadPart 2 ${PART}`, "abort"]);
    expect(r2.objects.size).toBe(0);
    expect(store.keys()).toEqual([]);
  });

  it("aborts what an object that lost its memory left behind", async () => {
    const r2 = fakeBucket(PART);
    const store = memoryStore();
    const upload = new RecordingUpload(r2.bucket, "rec.wav", store, { partBytes: PART, chunkBytes: CHUNK });
    const { left, right } = audio(samplesForBytes(2 * PART + 8));
    feed(upload, left, right);
    await tick();
    // A new object finds the upload's record in storage, not in memory.
    expect(await RecordingUpload.abandon(r2.bucket, store)).toBe(true);
    expect(r2.isAborted()).toBe(true);
    expect(store.keys()).toEqual([]);
    expect(await RecordingUpload.abandon(r2.bucket, store)).toBe(false);
  });

  it("completes a real R2 multipart upload of 5 MiB parts staged in the call object's storage", async () => {
    const stub = env.CALL_SESSION.get(env.CALL_SESSION.idFromName(`recording-upload-${crypto.randomUUID()}`));
    const key = `test/${crypto.randomUUID()}.wav`;
    const fileBytes = 2 * PART_BYTES + 1024 * 1024;
    const { left, right } = audio(samplesForBytes(fileBytes));
    const leftover = await runInDurableObject(stub, async (_instance, state) => {
      const store = durableRecordingStore(state.storage);
      const upload = new RecordingUpload(env.RECORDINGS, key, store);
      feed(upload, left, right);
      expect(await upload.finish()).toMatchObject({ key, bytes: fileBytes });
      return [...state.storage.kv.list({ prefix: "recording:" })].length;
    });
    expect(leftover).toBe(0);
    const object = await env.RECORDINGS.get(key);
    expect(object?.size).toBe(fileBytes);
    expect(object?.httpMetadata?.contentType).toBe("audio/wav");
    const wav = parseWav(new Uint8Array(await object!.arrayBuffer()));
    expect(wav.dataBytes).toBe(fileBytes - 44);
    expect(wav.left.subarray(-1000)).toEqual(Int16Array.from(left.subarray(-1000), (b) => MULAW_TO_PCM[b]!));
    expect(wav.right.subarray(0, 1000)).toEqual(Int16Array.from(right.subarray(0, 1000), (b) => MULAW_TO_PCM[b]!));
  }, 60_000);
});
