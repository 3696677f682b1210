// Where agent audio stands on the line: the frames PlaybackTracker sent, and how far they played.
import { BYTES_PER_MS } from "../audio/mulaw";

/** One carrier frame of agent audio, from sending until it is known to have played or not. */
export interface SentFrame {
  itemId: string;
  /** Bytes of the item sent up to and including this frame. */
  endBytes: number;
  /** Bytes of agent audio sent on the stream up to and including this frame. */
  streamEnd: number;
  bytes: number;
  mark: string | null;
  /** The frame's audio, until it is known to have played or not. */
  payload: Uint8Array | null;
}

/** The carrier's clock read `clock` when the first `bytes` of the stream had played. */
export interface Anchor {
  bytes: number;
  clock: number;
}

/** Where playback stands at `clockMs`, by the carrier's clock: never before `played`, never past `limit`. */
export function positionAt(clockMs: number, anchor: Anchor | null, played: number, limit: number): number {
  if (!anchor) return played;
  const guess = anchor.bytes + Math.max(0, clockMs - anchor.clock) * BYTES_PER_MS;
  return Math.max(played, Math.min(limit, guess));
}

/**
 * How far playback can be: not past the first mark from `from` on (it has not come back), nor past
 * the last frame sent.
 */
export function limitOf(frames: SentFrame[], from: number): number {
  for (let i = from; i < frames.length; i++) if (frames[i]!.mark) return frames[i]!.streamEnd;
  return frames[frames.length - 1]?.streamEnd ?? 0;
}

/** Bytes of the frame's item heard when playback stands at `position` of the stream. */
export function heardOf(frame: SentFrame, position: number): number {
  const start = frame.endBytes - frame.bytes;
  return Math.max(start, Math.min(frame.endBytes, frame.endBytes - (frame.streamEnd - position)));
}
