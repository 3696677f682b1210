import { chunkStream, type RecordingStore, type UploadRecord } from "./recording-store";
import { MULAW_TO_PCM, WAV_BLOCK_BYTES, WAV_CONTENT_TYPE, WAV_HEADER_BYTES, wavDurationMs, writeWavHeader } from "./wav";

/** R2's multipart rules: every part but the last the same size, at least 5 MiB; at most 10,000 parts. */
export const PART_BYTES = 5 * 1024 * 1024;
/** Audio is staged in storage this much at a time: ~2 s of the call, one storage write short enough not to stall the other calls sharing the isolate. */
export const CHUNK_BYTES = 64 * 1024;
const UPLOAD_ATTEMPTS = 2;

/** A staging delay somewhere within a chunk, whole stereo samples, so recordings started together stage apart. */
export function randomStagingDelay(chunkBytes = CHUNK_BYTES): number {
  return Math.floor(Math.random() * (chunkBytes / WAV_BLOCK_BYTES)) * WAV_BLOCK_BYTES;
}

// The 16-bit view below writes samples in the CPU's byte order, which must be WAV's.
if (new Uint8Array(new Uint16Array([1]).buffer)[0] !== 1) throw new Error("Recording needs a little-endian CPU.");

export type RecordingBucket = Pick<R2Bucket, "put" | "createMultipartUpload" | "resumeMultipartUpload">;

export interface SavedRecording {
  key: string;
  bytes: number;
  durationMs: number;
}

/**
 * Writes one WAV object to R2 while the call runs, in bounded memory. The stereo PCM goes into a
 * chunk buffer; each full chunk is staged in the Durable Object's storage, and each full part
 * (a whole number of chunks) is uploaded with `uploadPart` and dropped from storage. Part 1
 * starts with the WAV header, whose lengths are only known at the end, so it stays staged and is
 * uploaded last; a recording shorter than one part is a single `put`. Memory per call is two
 * chunks however long the call, where a part buffer (5 MiB) per call would crowd the isolate that
 * many calls' objects can share.
 *
 * A full chunk may be staged a little after it fills, `stagingDelayBytes` into the next one (a
 * call picks it at random, see `randomStagingDelay`): calls placed together fill their chunks
 * together, and fifty storage writes at the same instant stall every call in the isolate at once,
 * where spread over the ~2 s a chunk takes to fill they pass unnoticed. Hence two chunk buffers.
 */
export class RecordingUpload {
  readonly #bucket: RecordingBucket;
  readonly #store: RecordingStore;
  readonly #record: UploadRecord;
  readonly #chunkBytes: number;
  readonly #chunksPerPart: number;
  readonly #stagingDelay: number;
  #chunk: Uint8Array;
  /** The chunk as 16-bit samples (offsets are always even: a 44-byte header, 4-byte blocks). */
  #pcm: Int16Array;
  /** A full chunk not yet staged, and an empty buffer to fill after the next one. */
  #full: Uint8Array | null = null;
  #spare: Uint8Array | null = null;
  /** The next byte of the chunk to write; chunk 0 begins after room for the header. */
  #fill = WAV_HEADER_BYTES;
  #staged = 0;
  /** Length of the last staged chunk when it is short (the end of the recording). */
  #tailBytes = 0;
  #dataBytes = 0;
  #multipart: Promise<R2MultipartUpload> | null = null;
  #uploads: Promise<void> = Promise.resolve();
  #failure: unknown = null;
  #closed = false;
  #aborted = false;

