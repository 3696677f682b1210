import { describe, expect, it } from "vitest";
import { silence } from "../../src/audio/mulaw";
import { speak, utteranceMs } from "../../src/emulators/in-band-speech";
import { CONFIRMED, DECLINED, PARDON, replyTo, sayExactly, silencePrompt } from "../../src/emulators/model/replies";
import { VoiceActivity } from "../../src/emulators/model/voice-activity";

describe("model emulator: what the agent replies", () => {
  it("confirms on a yes and ends the call", () => {
    expect(replyTo("Yes, that works")).toEqual({ text: CONFIRMED, endCallReason: "confirmed" });
  });

  it("lets them know on a no and ends the call", () => {
    expect(replyTo("No, I can't make it")).toEqual({ text: DECLINED, endCallReason: "declined" });
  });

  it("notes a proposed day and time", () => {
    expect(replyTo("Could we do Friday at 3 PM instead?")).toEqual({
      text: "No problem, I've noted Friday at 3 PM. Goodbye!",
      endCallReason: "reschedule requested: Friday at 3 PM",
    });
  });

  it("notes the callee's words when they ask to reschedule without a time", () => {
    expect(replyTo("I need to reschedule.").text).toBe("No problem, I've noted I need to reschedule. Goodbye!");
  });

  it("asks again when the words carry no answer", () => {
    expect(replyTo("Who is this?")).toEqual({ text: PARDON, endCallReason: null });
  });

  it("reads the line after 'Say exactly:', without quotes", () => {
    expect(sayExactly('Greet them.\nSay exactly: "Hi Ana!"\nThen wait.')).toBe("Hi Ana!");
    expect(sayExactly("Greet them warmly.")).toBeNull();
  });

  it("checks in once, then gives up with end_call", () => {
    expect(silencePrompt(0).endCallReason).toBeNull();
    expect(silencePrompt(1).endCallReason).not.toBeNull();
  });
});

describe("model emulator: voice activity", () => {
  it("finds an utterance's start and end in audio time, however the audio is chunked", () => {
    const audio = new Uint8Array([...silence(250), ...speak("Hello there"), ...silence(700)]);
    const vad = new VoiceActivity();
    const events = [vad.push(audio.subarray(0, 1234), 500), vad.push(audio.subarray(1234), 500)].flat();
    expect(events.map((e) => e.type)).toEqual(["started", "stopped"]);
    expect(events[0]).toEqual({ type: "started", speechStartMs: 250 });
    expect(events[1]).toMatchObject({ type: "stopped", audioEndMs: 250 + utteranceMs("Hello there") + 500 });
    expect(vad.nowMs).toBe(audio.length / 8);
  });

  it("keeps a pause shorter than the silence duration inside one turn", () => {
    const vad = new VoiceActivity();
    const events = vad.push(new Uint8Array([...speak("One"), ...silence(300), ...speak("two"), ...silence(500)]), 500);
    expect(events.map((e) => e.type)).toEqual(["started", "stopped"]);
  });
});
