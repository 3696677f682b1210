import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { emulatorOpenAiKey } from "../../src/emulators/credentials";
import { modelApp } from "../../src/emulators/model/model-app";
import { CALL_SESSION, configure, openModelSession, realtimeRequest } from "./model-client";

describe("model emulator: connecting", () => {
  it("refuses a wrong API key with OpenAI's 401", async () => {
    const response = await realtimeRequest({ Upgrade: "websocket", Authorization: "Bearer sk-not-the-key" });
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({
      error: { message: "Incorrect API key provided", type: "invalid_request_error", param: null, code: "invalid_api_key" },
    });
  });

  it("refuses a request without any API key", async () => {
    const response = await realtimeRequest({ Upgrade: "websocket" });
    expect(response.status).toBe(401);
  });

  it("answers 426 to a right key without a WebSocket upgrade", async () => {
    const response = await realtimeRequest({ Authorization: `Bearer ${await emulatorOpenAiKey(env)}` });
    expect(response.status).toBe(426);
  });

  it("answers 400 when no model is named", async () => {
    const request = new Request("https://model.emulator.parley/v1/realtime", {
      headers: { Upgrade: "websocket", Authorization: `Bearer ${await emulatorOpenAiKey(env)}` },
    });
    const response = await modelApp.fetch(request, env);
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: { code: "missing_required_parameter" } });
  });

  it("opens a socket whose first event is session.created, with an event_id", async () => {
    const client = await openModelSession();
    const created = await client.next("session.created");
    expect(client.events[0]).toBe(created);
    expect(created.event_id).toMatch(/^event_/);
    expect(created.session).toMatchObject({ type: "realtime", model: "gpt-realtime", id: expect.stringMatching(/^sess_/) });
  });

  it("applies session.update and echoes the whole session in session.updated", async () => {
    const client = await openModelSession();
    const updated = await configure(client);
    expect(updated.session).toMatchObject(CALL_SESSION);
    expect(updated.session.audio.input.turn_detection).toMatchObject({ silence_duration_ms: 500, interrupt_response: true });
    client.send({ type: "session.update", session: { instructions: "Be brief." } });
    const again = await client.next("session.updated");
    expect(again.session.instructions).toBe("Be brief.");
    expect(again.session.audio.output.voice).toBe("marin");
  });
});

describe("model emulator: bad client events", () => {
  it("answers invalid JSON with an error event and keeps the session", async () => {
    const client = await openModelSession();
    client.socket.send("this is not json {");
    const error = await client.next("error");
    expect(error.error).toMatchObject({ type: "invalid_request_error", code: "invalid_json" });
    await configure(client);
  });

  it("answers an unknown event type with an error naming the client's event id", async () => {
    const client = await openModelSession();
    client.send({ type: "response.dance", event_id: "evt_client_1" });
    const error = await client.next("error");
    expect(error.error).toMatchObject({ type: "invalid_request_error", code: "invalid_value", param: "type", event_id: "evt_client_1" });
  });

  it("answers an event without a type, and audio that is not base64, with errors", async () => {
    const client = await openModelSession();
    client.send({ audio: "AAAA" });
    expect((await client.next("error")).error.code).toBe("missing_required_parameter");
    client.send({ type: "input_audio_buffer.append", audio: "%%% not base64 %%%" });
    expect((await client.next("error")).error).toMatchObject({ code: "invalid_value", param: "audio" });
  });

  it("answers a binary frame with an error", async () => {
    const client = await openModelSession();
    client.socket.send(new Uint8Array([1, 2, 3]));
    expect((await client.next("error")).error.type).toBe("invalid_request_error");
  });

  it("refuses a session.update whose session is not an object", async () => {
    const client = await openModelSession();
    client.send({ type: "session.update", session: "fast" });
    expect((await client.next("error")).error).toMatchObject({ code: "missing_required_parameter", param: "session" });
  });
});
