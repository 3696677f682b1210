import { describe, expect, it } from "vitest";
import { keypadAudio } from "../../src/audio/dtmf";
import { bytesToBase64, FRAME_BYTES, FRAME_MS } from "../../src/audio/mulaw";
import { MediaStreamCallee } from "../../src/emulators/carrier/media-stream-callee";
import { MAGIC_NUMBERS, type ScenarioName, scenarioNamed } from "../../src/emulators/carrier/scenarios";
import { speak, utteranceMs } from "../../src/emulators/in-band-speech";
import { CANNOT_TRANSFER, DECLINED, menuKey, OPTED_OUT, replyTo, TRANSFERRING } from "../../src/emulators/model/replies";

const STREAM_SID = `MZ${"1".repeat(32)}`;
const GREETING = "Hi John, this is Bright Dental calling to confirm your appointment. Does that still work?";

/** The emulated phone line with a fake Parley sending audio, driven tick by tick. */
function phoneLine(scenario: ScenarioName) {
  const sent: any[] = [];
  const media = new MediaStreamCallee(
    { accountSid: `AC${"0".repeat(32)}`, callSid: `CA${"2".repeat(32)}`, streamSid: STREAM_SID, customParameters: {} },
    scenarioNamed(scenario),
    { send: (message) => sent.push(JSON.parse(message)), hangUp: () => media.stop() },
  );
  media.open();
  const play = (audio: Uint8Array) => {
    for (let i = 0; i < audio.length; i += FRAME_BYTES) {
      media.receive(JSON.stringify({ event: "media", streamSid: STREAM_SID, media: { payload: bytesToBase64(audio.subarray(i, i + FRAME_BYTES)) } }));
    }
  };
  return {
    media,
    sent,
    play,
    run(ms: number) {
      for (let t = 0; t < ms; t += FRAME_MS) media.tick();
    },
  };
}

describe("emulated callees for the calling policy", () => {
  it("has documented magic numbers for each", () => {
    expect(MAGIC_NUMBERS).toMatchObject({
      "+14155550111": "presses_digits",
      "+14155550112": "opts_out",
      "+14155550113": "asks_for_person",
      "+14155550114": "phone_menu",
    });
  });

  it("a callee who answers with the keypad sends Twilio's dtmf event after the agent has spoken", () => {
    const line = phoneLine("presses_digits");
    line.play(speak(GREETING));
    line.run(utteranceMs(GREETING) + 1500);
    const dtmf = line.sent.filter((m) => m.event === "dtmf");
    expect(dtmf).toEqual([{ event: "dtmf", sequenceNumber: expect.any(String), streamSid: STREAM_SID, dtmf: { track: "inbound_track", digit: "1" } }]);
    expect(line.media.observations().pressed).toEqual(["1"]);
  });

  it("a phone menu repeats its prompt until it hears the right key tone, then a person picks up", () => {
    const line = phoneLine("phone_menu");
    const prompt = scenarioNamed("phone_menu").menu!.prompt;
    line.run(utteranceMs(prompt) + 6500);
    expect(line.media.observations().said).toEqual([prompt, prompt]);
    // Speech is not a key: the menu ignores the agent talking to it.
    line.play(speak("Hello, is anyone there?"));
    line.run(3000);
    expect(line.media.observations().keysHeard).toEqual([]);
    line.play(keypadAudio("1"));
    line.run(400);
    const seen = line.media.observations();
    expect(seen.keysHeard).toEqual(["1"]);
    expect(seen.said.at(-1)).toBe("Appointments desk, this is Sam speaking.");
  });

  it("a phone menu hangs up on a caller who never presses a key", () => {
    const line = phoneLine("phone_menu");
    line.run(60_000);
    expect(line.sent.at(-1)).toMatchObject({ event: "stop" });
  });
});

it("a callee who keeps talking never runs out of things to say", () => {
  const line = phoneLine("keeps_talking");
  for (let turn = 0; turn < 7; turn++) {
    line.play(speak("Sorry, could you repeat that?"));
    line.run(utteranceMs("Sorry, could you repeat that?") + 4000);
  }
  const said = line.media.observations().said;
  expect(said).toHaveLength(7);
  expect(said[3]).toBe(said[0]);
  expect(line.sent.some((m) => m.event === "stop")).toBe(false);
});

describe("the emulated model's tools", () => {
  const offering = (...tools: string[]) => (tool: string) => tools.includes(tool);

  it("adds a callee who asks not to be called again to the list, or declines without the tool", () => {
    expect(replyTo("Please don't call me again.", offering("add_to_do_not_call"))).toEqual({
      text: OPTED_OUT,
      endCallReason: null,
      tool: { name: "add_to_do_not_call", arguments: { reason: "The callee asked not to be called again." } },
    });
    expect(replyTo("Stop calling me!", offering())).toEqual({ text: DECLINED, endCallReason: "declined" });
  });

  it("puts a callee who asks for a person through when it can, and says so when it cannot", () => {
    expect(replyTo("Can I speak to a real person, please?", offering("transfer_call"))).toMatchObject({ text: TRANSFERRING, tool: { name: "transfer_call" } });
    expect(replyTo("Can I talk to someone?", offering())).toEqual({ text: CANNOT_TRANSFER, endCallReason: null });
  });

  it("presses the key for appointments in a phone menu, saying nothing", () => {
    expect(menuKey("For billing, press 2. For appointments, press 1.")).toBe("1");
    expect(menuKey("For sales press 3, for support press 4")).toBe("3");
    expect(replyTo("Thank you for calling. For appointments, press 1.", offering("press_digits"))).toEqual({
      text: null,
      endCallReason: null,
      tool: { name: "press_digits", arguments: { digits: "1" } },
    });
  });

  it("understands a key press passed on as text with its meaning", () => {
    expect(replyTo("The callee pressed 1 on their keypad, which means: confirm.").endCallReason).toBe("confirmed");
  });
});
