import { describe, expect, it } from "vitest";
import { base64ToBytes, bytesToBase64, FRAME_BYTES, FRAME_MS, SILENCE } from "../../src/audio/mulaw";
import { GOODBYE_HANG_UP_MS, voicemailBeepEndsMs } from "../../src/emulators/carrier/callee";
import { MediaStreamCallee } from "../../src/emulators/carrier/media-stream-callee";
import { type ScenarioName, scenarioNamed } from "../../src/emulators/carrier/scenarios";
import { hear, isSpeechByte, speak, utteranceMs } from "../../src/emulators/in-band-speech";

const ACCOUNT_SID = `AC${"0".repeat(32)}`;
const CALL_SID = `CA${"2".repeat(32)}`;
const STREAM_SID = `MZ${"1".repeat(32)}`;
const GREETING = "Hi, this is Echo calling to confirm your appointment on Tuesday at 10 AM. Does that still work?";
const GREETING_MS = utteranceMs(GREETING);

/** The emulated phone line with a fake Parley on the other end, driven tick by tick. */
function phoneLine(scenario: ScenarioName) {
  const sent: any[] = [];
  const hangUps: string[] = [];
  const media: MediaStreamCallee = new MediaStreamCallee(
    { accountSid: ACCOUNT_SID, callSid: CALL_SID, streamSid: STREAM_SID, customParameters: { token: "secret" } },
    scenarioNamed(scenario),
    {
      send: (message) => sent.push(JSON.parse(message)),
      // As the call object does: the hang-up ends the stream.
      hangUp: (reason) => {
        hangUps.push(reason);
        media.stop();
      },
    },
  );
  media.open();
  let marks = 0;
  const toCarrier = (message: object) => media.receive(JSON.stringify({ streamSid: STREAM_SID, ...message }));
  const inbound = () => sent.filter((m) => m.event === "media").map((m) => ({ at: Number(m.media.timestamp), bytes: base64ToBytes(m.media.payload) }));
  return {
    media,
    sent,
    hangUps,
    toCarrier,
    /** The agent speaks: 20 ms media messages, each followed by a mark, as Parley sends them. */
    agentSays(text: string): string[] {
      const audio = speak(text);
      const names: string[] = [];
      for (let i = 0; i < audio.length; i += FRAME_BYTES) {
        toCarrier({ event: "media", media: { payload: bytesToBase64(audio.subarray(i, i + FRAME_BYTES)) } });
        names.push(`mark-${++marks}`);
        toCarrier({ event: "mark", mark: { name: names.at(-1) } });
      }
      return names;
    },
    run(ms: number) {
      for (let t = 0; t < ms; t += FRAME_MS) media.tick();
    },
    echoed: () => sent.filter((m) => m.event === "mark").map((m) => m.mark.name as string),
    /** When the callee first made a sound (line ms), or null. */
    firstSpeechAt: (fromMs = 0) => inbound().find((f) => f.at >= fromMs && f.bytes.some(isSpeechByte))?.at ?? null,
    speechFrames: () => inbound().filter((f) => f.bytes.some(isSpeechByte)).length,
    calleeAudio: (fromMs = 0) => new Uint8Array(inbound().filter((f) => f.at >= fromMs).flatMap((f) => [...f.bytes])),
  };
}

