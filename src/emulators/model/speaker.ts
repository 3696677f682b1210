import { BYTES_PER_MS, bytesToBase64 } from "../../audio/mulaw";
import { speak } from "../in-band-speech";
import type { ToolCall } from "./replies";
import { type Json, realtimeId, type ServerEvent } from "./wire";

/**
 * One response of the emulated model, from `response.created` to `response.done`: its line as
 * `speak()` audio in ~100 ms deltas, the first half second at once and the rest paced at real time
 * ÷ speed — ahead of playback as OpenAI is, so the carrier buffers and a busy machine's hiccups do
 * not become silences, yet still mid-sentence when the callee barges in — the words interleaved
 * as transcript deltas, then, after a closing
 * line, the `end_call` function call. Cancelling stops it between two deltas.
 */
const CHUNK_MS = 100;
const CHUNK_BYTES = CHUNK_MS * BYTES_PER_MS;
/** Deltas sent before pacing starts: how far ahead of playback the model runs. */
const LEAD_CHUNKS = 5;

export type Send = (event: ServerEvent) => void;
export type ResponseStatus = "in_progress" | "completed" | "cancelled";
export type CancelReason = "turn_detected" | "client_cancelled";

export interface ResponsePlan {
  /** What to say; null for a response with nothing to add (after the call was wrapped up). */
  text: string | null;
  /** Calls `end_call` with this reason once the line has been spoken. */
  endCallReason: string | null;
  /** Calls this tool once the line has been spoken (only tools the session offers get here). */
  tool?: ToolCall | null;
  /** The callee's words being answered, for the usage figures. */
  heard: string;
}

export class SpokenResponse {
  readonly id = realtimeId("resp");
  readonly itemId = realtimeId("item");
  status: ResponseStatus = "in_progress";
  /** Agent audio sent so far: the item's length, which truncation may not exceed. */
  audioBytes = 0;
  transcript = "";
  readonly #output: Json[] = [];
  #speaking = false;

  constructor(
    private readonly send: Send,
    private readonly plan: ResponsePlan,
    private readonly speed: number,
  ) {}

  get audioMs(): number {
    return Math.floor(this.audioBytes / BYTES_PER_MS);
  }

  get saysSomething(): boolean {
    return this.plan.text !== null;
  }

  async play(): Promise<ResponseStatus> {
    this.send({ type: "response.created", response: this.#resource(null) });
    if (this.plan.text !== null) await this.#speak(this.plan.text);
    if (this.status === "in_progress" && this.plan.tool) this.#callTool(this.plan.tool.name, this.plan.tool.arguments);
    if (this.status === "in_progress" && this.plan.endCallReason !== null) this.#callTool("end_call", { reason: this.plan.endCallReason });
    if (this.status === "in_progress") this.#finish("completed", null);
    return this.status;
  }

  /** Stops at once; false when the response had already finished. */
  cancel(reason: CancelReason): boolean {
    if (this.status !== "in_progress") return false;
    if (this.#speaking) {
      this.#speaking = false;
      this.#itemDone("incomplete");
    }
    this.#finish("cancelled", { type: "cancelled", reason });
    return true;
  }

  async #speak(text: string): Promise<void> {
    const where = { response_id: this.id, item_id: this.itemId, output_index: 0, content_index: 0 };
    this.#speaking = true;
    this.send({ type: "response.output_item.added", response_id: this.id, output_index: 0, item: this.#message("in_progress") });
    this.send({ type: "response.content_part.added", ...where, part: { type: "output_audio", transcript: "" } });
    const audio = speak(text);
    const words = text.split(/(?<=\s)/);
    const chunks = Math.ceil(audio.length / CHUNK_BYTES);
    let wordsSent = 0;
    for (let i = 0; i < chunks; i++) {
      if (this.status !== "in_progress") return;
      const chunk = audio.subarray(i * CHUNK_BYTES, (i + 1) * CHUNK_BYTES);
      this.audioBytes += chunk.length;
      this.send({ type: "response.output_audio.delta", ...where, delta: bytesToBase64(chunk) });
      const due = Math.ceil((words.length * (i + 1)) / chunks);
      if (due > wordsSent) {
        const delta = words.slice(wordsSent, due).join("");
        wordsSent = due;
        this.transcript += delta;
        this.send({ type: "response.output_audio_transcript.delta", ...where, delta });
      }
      if (i >= LEAD_CHUNKS - 1) await new Promise((resolve) => setTimeout(resolve, CHUNK_MS / this.speed));
    }
    if (this.status !== "in_progress") return;
    this.#speaking = false;
    this.send({ type: "response.output_audio.done", ...where });
    this.send({ type: "response.output_audio_transcript.done", ...where, transcript: text });
    this.send({ type: "response.content_part.done", ...where, part: { type: "output_audio", transcript: text } });
    this.#itemDone("completed");
  }

  #callTool(name: string, parameters: Record<string, string>): void {
    const outputIndex = this.#output.length;
    const callId = realtimeId("call");
    const args = JSON.stringify(parameters);
    const item = { id: realtimeId("item"), object: "realtime.item", type: "function_call", name, call_id: callId };
    this.send({
      type: "response.output_item.added",
      response_id: this.id,
      output_index: outputIndex,
      item: { ...item, status: "in_progress", arguments: "" },
    });
    this.send({
      type: "response.function_call_arguments.done",
      response_id: this.id,
      item_id: item.id,
      output_index: outputIndex,
      call_id: callId,
      name,
      arguments: args,
    });
    const done = { ...item, status: "completed", arguments: args };
    this.#output.push(done);
    this.send({ type: "response.output_item.done", response_id: this.id, output_index: outputIndex, item: done });
  }

  #message(status: string): Json {
    const content = status === "in_progress" ? [] : [{ type: "output_audio", transcript: this.transcript }];
    return { id: this.itemId, object: "realtime.item", type: "message", role: "assistant", status, content };
  }

  #itemDone(status: "completed" | "incomplete"): void {
    const item = this.#message(status);
    this.#output.push(item);
    this.send({ type: "response.output_item.done", response_id: this.id, output_index: 0, item });
  }

  #finish(status: ResponseStatus, details: Json | null): void {
    this.status = status;
    this.send({ type: "response.done", response: this.#resource(details) });
  }

  #resource(details: Json | null): Json {
    const done = this.status !== "in_progress";
    return {
      object: "realtime.response",
      id: this.id,
      status: this.status,
      status_details: details,
      output: done ? this.#output : [],
      output_modalities: ["audio"],
      metadata: null,
      usage: done ? this.#usage() : null,
    };
  }

  // Rough figures in OpenAI's shape: ~4 characters per text token, ~50 ms per audio token.
  #usage(): Json {
    const inputText = Math.ceil(this.plan.heard.length / 4);
    const outputText = Math.ceil(this.transcript.length / 4);
    const outputAudio = Math.ceil(this.audioMs / 50);
    return {
      total_tokens: inputText + outputText + outputAudio,
      input_tokens: inputText,
      output_tokens: outputText + outputAudio,
      input_token_details: { text_tokens: inputText, audio_tokens: 0, cached_tokens: 0 },
      output_token_details: { text_tokens: outputText, audio_tokens: outputAudio },
    };
  }
}
