import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { base64ToBytes, bytesToBase64, FRAME_BYTES } from "../../src/audio/mulaw";
import { CallStream } from "../../src/emulators/carrier/call-stream";
import { scenarioNamed } from "../../src/emulators/carrier/scenarios";
import { signTwilioRequest } from "../../src/emulators/carrier/twilio-wire";
import { hear, speak } from "../../src/emulators/in-band-speech";

const STREAM_URL = "wss://parley.test/media/call-1";
const ids = { accountSid: `AC${"0".repeat(32)}`, callSid: `CA${"2".repeat(32)}`, streamSid: `MZ${"1".repeat(32)}`, customParameters: { token: "t-1" } };

/** A fake Parley on the far end of a real WebSocket pair: records what the carrier sends. */
async function connectToFakeParley(scenario: "confirms" | "silent") {
  const [carrierEnd, parleyEnd] = Object.values(new WebSocketPair()) as [WebSocket, WebSocket];
  parleyEnd.accept();
  const received: any[] = [];
  const closes: number[] = [];
  parleyEnd.addEventListener("message", (event) => received.push(JSON.parse(event.data as string)));
  parleyEnd.addEventListener("close", (event) => closes.push(event.code));
  let handshake: Request | null = null;
  const ends: string[] = [];
  const stream = await CallStream.connect({
    env,
    authToken: "token-1",
    url: STREAM_URL,
    ids,
    scenario: scenarioNamed(scenario),
    speed: 50,
    greetingPlayed: false,
    onEnd: (reason) => ends.push(reason),
    transport: async (request) => {
      handshake = request;
      return new Response(null, { status: 101, webSocket: carrierEnd });
    },
  });
  if ("error" in stream) throw new Error(stream.error);
  const say = (text: string) => {
    const audio = speak(text);
    for (let i = 0; i < audio.length; i += FRAME_BYTES) {
      parleyEnd.send(JSON.stringify({ event: "media", streamSid: ids.streamSid, media: { payload: bytesToBase64(audio.subarray(i, i + FRAME_BYTES)) } }));
    }
    parleyEnd.send(JSON.stringify({ event: "mark", streamSid: ids.streamSid, mark: { name: `end:${text.length}` } }));
  };
  return { stream, parleyEnd, received, closes, ends, say, handshake: () => handshake! };
}

async function waitFor(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 400; i++) {
    if (check()) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe("carrier emulator: the stream over a real WebSocket", () => {
  it("opens with a signed handshake to the https form of the stream URL", async () => {
    const line = await connectToFakeParley("silent");
    const request = line.handshake();
    expect(request.url).toBe("https://parley.test/media/call-1");
    expect(request.headers.get("upgrade")).toBe("websocket");
    expect(request.headers.get("x-twilio-signature")).toBe(await signTwilioRequest("token-1", STREAM_URL, {}));
    line.stream.close();
  });

  it("streams the callee, plays Parley's audio, echoes its mark and answers it, paced by the clock", async () => {
    const line = await connectToFakeParley("confirms");
    await waitFor(() => line.received.some((m) => m.event === "start"), "start");
    line.say("Does Tuesday at 10 still work?");
    const calleeAudio = () =>
      new Uint8Array(line.received.filter((m) => m.event === "media").flatMap((m) => [...base64ToBytes(m.media.payload)]));
    const reply = "Yes, that works for me. I'll be there.";
    await waitFor(() => hear(calleeAudio()) === reply, "the callee's reply on the line");
    const seen = line.stream.observations();
    expect(seen.heard.map((u) => u.text)).toEqual(["Does Tuesday at 10 still work?"]);
    expect(seen.said).toEqual([reply]);
    expect(line.received.filter((m) => m.event === "mark").map((m) => m.mark.name)).toEqual(["end:30"]);
    expect(line.received.map((m) => m.event).slice(0, 3)).toEqual(["connected", "start", "media"]);
    line.stream.close();
  });

  it("sends stop and closes with 1000 when the call ends from the carrier's side", async () => {
    const line = await connectToFakeParley("silent");
    await waitFor(() => line.received.some((m) => m.event === "media"), "media");
    line.stream.close();
    await waitFor(() => line.closes.length > 0, "the close");
    expect(line.received.at(-1)).toEqual({ event: "stop", sequenceNumber: expect.any(String), streamSid: ids.streamSid, stop: { accountSid: ids.accountSid, callSid: ids.callSid } });
    expect(line.closes).toEqual([1000]);
    expect(line.ends).toEqual([]);
  });

  it("reports the end of the call when Parley closes the socket, and sends nothing after", async () => {
    const line = await connectToFakeParley("silent");
    await waitFor(() => line.received.some((m) => m.event === "media"), "media");
    line.parleyEnd.close(1000, "done");
    await waitFor(() => line.ends.length > 0, "the end");
    const count = line.received.length;
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(line.ends).toEqual(["stream_closed_by_parley"]);
    expect(line.received).toHaveLength(count);
    expect(line.received.some((m) => m.event === "stop")).toBe(false);
  });
});