describe("carrier emulator: the media stream", () => {
  it("opens with connected and start, carrying the call's ids and the TwiML parameters", () => {
    const line = phoneLine("silent");
    expect(line.sent[0]).toEqual({ event: "connected", protocol: "Call", version: "1.0.0" });
    expect(line.sent[1]).toEqual({
      event: "start",
      sequenceNumber: "1",
      streamSid: STREAM_SID,
      start: {
        accountSid: ACCOUNT_SID,
        streamSid: STREAM_SID,
        callSid: CALL_SID,
        tracks: ["inbound"],
        customParameters: { token: "secret" },
        mediaFormat: { encoding: "audio/x-mulaw", sampleRate: 8000, channels: 1 },
      },
    });
  });

  it("sends one 20 ms frame of the callee's audio per tick, its counters as strings", () => {
    const line = phoneLine("silent");
    line.run(60);
    const frames = line.sent.slice(2);
    expect(frames.map((f) => [f.sequenceNumber, f.media.chunk, f.media.timestamp, f.media.track])).toEqual([
      ["2", "1", "0", "inbound"],
      ["3", "2", "20", "inbound"],
      ["4", "3", "40", "inbound"],
    ]);
    expect(frames.every((f) => f.streamSid === STREAM_SID && f.media.payload.length === 216)).toBe(true);
    expect([...base64ToBytes(frames[0].media.payload)].every((b) => b === SILENCE)).toBe(true);
  });

  it("echoes a mark only once the audio sent before it has played", () => {
    const line = phoneLine("silent");
    line.toCarrier({ event: "media", media: { payload: bytesToBase64(speak("one two three")) } }); // 845 ms
    line.toCarrier({ event: "mark", mark: { name: "after-greeting" } });
    line.run(840);
    expect(line.echoed()).toEqual([]);
    line.run(20);
    expect(line.echoed()).toEqual(["after-greeting"]);
    expect(line.sent.at(-1)).toMatchObject({ event: "mark", streamSid: STREAM_SID, mark: { name: "after-greeting" } });
  });

  it("echoes a mark at once when nothing is left to play", () => {
    const line = phoneLine("silent");
    line.toCarrier({ event: "mark", mark: { name: "idle" } });
    expect(line.echoed()).toEqual(["idle"]);
  });

  it("flushes unplayed audio on clear, echoing its marks at once and noting how much had played", () => {
    const line = phoneLine("silent");
    const marks = line.agentSays(GREETING);
    line.run(1000);
    expect(line.echoed()).toEqual(marks.slice(0, 50));
    line.toCarrier({ event: "clear" });
    expect(line.echoed()).toEqual(marks);
    line.run(1000);
    const seen = line.media.observations();
    expect(seen.clears).toEqual([{ atMs: 1000, agentMsPlayed: 1000, agentMsPlayedInCall: 1000 }]);
    expect(seen.marksFlushed).toEqual(marks.slice(50));
    expect(seen.heard).toEqual([{ text: GREETING, playedMs: 1000, startedAtMs: 0, talkedOver: false }]);
  });
});

