import { describe, expect, it } from "vitest";
import { keypadAudio, keyTone } from "../../src/audio/dtmf";
import { FRAME_BYTES, silence } from "../../src/audio/mulaw";
import { DtmfDetector } from "../../src/emulators/carrier/dtmf-detector";
import { speak } from "../../src/emulators/in-band-speech";

function heard(audio: Uint8Array, offset = 0): string {
  const padded = new Uint8Array(offset + audio.length + FRAME_BYTES);
  padded.fill(0xff);
  padded.set(audio, offset);
  const detector = new DtmfDetector();
  let keys = "";
  for (let i = 0; i + FRAME_BYTES <= padded.length; i += FRAME_BYTES) keys += detector.push(padded.subarray(i, i + FRAME_BYTES)) ?? "";
  return keys;
}

describe("keypad tones", () => {
  it("are heard back key for key, whatever their alignment with the 20 ms frames", () => {
    for (const offset of [0, 37, 80, 159]) expect(heard(keypadAudio("1905#*"), offset)).toBe("1905#*");
  });

  it("count a key pressed twice in a row twice", () => {
    expect(heard(keypadAudio("11"))).toBe("11");
  });

  it("are not heard in speech or silence", () => {
    expect(heard(speak("For appointments, press one. For billing, press two."))).toBe("");
    expect(heard(silence(500))).toBe("");
  });

  it("need more than a click: a 10 ms tone is not a key", () => {
    expect(heard(keyTone("5", 10))).toBe("");
  });

  it("refuse anything but keypad keys", () => {
    expect(() => keypadAudio("12x")).toThrow(/keypad keys/);
  });
});
