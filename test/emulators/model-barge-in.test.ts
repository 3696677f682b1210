import { describe, expect, it } from "vitest";
import { silence } from "../../src/audio/mulaw";
import { speak } from "../../src/emulators/in-band-speech";
import { configure, type ModelClient, openModelSession, sleep } from "./model-client";

const LONG_LINE = "Say exactly: Hi Ana, this is Echo Dental calling to remind you of your cleaning on Tuesday at ten.";

/** Starts a real-time (speed 1) greeting and waits until its audio is flowing. */
async function greetingUnderWay(client: ModelClient) {
  await configure(client);
  client.send({ type: "response.create", response: { instructions: LONG_LINE } });
  const created = await client.next("response.created");
  const delta = await client.next("response.output_audio.delta");
  return { responseId: created.response.id as string, itemId: delta.item_id as string };
}

const deltasAfter = (client: ModelClient, event: { event_id: string }, responseId: string) =>
  client.events.slice(client.events.findIndex((e) => e.event_id === event.event_id)).filter(
    (e) => e.type === "response.output_audio.delta" && e.response_id === responseId,
  );

describe("model emulator: barge-in", () => {
  it("cancels its own response when the callee talks over it", async () => {
    const client = await openModelSession("1");
    const { responseId } = await greetingUnderWay(client);
    client.append(new Uint8Array([...speak("Wait, sorry"), ...silence(600)]));
    await client.next("input_audio_buffer.speech_started");
    const done = await client.next("response.done");
    expect(done.response).toMatchObject({ id: responseId, status: "cancelled", status_details: { reason: "turn_detected" } });
    expect(done.response.output[0]).toMatchObject({ type: "message", status: "incomplete" });
    await sleep(250);
    expect(deltasAfter(client, done, responseId)).toEqual([]);
  });

  it("takes the client's own cancel and truncate after it cancelled, without breaking the session", async () => {
    const client = await openModelSession("1");
    const { itemId } = await greetingUnderWay(client);
    client.append(speak("Wait, sorry"));
    await client.next("response.done");
    client.send({ type: "response.cancel" });
    expect((await client.next("error")).error.code).toBe("response_cancel_not_active");
    client.send({ type: "conversation.item.truncate", item_id: itemId, content_index: 0, audio_end_ms: 60 });
    expect(await client.next("conversation.item.truncated")).toMatchObject({ item_id: itemId, audio_end_ms: 60 });
    client.append(silence(600));
    await client.next("conversation.item.input_audio_transcription.completed", (e) => e.transcript === "Wait, sorry");
    await client.next("response.created");
  });

  it("keeps talking over the callee when interrupt_response is off", async () => {
    const client = await openModelSession("1");
    const { responseId } = await greetingUnderWay(client);
    client.send({ type: "session.update", session: { audio: { input: { turn_detection: { type: "server_vad", interrupt_response: false } } } } });
    await client.next("session.updated");
    client.append(speak("Hello?"));
    const started = await client.next("input_audio_buffer.speech_started");
    await sleep(300);
    expect(deltasAfter(client, started, responseId).length).toBeGreaterThan(0);
    expect(client.events.some((e) => e.type === "response.done")).toBe(false);
    client.send({ type: "response.cancel" });
  });
});

describe("model emulator: response.cancel", () => {
  it("stops streaming at once and answers response.done cancelled", async () => {
    const client = await openModelSession("1");
    const { responseId } = await greetingUnderWay(client);
    client.send({ type: "response.cancel" });
    const done = await client.next("response.done");
    expect(done.response).toMatchObject({ id: responseId, status: "cancelled", status_details: { reason: "client_cancelled" } });
    await sleep(250);
    expect(deltasAfter(client, done, responseId)).toEqual([]);
  });

  it("answers an error when no response is active", async () => {
    const client = await openModelSession();
    client.send({ type: "response.cancel" });
    expect((await client.next("error")).error.code).toBe("response_cancel_not_active");
  });
});

describe("model emulator: conversation.item.truncate", () => {
  it("truncates an agent item at most at its audio's length, and refuses beyond it", async () => {
    const client = await openModelSession();
    await configure(client);
    client.send({ type: "response.create" });
    const { done, audio } = await client.response();
    const itemId = done.response.output[0].id;
    const lengthMs = audio.length / 8;
    client.send({ type: "conversation.item.truncate", item_id: itemId, content_index: 0, audio_end_ms: lengthMs + 1 });
    expect((await client.next("error")).error).toMatchObject({ type: "invalid_request_error", param: "audio_end_ms" });
    client.send({ type: "conversation.item.truncate", item_id: itemId, content_index: 0, audio_end_ms: lengthMs });
    expect(await client.next("conversation.item.truncated")).toMatchObject({ item_id: itemId, content_index: 0, audio_end_ms: lengthMs });
  });

  it("refuses an item it never produced", async () => {
    const client = await openModelSession();
    client.send({ type: "conversation.item.truncate", item_id: "item_unknown", content_index: 0, audio_end_ms: 10 });
    expect((await client.next("error")).error.param).toBe("item_id");
  });
});

describe("model emulator: observations", () => {
  it("reports the client's events, cancels, truncates, session and agent items", async () => {
    const client = await openModelSession("1");
    const { itemId, responseId } = await greetingUnderWay(client);
    client.send({ type: "response.cancel" });
    await client.next("response.done");
    client.send({ type: "conversation.item.truncate", item_id: itemId, content_index: 0, audio_end_ms: 50 });
    await client.next("conversation.item.truncated");
    const seen = await client.observations();
    expect(seen.events).toEqual(["session.update", "response.create", "response.cancel", "conversation.item.truncate"]);
    expect(seen.cancels).toEqual([{ response_id: null, active: true }]);
    expect(seen.truncates).toEqual([{ item_id: itemId, audio_end_ms: 50 }]);
    expect(seen.session).toMatchObject({ instructions: "You remind patients of appointments." });
    expect(seen.agentItems).toEqual([
      { item_id: itemId, response_id: responseId, audio_ms: expect.any(Number), transcript: expect.any(String), status: "cancelled" },
    ]);
    expect(seen.agentItems[0]?.audio_ms).toBeGreaterThanOrEqual(100);
  });
});