describe("carrier emulator: the scripted callees", () => {
  it.each([
    ["confirms", "Yes, that works for me. I'll be there."],
    ["declines", "No, I can't make it. Please cancel the appointment."],
    ["reschedules", "Could we do Friday at 3 PM instead?"],
  ] as const)("the callee who %s answers once the agent has finished, in words Parley can hear", (scenario, reply) => {
    const line = phoneLine(scenario);
    line.agentSays(GREETING);
    line.run(GREETING_MS + 700 + utteranceMs(reply) + 200);
    // 300 ms of silence ends the agent's turn, then 400 ms to think (from the next frame on).
    expect(line.firstSpeechAt()).toBe(Math.ceil((GREETING_MS + 700) / FRAME_MS) * FRAME_MS);
    expect(hear(line.calleeAudio())).toBe(reply);
    expect(line.media.observations()).toMatchObject({ heard: [{ text: GREETING, playedMs: GREETING_MS }], said: [reply] });
    expect(line.hangUps).toEqual([]);
  });

  it("hangs up after the agent's goodbye if Parley does not, and the stream stops", () => {
    const line = phoneLine("confirms");
    line.agentSays("Thank you, goodbye!");
    line.run(utteranceMs("Thank you, goodbye!") + 300 + GOODBYE_HANG_UP_MS + 40);
    expect(line.hangUps).toEqual(["callee_hung_up"]);
    expect(line.sent.at(-1)).toEqual({
      event: "stop",
      sequenceNumber: String(line.sent.length - 1),
      streamSid: STREAM_SID,
      stop: { accountSid: ACCOUNT_SID, callSid: CALL_SID },
    });
    expect(line.media.observations().said).toEqual([]);
  });

  it("says hello when nobody speaks after picking up", () => {
    const line = phoneLine("confirms");
    line.run(3500);
    expect(line.firstSpeechAt()).toBe(3000);
    expect(line.media.observations().said).toEqual(["Hello?"]);
  });

  it("the interrupter talks over the agent's first long utterance about 1 s in, for about 1.5 s", () => {
    const line = phoneLine("interrupts");
    line.agentSays(GREETING);
    line.run(GREETING_MS + 2000);
    expect(line.firstSpeechAt()).toBe(1000);
    expect(line.speechFrames() * FRAME_MS).toBe(utteranceMs("Sorry, who's calling me?"));
    expect(line.media.observations()).toMatchObject({ heard: [{ text: GREETING, talkedOver: true }], said: ["Sorry, who's calling me?"] });
  });

  it("after Parley's barge-in the interrupter answers what the agent says next", () => {
    const line = phoneLine("interrupts");
    line.agentSays(GREETING);
    line.run(1300);
    line.toCarrier({ event: "clear" });
    line.run(1500);
    line.agentSays("This is Echo, about your appointment on Tuesday. Does it still work?");
    line.run(6000);
    const seen = line.media.observations();
    expect(seen.clears).toEqual([{ atMs: 1300, agentMsPlayed: 1300, agentMsPlayedInCall: 1300 }]);
    expect(seen.heard.map((u) => [u.playedMs, u.talkedOver])).toEqual([
      [1300, true],
      [utteranceMs("This is Echo, about your appointment on Tuesday. Does it still work?"), false],
    ]);
    expect(seen.said).toEqual(["Sorry, who's calling me?", "Yes, that works for me. I'll be there."]);
  });

  it("the early hanger-up hangs up 1 s into the agent's greeting", () => {
    const line = phoneLine("hangs_up_early");
    const marks = line.agentSays(GREETING);
    line.run(3000);
    expect(line.hangUps).toEqual(["callee_hung_up"]);
    expect(line.echoed()).toEqual(marks.slice(0, 50));
    expect(line.sent.at(-1).event).toBe("stop");
  });

  it("the silent callee never makes a sound and never hangs up", () => {
    const line = phoneLine("silent");
    line.agentSays(GREETING);
    line.run(GREETING_MS + 20_000);
    expect(line.speechFrames()).toBe(0);
    expect(line.hangUps).toEqual([]);
    expect(line.media.observations().heard).toMatchObject([{ text: GREETING, playedMs: GREETING_MS, talkedOver: false }]);
  });

  it("the voicemail plays its greeting and a beep, records the message, and hangs up after 5 s of silence", () => {
    const line = phoneLine("voicemail");
    const beepEnds = voicemailBeepEndsMs(scenarioNamed("voicemail"));
    line.run(beepEnds);
    expect(hear(line.calleeAudio())).toBe(scenarioNamed("voicemail").voicemailGreeting);
    line.agentSays("Hi Sam, this is Echo. Please call us back about Tuesday.");
    const messageMs = utteranceMs("Hi Sam, this is Echo. Please call us back about Tuesday.");
    // 5 s after the 300 ms pause that ends the message.
    line.run(messageMs + 5000);
    expect(line.hangUps).toEqual([]);
    line.run(400);
    expect(line.hangUps).toEqual(["voicemail_recording_ended"]);
    expect(line.media.observations().heard.map((u) => u.text)).toEqual(["Hi Sam, this is Echo. Please call us back about Tuesday."]);
    expect(line.speechFrames() * FRAME_MS).toBeLessThanOrEqual(beepEnds);
  });

  it("notes the messages Twilio would reject", () => {
    const line = phoneLine("silent");
    line.media.receive(new ArrayBuffer(4));
    line.media.receive("not json");
    line.media.receive(JSON.stringify({ event: "clear", streamSid: "MZother" }));
    line.media.receive("42");
    line.toCarrier({ event: "dance" });
    line.toCarrier({ event: "media", media: { payload: "%%%" } });
    expect(line.media.observations().protocolErrors.map((e) => e.slice(0, 5))).toEqual(["31950", "31951", "31951", "31951", "31951", "31951"]);
  });
});
