import type { RecordingStore, UploadRecord } from "../../src/recordings/recording-store";
import type { RecordingBucket } from "../../src/recordings/recording-upload";

/** The recording's staging store in a Map, so a test can see what is left in it. */
export function memoryStore(): RecordingStore & { keys(): string[] } {
  const chunks = new Map<number, Uint8Array>();
  let upload: UploadRecord | undefined;
  return {
    putChunk: (index, bytes) => void chunks.set(index, bytes.slice()),
    chunk(index) {
      const bytes = chunks.get(index);
      if (!bytes) throw new Error(`chunk ${index} missing`);
      return bytes.slice();
    },
    deleteChunk: (index) => void chunks.delete(index),
    saveUpload(record) {
      upload = structuredClone(record);
    },
    upload: () => upload,
    clear() {
      chunks.clear();
      upload = undefined;
    },
    keys: () => [...[...chunks.keys()].map((i) => `chunk:${i}`), ...(upload ? ["upload"] : [])],
  };
}

const bytesOf = async (value: unknown) => new Uint8Array(await new Response(value as BodyInit).arrayBuffer());

/**
 * An R2 bucket in memory that enforces R2's multipart rules with a part size of the test's
 * choosing (real R2, and Miniflare, want 5 MiB): all parts but the last the same size, the last
 * no larger. It logs every call in order.
 */
export function fakeBucket(minPartBytes: number, options: { failPart?: number } = {}) {
  const objects = new Map<string, Uint8Array>();
  const log: string[] = [];
  const parts = new Map<number, Uint8Array>();
  let aborted = false;
  const upload = (key: string, uploadId: string) => ({
    key,
    uploadId,
    async uploadPart(partNumber: number, value: unknown) {
      const bytes = await bytesOf(value);
      log.push(`uploadPart ${partNumber} ${bytes.length}`);
      if (partNumber === options.failPart) throw new Error("R2 is unavailable");
      parts.set(partNumber, bytes);
      return { partNumber, etag: `etag-${partNumber}` };
    },
    async abort() {
      log.push("abort");
      aborted = true;
    },
    async complete(uploaded: { partNumber: number; etag: string }[]) {
      log.push(`complete ${uploaded.map((p) => p.partNumber).join(",")}`);
      const ordered = uploaded.map((p) => parts.get(p.partNumber)!);
      const size = ordered[0]!.length;
      if (ordered.slice(0, -1).some((p) => p.length !== size || p.length < minPartBytes) || ordered.at(-1)!.length > size) {
        throw new Error(`parts of unequal sizes: ${ordered.map((p) => p.length).join(",")}`);
      }
      const joined = new Uint8Array(ordered.reduce((n, p) => n + p.length, 0));
      let offset = 0;
      for (const part of ordered) {
        joined.set(part, offset);
        offset += part.length;
      }
      objects.set(key, joined);
      return {} as R2Object;
    },
  });
  const bucket = {
    async put(key: string, value: unknown) {
      const bytes = await bytesOf(value);
      log.push(`put ${bytes.length}`);
      objects.set(key, bytes);
      return {} as R2Object;
    },
    async createMultipartUpload(key: string) {
      log.push("createMultipartUpload");
      return upload(key, "upload-1");
    },
    resumeMultipartUpload: (key: string, uploadId: string) => upload(key, uploadId),
  } as unknown as RecordingBucket;
  return { bucket, objects, log, parts, isAborted: () => aborted };
}
