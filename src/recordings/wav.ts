import { decodeSample, SAMPLE_RATE } from "../audio/mulaw";

/**
 * The recording's format: a canonical 44-byte RIFF/WAVE header, then 16-bit little-endian PCM,
 * two channels interleaved (the callee left, the agent right) at the telephone's 8 kHz.
 */
export const WAV_HEADER_BYTES = 44;
export const WAV_CHANNELS = 2;
export const WAV_BITS_PER_SAMPLE = 16;
export const WAV_SAMPLE_RATE = SAMPLE_RATE;
/** One stereo sample: two 16-bit values. */
export const WAV_BLOCK_BYTES = (WAV_CHANNELS * WAV_BITS_PER_SAMPLE) / 8;
export const WAV_CONTENT_TYPE = "audio/wav" as const;

/** Mu-law byte → 16-bit sample, so the recorder's inner loop is one lookup per sample. */
export const MULAW_TO_PCM = Int16Array.from({ length: 256 }, (_, byte) => decodeSample(byte));

/** Writes the header for `dataBytes` of audio into the first 44 bytes of `target`. */
export function writeWavHeader(target: Uint8Array, dataBytes: number): void {
  const view = new DataView(target.buffer, target.byteOffset, WAV_HEADER_BYTES);
  const ascii = (offset: number, text: string) => {
    for (let i = 0; i < text.length; i++) view.setUint8(offset + i, text.charCodeAt(i));
  };
  ascii(0, "RIFF");
  view.setUint32(4, 36 + dataBytes, true);
  ascii(8, "WAVE");
  ascii(12, "fmt ");
  view.setUint32(16, 16, true); // the PCM fmt chunk's size
  view.setUint16(20, 1, true); // PCM
  view.setUint16(22, WAV_CHANNELS, true);
  view.setUint32(24, WAV_SAMPLE_RATE, true);
  view.setUint32(28, WAV_SAMPLE_RATE * WAV_BLOCK_BYTES, true);
  view.setUint16(32, WAV_BLOCK_BYTES, true);
  view.setUint16(34, WAV_BITS_PER_SAMPLE, true);
  ascii(36, "data");
  view.setUint32(40, dataBytes, true);
}

/** Milliseconds of audio in `dataBytes` of the recording's PCM. */
export const wavDurationMs = (dataBytes: number) => Math.round(dataBytes / WAV_BLOCK_BYTES / (WAV_SAMPLE_RATE / 1000));
