import { describe, expect, it } from "vitest";
import {
  appendAudioMessage,
  cancelResponse,
  createResponse,
  functionCallOutput,
  parseModelEvent,
  truncateItem,
  userText,
} from "../../src/realtime/realtime-events";

const parse = (event: unknown) => parseModelEvent(JSON.stringify(event));
// Fields every GA server event of a response carries; the parser must accept and may drop them.
const envelope = { event_id: "event_1", response_id: "resp_1", item_id: "item_1", output_index: 0, content_index: 0 };

describe("parseModelEvent: server events", () => {
  it("reads session.created and session.updated", () => {
    const session = { type: "realtime", id: "sess_1", model: "gpt-realtime" };
    expect(parse({ type: "session.created", event_id: "event_1", session })).toEqual({ type: "session.created", session });
    expect(parse({ type: "session.updated", event_id: "event_2", session })).toEqual({ type: "session.updated", session });
  });

  it("reads response.created", () => {
    const event = parse({ type: "response.created", event_id: "e", response: { id: "resp_1", object: "realtime.response", status: "in_progress", output: [] } });
    expect(event).toEqual({ type: "response.created", response: { id: "resp_1", status: "in_progress", status_details: null, output: [], usage: null } });
  });

  it("reads response.output_audio.delta with its item and base64 audio untouched", () => {
    expect(parse({ type: "response.output_audio.delta", ...envelope, delta: "//8A/w==" })).toMatchObject({
      type: "response.output_audio.delta",
      response_id: "resp_1",
      item_id: "item_1",
      delta: "//8A/w==",
    });
  });

  it("reads response.output_audio.done", () => {
    expect(parse({ type: "response.output_audio.done", ...envelope })).toEqual({ type: "response.output_audio.done", response_id: "resp_1", item_id: "item_1" });
  });

  it("reads the agent's transcript deltas and final transcript", () => {
    expect(parse({ type: "response.output_audio_transcript.delta", ...envelope, delta: "Hello" })).toEqual({
      type: "response.output_audio_transcript.delta",
      response_id: "resp_1",
      item_id: "item_1",
      delta: "Hello",
    });
    expect(parse({ type: "response.output_audio_transcript.done", ...envelope, transcript: "Hello there." })).toEqual({
      type: "response.output_audio_transcript.done",
      response_id: "resp_1",
      item_id: "item_1",
      transcript: "Hello there.",
    });
  });

  it("reads the callee's transcript", () => {
    const event = { type: "conversation.item.input_audio_transcription.completed", event_id: "e", item_id: "item_2", content_index: 0, transcript: "Yes, that works.", usage: { type: "duration", seconds: 2 } };
    expect(parse(event)).toEqual({ type: "conversation.item.input_audio_transcription.completed", item_id: "item_2", transcript: "Yes, that works." });
  });

  it("reads speech_started and speech_stopped", () => {
    expect(parse({ type: "input_audio_buffer.speech_started", event_id: "e", audio_start_ms: 1240, item_id: "item_3" })).toEqual({
      type: "input_audio_buffer.speech_started",
      audio_start_ms: 1240,
      item_id: "item_3",
    });
    expect(parse({ type: "input_audio_buffer.speech_stopped", event_id: "e", audio_end_ms: 2980, item_id: "item_3" })).toEqual({
      type: "input_audio_buffer.speech_stopped",
      audio_end_ms: 2980,
      item_id: "item_3",
    });
  });

  it("reads a finished tool call", () => {
    const event = { type: "response.function_call_arguments.done", ...envelope, call_id: "call_1", name: "end_call", arguments: '{"reason":"confirmed"}' };
    expect(parse(event)).toEqual({
      type: "response.function_call_arguments.done",
      response_id: "resp_1",
      item_id: "item_1",
      call_id: "call_1",
      name: "end_call",
      arguments: '{"reason":"confirmed"}',
    });
  });

  it("reads response.output_item.done with its item", () => {
    const item = { id: "item_1", type: "message", role: "assistant", status: "completed", content: [{ type: "output_audio", transcript: "Bye." }] };
    expect(parse({ type: "response.output_item.done", event_id: "e", response_id: "resp_1", output_index: 0, item })).toEqual({
      type: "response.output_item.done",
      response_id: "resp_1",
      item,
    });
  });

  it("reads response.done with its status, details, output and usage", () => {
    const response = {
      id: "resp_1",
      object: "realtime.response",
      status: "cancelled",
      status_details: { type: "cancelled", reason: "turn_detected" },
      output: [{ id: "item_1", type: "message" }],
      usage: { total_tokens: 120, input_tokens: 80, output_tokens: 40 },
    };
    expect(parse({ type: "response.done", event_id: "e", response })).toEqual({
      type: "response.done",
      response: { id: "resp_1", status: "cancelled", status_details: response.status_details, output: response.output, usage: response.usage },
    });
  });

  it("reads error events", () => {
    const error = { type: "invalid_request_error", code: "invalid_value", message: "Audio content of 5000ms is shorter than 9000ms.", param: null, event_id: "client_1" };
    expect(parse({ type: "error", event_id: "e", error })).toEqual({ type: "error", error });
    expect(parse({ type: "error", error: { message: "Something broke." } })).toEqual({ type: "error", error: { type: "error", code: null, message: "Something broke." } });
  });

  it("passes through event types it does not know, including the retired beta names", () => {
    const beta = { type: "response.audio.delta", ...envelope, delta: "AA==" };
    expect(parse(beta)).toEqual({ type: "unknown", raw: beta });
    const added = { type: "conversation.item.added", event_id: "e", item: { id: "item_9" } };
    expect(parse(added)).toEqual({ type: "unknown", raw: added });
  });
});

