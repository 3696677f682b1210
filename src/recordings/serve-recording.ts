import { WAV_CONTENT_TYPE } from "./wav";

export interface ByteRange {
  offset: number;
  length: number;
}

/**
 * The one byte range a `Range` header asks of `size` bytes: null to send the whole object (no
 * header, several ranges, or one we do not understand, which RFC 9110 lets a server ignore), or
 * "unsatisfiable" when it starts past the end.
 */
export function parseRange(header: string | null | undefined, size: number): ByteRange | "unsatisfiable" | null {
  const match = header?.trim().match(/^bytes\s*=\s*(\d*)\s*-\s*(\d*)$/i);
  if (!match || (match[1] === "" && match[2] === "")) return null;
  const [first, last] = [match[1] === "" ? null : Number(match[1]), match[2] === "" ? null : Number(match[2])];
  if (first === null) {
    // `bytes=-n`: the last n bytes.
    if (last === 0) return "unsatisfiable";
    const length = Math.min(last!, size);
    return length === 0 ? "unsatisfiable" : { offset: size - length, length };
  }
  if (last !== null && last < first) return null;
  if (first >= size) return "unsatisfiable";
  const end = last === null ? size - 1 : Math.min(last, size - 1);
  return { offset: first, length: end - first + 1 };
}

/**
 * The recording as a browser's `<audio>` wants it: `audio/wav`, seekable with `Range` (206), the
 * body streamed from R2 as it comes. Null when the object is gone; a 416 answer is left to the
 * caller (`unsatisfiable`), which renders it in the API's error shape.
 */
export async function recordingResponse(
  bucket: R2Bucket,
  key: string,
  size: number,
  rangeHeader: string | null | undefined,
  filename: string,
): Promise<Response | "unsatisfiable" | null> {
  const range = parseRange(rangeHeader, size);
  if (range === "unsatisfiable") return range;
  const object = await bucket.get(key, range ? { range } : undefined);
  if (!object) return null;
  const headers = new Headers({
    "Content-Type": WAV_CONTENT_TYPE,
    "Accept-Ranges": "bytes",
    "Content-Disposition": `inline; filename="${filename}"`,
    // The URL may carry a token: the audio is the caller's, not for shared caches.
    "Cache-Control": "private, max-age=300",
    ETag: object.httpEtag,
  });
  if (!range) {
    headers.set("Content-Length", String(object.size));
    return new Response(object.body, { status: 200, headers });
  }
  headers.set("Content-Length", String(range.length));
  headers.set("Content-Range", `bytes ${range.offset}-${range.offset + range.length - 1}/${object.size}`);
  return new Response(object.body, { status: 206, headers });
}
