import { describe, expect, it } from "vitest";
import { silence } from "../../src/audio/mulaw";
import { hear, speak, utteranceMs } from "../../src/emulators/in-band-speech";
import { CONFIRMED, GENERIC_GREETING } from "../../src/emulators/model/replies";
import { configure, openModelSession, sleep } from "./model-client";

const GREETING = "Hi Ana, this is Echo Dental calling about your cleaning tomorrow.";

describe("model emulator: speaking", () => {
  it("says the 'Say exactly' line as paced ~100 ms audio deltas that decode to its words", async () => {
    const client = await openModelSession();
    await configure(client);
    client.send({ type: "response.create", response: { instructions: `Say exactly: ${GREETING}` } });
    const { done, audio, events } = await client.response();
    expect(hear(audio)).toBe(GREETING);
    expect(audio.length).toBe(utteranceMs(GREETING) * 8);
    const deltas = events.filter((e) => e.type === "response.output_audio.delta");
    expect(deltas.length).toBe(Math.ceil(audio.length / 800));
    expect(done.response).toMatchObject({ status: "completed", output: [{ type: "message", role: "assistant" }] });
    expect(done.response.usage.total_tokens).toBeGreaterThan(0);
    const transcript = events.filter((e) => e.type === "response.output_audio_transcript.delta").map((e) => e.delta);
    expect(transcript.join("")).toBe(GREETING);
    expect(events.find((e) => e.type === "response.output_audio_transcript.done")?.transcript).toBe(GREETING);
  });

  it("emits a response's events in the GA order", async () => {
    const client = await openModelSession();
    await configure(client);
    client.send({ type: "response.create" });
    const { events } = await client.response();
    const order = [...new Set(events.map((e) => e.type))].filter((t) => !t.startsWith("response.content_part"));
    expect(order).toEqual([
      "response.created",
      "response.output_item.added",
      "response.output_audio.delta",
      "response.output_audio_transcript.delta",
      "response.output_audio.done",
      "response.output_audio_transcript.done",
      "response.output_item.done",
      "response.done",
    ]);
  });

  it("greets with a generic line when told nothing to say", async () => {
    const client = await openModelSession();
    await configure(client);
    client.send({ type: "response.create" });
    expect(hear((await client.response()).audio)).toBe(GENERIC_GREETING);
  });

  it("greets with the session's 'Say exactly' line when the response names none", async () => {
    const client = await openModelSession();
    await configure(client, { instructions: `You call patients.\nSay exactly: ${GREETING}` });
    client.send({ type: "response.create" });
    expect(hear((await client.response()).audio)).toBe(GREETING);
  });

  it("refuses a second response.create while a response is active", async () => {
    const client = await openModelSession("1");
    await configure(client);
    client.send({ type: "response.create" });
    client.send({ type: "response.create" });
    expect((await client.next("error")).error.code).toBe("conversation_already_has_active_response");
    client.send({ type: "response.cancel" });
  });
});

describe("model emulator: a callee's turn", () => {
  it("detects speech in audio time, transcribes it, answers and calls end_call", async () => {
    const client = await openModelSession();
    await configure(client);
    client.send({ type: "response.create", response: { instructions: `Say exactly: ${GREETING}` } });
    await client.response();
    client.append(new Uint8Array([...silence(1000), ...speak("Yes, that works"), ...silence(600)]));
    const started = await client.next("input_audio_buffer.speech_started");
    expect(started.audio_start_ms).toBe(1000 - 300);
    const stopped = await client.next("input_audio_buffer.speech_stopped");
    expect(stopped).toMatchObject({ audio_end_ms: 1000 + utteranceMs("Yes, that works") + 500, item_id: started.item_id });
    const transcribed = await client.next("conversation.item.input_audio_transcription.completed");
    expect(transcribed).toMatchObject({ item_id: started.item_id, content_index: 0, transcript: "Yes, that works" });
    const { done, audio, events } = await client.response();
    expect(hear(audio)).toBe(CONFIRMED);
    const call = events.find((e) => e.type === "response.function_call_arguments.done");
    expect(call).toMatchObject({ name: "end_call", call_id: expect.stringMatching(/^call_/) });
    expect(JSON.parse(call?.arguments)).toEqual({ reason: "confirmed" });
    expect(done.response.output.map((item: { type: string }) => item.type)).toEqual(["message", "function_call"]);
  });

  it("greets a callee who speaks first with words that carry no answer", async () => {
    const client = await openModelSession();
    await configure(client);
    client.append(new Uint8Array([...speak("Hello?"), ...silence(600)]));
    expect(hear((await client.response()).audio)).toBe(GENERIC_GREETING);
  });

  it("accepts the end_call result and then has nothing more to say", async () => {
    const client = await openModelSession();
    await configure(client);
    client.send({ type: "conversation.item.create", item: { type: "message", role: "user", content: [{ type: "input_text", text: "No, I can't make it" }] } });
    await client.next("conversation.item.added");
    client.send({ type: "response.create" });
    const call = (await client.response()).events.find((e) => e.type === "response.function_call_arguments.done");
    client.send({ type: "conversation.item.create", item: { type: "function_call_output", call_id: call?.call_id, output: "{\"ok\":true}" } });
    expect((await client.next("conversation.item.added")).item).toMatchObject({ type: "function_call_output", call_id: call?.call_id });
    client.send({ type: "response.create" });
    const { done, audio } = await client.response();
    expect(done.response).toMatchObject({ status: "completed", output: [] });
    expect(audio.length).toBe(0);
  });

  it("transcribes only when committed by the client when turn detection is off", async () => {
    const client = await openModelSession();
    await configure(client, { audio: { input: { transcription: { model: "gpt-4o-mini-transcribe" }, turn_detection: null } } });
    client.append(new Uint8Array([...silence(200), ...speak("Friday at 3 PM"), ...silence(800)]));
    client.send({ type: "input_audio_buffer.commit" });
    expect((await client.next("conversation.item.input_audio_transcription.completed")).transcript).toBe("Friday at 3 PM");
    expect(client.types()).not.toContain("input_audio_buffer.speech_started");
    expect(client.types()).not.toContain("response.created");
  });

  it("checks in after 8 s of silence, then says goodbye and ends the call after 8 s more", async () => {
    const client = await openModelSession("100");
    await configure(client);
    client.send({ type: "response.create" });
    await client.response();
    client.append(silence(7900));
    await sleep(100);
    expect(client.types().filter((t) => t === "response.created")).toHaveLength(1);
    client.append(silence(200));
    expect(hear((await client.response()).audio)).toBe("Are you still there?");
    client.append(silence(8100));
    const { audio, events } = await client.response();
    expect(hear(audio)).toBe("I'll try again later. Goodbye!");
    expect(events.some((e) => e.type === "response.function_call_arguments.done" && e.name === "end_call")).toBe(true);
  });
});
