import { describe, expect, it } from "vitest";
import { buildSessionUpdate, DEFAULT_VOICE, END_CALL_TOOL, type RealtimeTool, VOICES } from "../../src/realtime/session-config";

const endCallTool = {
  type: "function",
  name: "end_call",
  description: expect.any(String),
  parameters: { type: "object", properties: { reason: { type: "string", description: expect.any(String) } }, required: [] },
};

describe("buildSessionUpdate", () => {
  it("builds the GA session.update: mu-law both ways, server VAD that answers and interrupts, marin, end_call", () => {
    expect(buildSessionUpdate({ instructions: "You are calling about an appointment." })).toEqual({
      type: "session.update",
      session: {
        type: "realtime",
        instructions: "You are calling about an appointment.",
        output_modalities: ["audio"],
        audio: {
          input: {
            format: { type: "audio/pcmu" },
            transcription: { model: "gpt-4o-mini-transcribe" },
            turn_detection: {
              type: "server_vad",
              threshold: 0.5,
              prefix_padding_ms: 300,
              silence_duration_ms: 500,
              create_response: true,
              interrupt_response: true,
            },
          },
          output: { format: { type: "audio/pcmu" }, voice: "marin", speed: 1.0 },
        },
        tools: [endCallTool],
        tool_choice: "auto",
      },
    });
  });

  it("has none of the retired beta fields", () => {
    const session = buildSessionUpdate({ instructions: "Hi" }).session as Record<string, unknown>;
    for (const beta of ["modalities", "voice", "input_audio_format", "output_audio_format", "turn_detection", "temperature", "input_audio_transcription"]) {
      expect(session).not.toHaveProperty(beta);
    }
  });

  it("uses the agent's voice and speed", () => {
    const { output } = buildSessionUpdate({ instructions: "Hi", voice: "cedar", speed: 1.2 }).session.audio;
    expect(output).toEqual({ format: { type: "audio/pcmu" }, voice: "cedar", speed: 1.2 });
  });

  it("falls back to the default voice for a voice the model does not have", () => {
    expect(buildSessionUpdate({ instructions: "Hi", voice: "darth" }).session.audio.output.voice).toBe(DEFAULT_VOICE);
    expect(buildSessionUpdate({ instructions: "Hi", voice: " Alloy " }).session.audio.output.voice).toBe("alloy");
  });

  it("keeps the speed within what the model accepts", () => {
    const speed = (value: number) => buildSessionUpdate({ instructions: "Hi", speed: value }).session.audio.output.speed;
    expect(speed(3)).toBe(1.5);
    expect(speed(0.1)).toBe(0.25);
    expect(speed(Number.NaN)).toBe(1.0);
  });

  it("tells the transcriber the callee's language as ISO-639-1, and nothing when unknown", () => {
    const transcription = (language: string | null | undefined) =>
      buildSessionUpdate({ instructions: "Hi", language }).session.audio.input.transcription;
    expect(transcription("de-DE")).toEqual({ model: "gpt-4o-mini-transcribe", language: "de" });
    expect(transcription("fr")).toEqual({ model: "gpt-4o-mini-transcribe", language: "fr" });
    expect(transcription(null)).toEqual({ model: "gpt-4o-mini-transcribe" });
    expect(transcription("klingon")).toEqual({ model: "gpt-4o-mini-transcribe" });
  });

  it("sends exactly the tools it is given", () => {
    const lookup: RealtimeTool = {
      type: "function",
      name: "lookup_slot",
      description: "Find a free appointment slot.",
      parameters: { type: "object", properties: { day: { type: "string" } }, required: ["day"] },
    };
    expect(buildSessionUpdate({ instructions: "Hi", tools: [END_CALL_TOOL, lookup] }).session.tools).toEqual([END_CALL_TOOL, lookup]);
    expect(buildSessionUpdate({ instructions: "Hi", tools: [] }).session.tools).toEqual([]);
  });

  it("survives a JSON round trip unchanged", () => {
    const event = buildSessionUpdate({ instructions: 'Say "hello" & wait', voice: "verse", speed: 0.9, language: "en-US" });
    expect(JSON.parse(JSON.stringify(event))).toEqual(event);
  });
});

describe("END_CALL_TOOL and VOICES", () => {
  it("declares end_call with an optional reason", () => {
    expect(END_CALL_TOOL).toEqual(endCallTool);
  });

  it("lists the ten GA voices, with marin as the default", () => {
    expect([...VOICES].sort()).toEqual(["alloy", "ash", "ballad", "cedar", "coral", "echo", "marin", "sage", "shimmer", "verse"]);
    expect(DEFAULT_VOICE).toBe("marin");
  });
});
