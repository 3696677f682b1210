import { env } from "cloudflare:test";
import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { issueLiveToken } from "../../src/calls/live-token";
import { api, expectError, signup } from "../helpers/api";
import { notify, setUpCall, waitForCallEnd, waitForCallStatus } from "../helpers/calls";

const SILENT = "+14155550109";
const BUSY = "+14155550104";
const NO_ANSWER = "+14155550105"; // rings for a few seconds: the call is live

interface LiveMessage {
  type: string;
  data?: Record<string, any>;
  error?: string;
}

async function placeCall(phone: string) {
  const setup = await setUpCall(phone);
  const res = await notify(setup);
  expect(res.status).toBe(201);
  return { setup, callId: res.body.call.callId as string };
}

const liveRequest = (callId: string, query: string, headers: Record<string, string> = { Upgrade: "websocket" }) =>
  exports.default.fetch(new Request(`https://parley.test/ws/calls/${callId}?${query}`, { headers }));

/** Opens the live socket as a browser would and records every message until it closes. */
async function listen(callId: string, query: string) {
  const res = await liveRequest(callId, query);
  expect(res.status).toBe(101);
  const socket = res.webSocket;
  if (!socket) throw new Error("no WebSocket in the upgrade response");
  const messages: LiveMessage[] = [];
  let arrived: () => void = () => {};
  socket.addEventListener("message", (event) => {
    messages.push(JSON.parse(String(event.data)));
    arrived();
  });
  const closed = new Promise<{ code: number }>((resolve) => socket.addEventListener("close", (event) => resolve({ code: event.code })));
  socket.accept();
  const closedWithin = (ms = 30_000) => Promise.race([closed, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`not closed within ${ms} ms`)), ms))]);
  const nextMessage = (ms = 5_000) =>
    new Promise<LiveMessage>((resolve, reject) => {
      const count = messages.length;
      const timer = setTimeout(() => reject(new Error(`no message within ${ms} ms`)), ms);
      arrived = () => {
        if (messages.length > count) {
          clearTimeout(timer);
          resolve(messages[count] as LiveMessage);
        }
      };
    });
  return { socket, messages, closedWithin, nextMessage };
}

const keyQuery = (key: string) => `api_key=${encodeURIComponent(key)}`;