  constructor(bucket: RecordingBucket, key: string, store: RecordingStore, options: { partBytes?: number; chunkBytes?: number; stagingDelayBytes?: number } = {}) {
    const partBytes = options.partBytes ?? PART_BYTES;
    this.#chunkBytes = options.chunkBytes ?? CHUNK_BYTES;
    if (partBytes % this.#chunkBytes !== 0 || this.#chunkBytes % WAV_BLOCK_BYTES !== 0 || this.#chunkBytes <= WAV_HEADER_BYTES) {
      throw new Error("A part must be a whole number of chunks, and a chunk a whole number of stereo samples.");
    }
    this.#bucket = bucket;
    this.#store = store;
    this.#chunksPerPart = partBytes / this.#chunkBytes;
    this.#stagingDelay = Math.min(options.stagingDelayBytes ?? 0, this.#chunkBytes - WAV_BLOCK_BYTES);
    this.#chunk = new Uint8Array(this.#chunkBytes);
    this.#pcm = new Int16Array(this.#chunk.buffer, 0, this.#chunk.length >> 1);
    this.#record = { key, uploadId: null, parts: [] };
    // Saved at once, so an object that loses its memory before the first part still finds what to clean up.
    store.saveUpload(this.#record);
  }

  /** False once finished, given up, or an upload failed (the recording is lost): more audio is ignored. */
  get healthy(): boolean {
    return this.#failure === null && !this.#closed;
  }

  /**
   * Appends `count` stereo samples: mu-law `left[start…]` and `right[start…]`, decoded and
   * interleaved straight into the chunk. This is on the call's hot path: no allocation.
   */
  appendStereo(left: Uint8Array, right: Uint8Array, start: number, count: number): void {
    if (!this.healthy) return;
    const end = start + count;
    let i = start;
    while (i < end) {
      const n = Math.min((this.#chunkBytes - this.#fill) / WAV_BLOCK_BYTES, end - i);
      // WAV is little-endian, as the CPUs Workers run on: plain stores into a 16-bit view of the chunk.
      const pcm = this.#pcm;
      let at = this.#fill >> 1;
      for (const stop = i + n; i < stop; i++, at += 2) {
        pcm[at] = MULAW_TO_PCM[left[i]!]!;
        pcm[at + 1] = MULAW_TO_PCM[right[i]!]!;
      }
      const offset = this.#fill + n * WAV_BLOCK_BYTES;
      this.#fill = offset;
      this.#dataBytes += n * WAV_BLOCK_BYTES;
      if (this.#fill === this.#chunkBytes) this.#nextChunk();
      if (this.#full && this.#fill >= this.#stagingDelay) this.#stageFull();
    }
  }

  /** Uploads what is left and part 1, and completes the object. On any failure it aborts and throws. */
  async finish(): Promise<SavedRecording> {
    if (this.#closed) throw new Error("The recording was already finished or given up.");
    try {
      if (this.#failure === null) this.#stageTail();
      this.#closed = true;
      await this.#uploads;
      if (this.#failure !== null) throw this.#failure;
      const bytes = WAV_HEADER_BYTES + this.#dataBytes;
      const parts = Math.ceil(this.#staged / this.#chunksPerPart);
      if (parts === 1) {
        await this.#bucket.put(this.#record.key, this.#stream(0, this.#staged), { httpMetadata: { contentType: WAV_CONTENT_TYPE } });
      } else {
        if (!this.#record.parts.some((part) => part.partNumber === parts)) await this.#uploadPart(parts);
        await this.#uploadPart(1);
        const uploaded = [...this.#record.parts].sort((a, b) => a.partNumber - b.partNumber);
        await (await this.#upload()).complete(uploaded);
      }
      this.#forget();
      return { key: this.#record.key, bytes, durationMs: wavDurationMs(this.#dataBytes) };
    } catch (error) {
      await this.abort();
      throw error;
    }
  }

  /** Gives the recording up: the multipart upload is aborted and the staged audio forgotten. */
  async abort(): Promise<void> {
    this.#closed = true;
    this.#aborted = true;
    this.#releaseBuffer();
    try {
      if (this.#multipart) await (await this.#multipart).abort();
    } catch {
      // Never created, or already gone: R2 also expires abandoned uploads.
    }
    this.#forget();
  }

  /** Aborts what a recording left behind in `store` when its object lost its memory mid-call. */
  static async abandon(bucket: RecordingBucket, store: RecordingStore): Promise<boolean> {
    const record = store.upload();
    if (!record) return false;
    if (record.uploadId) await bucket.resumeMultipartUpload(record.key, record.uploadId).abort().catch(() => {});
    store.clear();
    return true;
  }

  /** Drops the staged chunks by index (cheaper than listing them) and then the upload's record. */
  #forget(): void {
    for (let i = 0; i < this.#staged; i++) this.#store.deleteChunk(i);
    this.#store.clear();
  }

  /** The chunk is full: it waits to be staged while the spare buffer fills. */
  #nextChunk(): void {
    // One append can run past the delay and fill the chunk too: the waiting one goes first.
    if (this.#full) this.#stageFull();
    this.#full = this.#chunk;
    this.#chunk = this.#spare ?? new Uint8Array(this.#chunkBytes);
    this.#spare = null;
    this.#pcm = new Int16Array(this.#chunk.buffer, 0, this.#chunk.length >> 1);
    this.#fill = 0;
  }

  #stageFull(): void {
    const full = this.#full!;
    this.#store.putChunk(this.#staged++, full);
    // The store keeps a copy, so the buffer is free for the chunk after this one.
    this.#spare = full;
    this.#full = null;
    if (this.#staged % this.#chunksPerPart !== 0) return;
    const part = this.#staged / this.#chunksPerPart;
    // Part 1 waits for the header; every later full part goes now, one upload at a time.
    if (part > 1) {
      this.#uploads = this.#uploads
        .then(() => (this.#failure === null ? this.#uploadPart(part) : undefined))
        .catch((error) => {
          this.#failure ??= error;
        });
    }
  }

  /** The partly filled chunk at the end (never empty for a recording of no audio: it holds the header's room). */
  #stageTail(): void {
    if (this.#full) this.#stageFull();
    if (this.#fill > 0) {
      this.#store.putChunk(this.#staged++, this.#chunk.slice(0, this.#fill));
      this.#tailBytes = this.#fill;
    }
    this.#releaseBuffer();
  }

  #releaseBuffer(): void {
    this.#full = null;
    this.#spare = null;
    this.#chunk = new Uint8Array(0);
    this.#pcm = new Int16Array(this.#chunk.buffer, 0, this.#chunk.length >> 1);
  }

  #upload(): Promise<R2MultipartUpload> {
    this.#multipart ??= this.#bucket.createMultipartUpload(this.#record.key, { httpMetadata: { contentType: WAV_CONTENT_TYPE } }).then((upload) => {
      this.#record.uploadId = upload.uploadId;
      this.#store.saveUpload(this.#record);
      return upload;
    });
    return this.#multipart;
  }

  async #uploadPart(part: number): Promise<void> {
    const upload = await this.#upload();
    const from = (part - 1) * this.#chunksPerPart;
    const to = Math.min(part * this.#chunksPerPart, this.#staged);
    let uploaded: R2UploadedPart | null = null;
    for (let attempt = 1; !uploaded; attempt++) {
      try {
        uploaded = await upload.uploadPart(part, this.#stream(from, to));
      } catch (error) {
        if (attempt >= UPLOAD_ATTEMPTS) throw error;
      }
    }
    // Given up meanwhile: the record and chunks are already gone, and must stay gone.
    if (this.#aborted) return;
    this.#record.parts.push({ partNumber: uploaded.partNumber, etag: uploaded.etag });
    this.#store.saveUpload(this.#record);
    if (part > 1) for (let i = from; i < to; i++) this.#store.deleteChunk(i);
  }

  /** Staged chunks [from, to), chunk 0 given the header's final lengths. */
  #stream(from: number, to: number): ReadableStream<Uint8Array> {
    let length = 0;
    for (let i = from; i < to; i++) length += this.#chunkLength(i);
    return chunkStream(this.#store, from, to, length, (index, bytes) => {
      if (index === 0) writeWavHeader(bytes, this.#dataBytes);
    });
  }

  #chunkLength(index: number): number {
    return index === this.#staged - 1 && this.#tailBytes > 0 ? this.#tailBytes : this.#chunkBytes;
  }
}
