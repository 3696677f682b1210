import { describe, expect, it } from "vitest";
import { base64ToBytes, bytesToBase64, decodeSample, encodeSample, FRAME_BYTES, rms, SILENCE, silence } from "../../src/audio/mulaw";
import { hear, isSpeechByte, speak, utteranceMs } from "../../src/emulators/in-band-speech";

describe("mu-law", () => {
  it("decodes the reference values of G.711", () => {
    expect(decodeSample(0xff)).toBe(0);
    expect(decodeSample(0x7f)).toBe(0);
    expect(decodeSample(0x00)).toBe(-32124);
    expect(decodeSample(0x80)).toBe(32124);
  });

  it("round-trips every code through linear and back", () => {
    for (let byte = 0; byte < 256; byte++) {
      if (byte === 0x7f) continue; // negative zero encodes as positive zero
      expect(encodeSample(decodeSample(byte))).toBe(byte);
    }
  });

  it("measures silence as zero energy and a frame size of 160 bytes", () => {
    expect(rms(silence(20))).toBe(0);
    expect(silence(20).length).toBe(FRAME_BYTES);
    expect(silence(20)[0]).toBe(SILENCE);
  });

  it("round-trips base64 payloads", () => {
    const bytes = Uint8Array.from({ length: 160 }, (_, i) => i);
    expect(base64ToBytes(bytesToBase64(bytes))).toEqual(bytes);
    expect(bytesToBase64(silence(20))).toHaveLength(216);
  });
});

describe("in-band speech", () => {
  it("is loud audio lasting as long as the words take to say, which gives back its words", () => {
    const audio = speak("Yes, that time works — merci!");
    expect(audio.length).toBe(utteranceMs("Yes, that time works — merci!") * 8);
    expect(rms(audio)).toBeGreaterThan(5000);
    expect([...audio].every(isSpeechByte)).toBe(true);
    expect(hear(audio)).toBe("Yes, that time works — merci!");
  });

  it("gives back the words it carried when heard with leading silence", () => {
    const audio = new Uint8Array([...silence(40), ...speak("Friday at 3 PM")]);
    expect(hear(audio)).toBe("Friday at 3 PM");
  });
});
