import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { bytesToBase64, silence } from "../../src/audio/mulaw";
import { api, expectError } from "../helpers/api";
import { carrierObservations, notify, setUpCall, storedCall, waitForCallEnd, waitForCallStatus } from "../helpers/calls";

const CONFIRMS = "+14155550101";
const NO_ANSWER = "+14155550105"; // rings for ~4.5 s of wall time: the call is live and unanswered

async function placeCall(phone: string) {
  const setup = await setUpCall(phone);
  const res = await notify(setup);
  expect(res.status).toBe(201);
  return { setup, callId: res.body.call.callId as string };
}

const mediaRequest = (callId: string, headers: Record<string, string> = { Upgrade: "websocket" }) =>
  exports.default.fetch(new Request(`https://parley.test/media/${callId}`, { headers }));

/** Opens the call's media stream as a carrier would and records how Parley closes it. */
async function openStream(callId: string) {
  const res = await mediaRequest(callId);
  expect(res.status).toBe(101);
  const socket = res.webSocket;
  if (!socket) throw new Error("no WebSocket in the upgrade response");
  socket.accept();
  const closed = new Promise<{ code: number; reason: string }>((resolve) => {
    socket.addEventListener("close", (event) => resolve({ code: event.code, reason: event.reason }));
  });
  const received: string[] = [];
  socket.addEventListener("message", (event) => received.push(String(event.data)));
  const closedWithin = (ms = 10_000) =>
    Promise.race([closed, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`the stream was not closed within ${ms} ms`)), ms))]);
  return { socket, closedWithin, received };
}

const STREAM_SID = `MZ${"7".repeat(32)}`;

const connected = () => JSON.stringify({ event: "connected", protocol: "Call", version: "1.0.0" });

async function start(callId: string, token: string) {
  const callSid = String((await storedCall(callId))?.carrier_call_sid);
  return JSON.stringify({
    event: "start",
    sequenceNumber: "1",
    streamSid: STREAM_SID,
    start: {
      accountSid: `AC${"0".repeat(32)}`,
      streamSid: STREAM_SID,
      callSid,
      tracks: ["inbound"],
      customParameters: { token },
      mediaFormat: { encoding: "audio/x-mulaw", sampleRate: 8000, channels: 1 },
    },
  });
}

const media = () =>
  JSON.stringify({
    event: "media",
    sequenceNumber: "2",
    streamSid: STREAM_SID,
    media: { track: "inbound", chunk: "1", timestamp: "20", payload: bytesToBase64(silence(20)) },
  });

describe("the media stream door", () => {
  it("a start with a wrong token is closed with 1008 and the call goes on normally", async () => {
    const { setup, callId } = await placeCall(CONFIRMS);
    const stream = await openStream(callId);
    stream.socket.send(connected());
    stream.socket.send(await start(callId, "guessed-token"));
    expect((await stream.closedWithin()).code).toBe(1008);
    // Nothing was played to the impostor.
    expect(stream.received).toEqual([]);

    const call = await waitForCallEnd(setup.account, callId);
    expect(call).toMatchObject({ status: "completed", end_reason: "agent_ended" });
    expect(call.transcript.map((line: { speaker: string }) => line.speaker)).toContain("customer");
    const carrier = await carrierObservations(callId);
    expect(carrier.stream?.error).toBeNull();
  }, 40_000);

  it("media before start is closed with 1008 and changes nothing", async () => {
    const { setup, callId } = await placeCall(NO_ANSWER);
    await waitForCallStatus(setup.account, callId, "ringing");
    const stream = await openStream(callId);
    stream.socket.send(media());
    expect((await stream.closedWithin()).code).toBe(1008);
    expect((await storedCall(callId))?.status).toBe("ringing");
  }, 40_000);

  const unreadable: [string, () => string | ArrayBuffer][] = [
    ["a binary frame", () => new Uint8Array([0x7b, 0x7d]).buffer],
    ["a frame that is not JSON", () => "event=start"],
    ["an unknown event", () => JSON.stringify({ event: "play", streamSid: STREAM_SID })],
    ["a start without its fields", () => JSON.stringify({ event: "start", streamSid: STREAM_SID })],
  ];
  it.each(unreadable)("%s is closed with 1003 and the call is unaffected", async (_name, frame) => {
    const { setup, callId } = await placeCall(NO_ANSWER);
    await waitForCallStatus(setup.account, callId, "ringing");
    const stream = await openStream(callId);
    stream.socket.send(frame());
    expect((await stream.closedWithin()).code).toBe(1003);
    expect((await storedCall(callId))?.status).toBe("ringing");
  }, 40_000);

  it("a request without a WebSocket upgrade answers 400", async () => {
    const { callId } = await placeCall(NO_ANSWER);
    const res = await api(`/media/${callId}`);
    expectError(res, 400, "validation_failed");
  }, 40_000);

  it("a stream for an id that is not a call id answers 404", async () => {
    expectError(await api("/media/not-a-call", { headers: { Upgrade: "websocket" } }), 404, "not_found");
  });

  it("a stream for a call that does not exist answers 404", async () => {
    expectError(await api(`/media/${crypto.randomUUID()}`, { headers: { Upgrade: "websocket" } }), 404, "not_found");
  });

  it("a stream for a call that has ended answers 404", async () => {
    const { setup, callId } = await placeCall("+14155550104");
    expect((await waitForCallEnd(setup.account, callId)).status).toBe("busy");
    expectError(await api(`/media/${callId}`, { headers: { Upgrade: "websocket" } }), 404, "not_found");
  }, 40_000);
});