describe("live transcript sockets", () => {
  it("GET /calls/{id}/live answers the seed's connection info for this host", async () => {
    const { setup, callId } = await placeCall(BUSY);
    const res = await api(`/api/v1/calls/${callId}/live`, { key: setup.account.apiKey });
    expect(res.status).toBe(200);
    const url = `wss://parley.test/ws/calls/${callId}`;
    expect(res.body).toEqual({
      websocket_url: url,
      call_id: callId,
      temp_token: expect.any(String),
      connection_info: {
        url,
        auth_method: "query_param",
        auth_param: "api_key",
        temp_auth_param: "session_token",
        example: `${url}?api_key=YOUR_API_KEY`,
        example_session: `${url}?session_token=TEMP_TOKEN`,
        message_format: "json",
        message_types: ["connected", "transcript_update", "call_status_update", "error"],
      },
    });
  }, 40_000);

  it("a listener hears connected, every line in order, then the final status, and is closed", async () => {
    const { setup, callId } = await placeCall(SILENT);
    const live = await listen(callId, keyQuery(setup.account.apiKey));
    expect((await live.closedWithin()).code).toBe(1000);

    const [first, ...rest] = live.messages;
    expect(first).toMatchObject({ type: "connected", data: { call_id: callId, status: expect.any(String), transcript: expect.any(Array) } });
    const heard = [...(first?.data?.transcript ?? []), ...rest.filter((m) => m.type === "transcript_update").map((m) => m.data)];
    const { results } = await env.DB.prepare("SELECT speaker, text, start_ms, end_ms FROM transcript_entries WHERE call_id = ? ORDER BY seq").bind(callId).all();
    expect(results.length).toBeGreaterThan(0);
    expect(heard.map((l) => ({ speaker: l?.speaker, text: l?.text, start_ms: l?.start_ms, end_ms: l?.end_ms }))).toEqual(results);
    const updates = rest.filter((m) => m.type === "transcript_update");
    expect(updates.length).toBeGreaterThan(0);
    const statuses = rest.filter((m) => m.type === "call_status_update").map((m) => m.data?.status);
    expect(statuses.at(-1)).toBe("completed");
    expect(statuses).toContain("in_progress");
    expect(updates.at(-1)?.data?.transcript).toBe(results.map((l) => `${l.speaker === "agent" ? "Agent" : "Customer"}: ${l.text}`).join("\n"));
    expect(live.messages.at(-1)).toEqual({ type: "call_status_update", data: { status: "completed" } });
    expect((await waitForCallEnd(setup.account, callId)).status).toBe("completed");
  }, 60_000);

  it("a finished call's listener gets its final transcript and status, then is closed", async () => {
    const { setup, callId } = await placeCall(BUSY);
    await waitForCallEnd(setup.account, callId);
    const live = await listen(callId, keyQuery(setup.account.apiKey));
    expect((await live.closedWithin()).code).toBe(1000);
    expect(live.messages).toEqual([{ type: "connected", data: { call_id: callId, status: "busy", transcript: [] } }]);
  }, 40_000);

  it("the temp token opens its own call's socket", async () => {
    const { setup, callId } = await placeCall(BUSY);
    const token = (await api(`/api/v1/calls/${callId}/live`, { key: setup.account.apiKey })).body.temp_token;
    const live = await listen(callId, `session_token=${encodeURIComponent(token)}`);
    await live.closedWithin();
    expect(live.messages[0]).toMatchObject({ type: "connected", data: { call_id: callId } });
  }, 40_000);

  it("a temp token for one call opens no other (401)", async () => {
    const { setup, callId } = await placeCall(BUSY);
    const other = await notify(setup);
    expect(other.status).toBe(201);
    const token = (await api(`/api/v1/calls/${callId}/live`, { key: setup.account.apiKey })).body.temp_token;
    const res = await api(`/ws/calls/${other.body.call.callId}?session_token=${encodeURIComponent(token)}`, { headers: { Upgrade: "websocket" } });
    expectError(res, 401, "invalid_token", "session_token");
  }, 40_000);

  it("a temp token older than 5 minutes answers 401", async () => {
    const { setup, callId } = await placeCall(BUSY);
    const stale = await issueLiveToken(env, callId, setup.account.projectId, Date.now() - 5 * 60_000 - 1_000);
    const res = await api(`/ws/calls/${callId}?session_token=${encodeURIComponent(stale)}`, { headers: { Upgrade: "websocket" } });
    expectError(res, 401, "invalid_token", "session_token");
  }, 40_000);

  it("the listener header on the carrier's media door makes no listener", async () => {
    const { setup, callId } = await placeCall(NO_ANSWER);
    await waitForCallStatus(setup.account, callId, "ringing");
    const res = await exports.default.fetch(new Request(`https://parley.test/media/${callId}`, { headers: { Upgrade: "websocket", "X-Parley-Listener": "1" } }));
    const socket = res.webSocket;
    if (!socket) throw new Error("no WebSocket in the upgrade response");
    const received: string[] = [];
    socket.addEventListener("message", (event) => received.push(String(event.data)));
    const closed = new Promise<number>((resolve) => socket.addEventListener("close", (event) => resolve(event.code)));
    socket.accept();
    // A carrier stream that speaks out of turn is closed; a listener would have been told the transcript.
    socket.send(JSON.stringify({ event: "stop", sequenceNumber: "2", streamSid: `MZ${"1".repeat(32)}`, stop: { accountSid: `AC${"0".repeat(32)}`, callSid: `CA${"0".repeat(32)}` } }));
    expect(await closed).toBe(1008);
    expect(received).toEqual([]);
  }, 40_000);

  it("a forged temp token answers 401", async () => {
    const { callId } = await placeCall(BUSY);
    const res = await api(`/ws/calls/${callId}?session_token=e30.c2lnbmF0dXJl`, { headers: { Upgrade: "websocket" } });
    expectError(res, 401, "invalid_token", "session_token");
  }, 40_000);

  it("a wrong API key answers 401", async () => {
    const { callId } = await placeCall(BUSY);
    const res = await api(`/ws/calls/${callId}?api_key=echo_${"0".repeat(64)}`, { headers: { Upgrade: "websocket" } });
    expectError(res, 401, "invalid_api_key", "api_key");
  }, 40_000);

  it("no credential answers 401", async () => {
    const { callId } = await placeCall(BUSY);
    expectError(await api(`/ws/calls/${callId}`, { headers: { Upgrade: "websocket" } }), 401, "unauthenticated");
  }, 40_000);

  it("another project's API key answers 404", async () => {
    const { callId } = await placeCall(BUSY);
    const stranger = await signup();
    expectError(await api(`/ws/calls/${callId}?${keyQuery(stranger.apiKey)}`, { headers: { Upgrade: "websocket" } }), 404, "not_found");
  }, 40_000);

  it("a request without a WebSocket upgrade answers 400", async () => {
    const { setup, callId } = await placeCall(BUSY);
    expectError(await api(`/ws/calls/${callId}?${keyQuery(setup.account.apiKey)}`), 400, "validation_failed");
  }, 40_000);

  it("a ping is answered with pong, and an unreadable message with an error", async () => {
    const { setup, callId } = await placeCall(NO_ANSWER);
    await waitForCallStatus(setup.account, callId, "ringing");
    const live = await listen(callId, keyQuery(setup.account.apiKey));
    const connected = live.messages[0] ?? (await live.nextMessage());
    expect(connected).toMatchObject({ type: "connected", data: { status: "ringing" } });

    let reply = live.nextMessage();
    live.socket.send('{"type":"ping"}');
    expect(await reply).toEqual({ type: "pong" });
    reply = live.nextMessage();
    live.socket.send("hello");
    expect(await reply).toMatchObject({ type: "error", error: expect.any(String) });
    live.socket.close(1000, "done");
  }, 40_000);
});