describe("parseModelEvent: garbage", () => {
  it("returns null for text that is not JSON", () => {
    expect(parseModelEvent("")).toBeNull();
    expect(parseModelEvent("{not json")).toBeNull();
  });

  it("returns null for JSON that is not an event object", () => {
    for (const value of ["null", "42", '"session.created"', '[{"type":"error"}]', "{}", '{"type":7}']) {
      expect(parseModelEvent(value)).toBeNull();
    }
  });

  it("returns null for a known event missing the fields the engine relies on", () => {
    expect(parse({ type: "response.output_audio.delta", ...envelope, delta: 5 })).toBeNull();
    expect(parse({ type: "response.output_audio.delta", response_id: "resp_1", delta: "AA==" })).toBeNull();
    expect(parse({ type: "input_audio_buffer.speech_started", item_id: "item_3", audio_start_ms: "1240" })).toBeNull();
    expect(parse({ type: "input_audio_buffer.speech_stopped", item_id: "item_3", audio_end_ms: -1 })).toBeNull();
    expect(parse({ type: "response.function_call_arguments.done", ...envelope, name: "end_call", arguments: "{}" })).toBeNull();
    expect(parse({ type: "response.done", response: { status: "completed" } })).toBeNull();
    expect(parse({ type: "session.created" })).toBeNull();
    expect(parse({ type: "error", error: "bad" })).toBeNull();
    expect(parse({ type: "conversation.item.input_audio_transcription.completed", item_id: "item_2" })).toBeNull();
  });
});

describe("client events", () => {
  it("appends callee audio as given", () => {
    expect(JSON.parse(appendAudioMessage("//8A"))).toEqual({ type: "input_audio_buffer.append", audio: "//8A" });
  });

  it("creates a response, with instructions only when given", () => {
    expect(createResponse()).toEqual({ type: "response.create" });
    expect(createResponse("Say exactly: Hello!")).toEqual({ type: "response.create", response: { instructions: "Say exactly: Hello!" } });
  });

  it("cancels the response", () => {
    expect(cancelResponse()).toEqual({ type: "response.cancel" });
  });

  it("truncates the first content part at whole milliseconds, never below zero", () => {
    expect(truncateItem("item_1", 1520)).toEqual({ type: "conversation.item.truncate", item_id: "item_1", content_index: 0, audio_end_ms: 1520 });
    expect(truncateItem("item_1", 99.9).audio_end_ms).toBe(99);
    expect(truncateItem("item_1", -5).audio_end_ms).toBe(0);
  });

  it("returns a tool's output as a function_call_output item", () => {
    expect(functionCallOutput("call_1", '{"ok":true}')).toEqual({
      type: "conversation.item.create",
      item: { type: "function_call_output", call_id: "call_1", output: '{"ok":true}' },
    });
  });

  it("adds user text as an input_text message", () => {
    expect(userText("The callee pressed 1.")).toEqual({
      type: "conversation.item.create",
      item: { type: "message", role: "user", content: [{ type: "input_text", text: "The callee pressed 1." }] },
    });
  });
});
