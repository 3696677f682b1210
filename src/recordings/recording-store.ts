/**
 * Where a recording in progress keeps what must not sit in memory: the audio staged for the part
 * being filled (and part 1, which is uploaded last, once the WAV header's lengths are known), and
 * the multipart upload's id and finished parts, so an object that lost its memory can abort it.
 */
export interface RecordingStore {
  putChunk(index: number, bytes: Uint8Array): void;
  chunk(index: number): Uint8Array;
  deleteChunk(index: number): void;
  saveUpload(upload: UploadRecord): void;
  upload(): UploadRecord | undefined;
  /** Forgets everything: the recording is finished or abandoned. */
  clear(): void;
}

export interface UploadRecord {
  key: string;
  uploadId: string | null;
  parts: { partNumber: number; etag: string }[];
}

const PREFIX = "recording:";
const UPLOAD_KEY = `${PREFIX}upload`;
const chunkKey = (index: number) => `${PREFIX}chunk:${index}`;

/** The call's Durable Object storage (SQLite-backed: values up to 2 MiB, written synchronously). */
export function durableRecordingStore(storage: DurableObjectStorage): RecordingStore {
  const kv = storage.kv;
  return {
    putChunk: (index, bytes) => kv.put(chunkKey(index), bytes),
    chunk(index) {
      const bytes = kv.get<Uint8Array>(chunkKey(index));
      if (!bytes) throw new Error(`recording chunk ${index} is missing from storage`);
      return bytes;
    },
    deleteChunk: (index) => void kv.delete(chunkKey(index)),
    saveUpload: (upload) => kv.put(UPLOAD_KEY, upload),
    upload: () => kv.get<UploadRecord>(UPLOAD_KEY),
    clear() {
      // One key at a time: listing reads the values too, and all of them at once would be megabytes.
      for (;;) {
        const [entry] = kv.list({ prefix: PREFIX, limit: 1 });
        if (!entry) return;
        kv.delete(entry[0]);
      }
    },
  };
}

/**
 * Staged chunks [from, to) as one stream of `length` bytes (R2 wants the length up front), read
 * from the store one chunk at a time as the upload consumes it; `prepare` may rewrite a chunk.
 */
export function chunkStream(
  store: RecordingStore,
  from: number,
  to: number,
  length: number,
  prepare: (index: number, bytes: Uint8Array) => void,
): ReadableStream<Uint8Array> {
  const body = new FixedLengthStream(length);
  let next = from;
  const source = new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        if (next >= to) return controller.close();
        const bytes = store.chunk(next);
        prepare(next++, bytes);
        controller.enqueue(bytes);
      },
    },
    { highWaterMark: 0 },
  );
  // A failed upload cancels the body; the upload's own error is the one reported.
  source.pipeTo(body.writable).catch(() => {});
  return body.readable;
}
