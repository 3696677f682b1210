import { env } from "cloudflare:test";
import { base64ToBytes, bytesToBase64, FRAME_BYTES } from "../../src/audio/mulaw";
import { emulatorOpenAiKey } from "../../src/emulators/credentials";
import { modelApp } from "../../src/emulators/model/model-app";

/** A test's side of an emulated Realtime session: the real socket, with its events recorded. */
export type ServerEvent = { type: string; event_id: string } & Record<string, any>;

export const REALTIME_URL = "https://model.emulator.parley/v1/realtime?model=gpt-realtime";

export async function realtimeRequest(headers: Record<string, string>, speed = "20"): Promise<Response> {
  return modelApp.fetch(new Request(REALTIME_URL, { headers }), { ...env, EMULATOR_SPEED: speed });
}

export async function openModelSession(speed = "20"): Promise<ModelClient> {
  const key = await emulatorOpenAiKey(env);
  const response = await realtimeRequest({ Upgrade: "websocket", Authorization: `Bearer ${key}` }, speed);
  if (response.status !== 101 || !response.webSocket) throw new Error(`expected a socket, got ${response.status}`);
  response.webSocket.accept();
  return new ModelClient(response.webSocket);
}

export class ModelClient {
  readonly events: ServerEvent[] = [];
  #cursor = 0;

  constructor(readonly socket: WebSocket) {
    socket.addEventListener("message", (message) => {
      this.events.push(JSON.parse(message.data as string));
    });
  }

  send(event: Record<string, unknown>): void {
    this.socket.send(JSON.stringify(event));
  }

  /** Appends audio the way a carrier bridge does: in 20 ms frames. */
  append(audio: Uint8Array): void {
    for (let i = 0; i < audio.length; i += FRAME_BYTES) {
      this.send({ type: "input_audio_buffer.append", audio: bytesToBase64(audio.subarray(i, i + FRAME_BYTES)) });
    }
  }

  /** The next event of this type after the previous one awaited (events in between are skipped). */
  async next(type: string, matches: (event: ServerEvent) => boolean = () => true, timeoutMs = 5000): Promise<ServerEvent> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const index = this.events.findIndex((e, i) => i >= this.#cursor && e.type === type && matches(e));
      if (index >= 0) {
        this.#cursor = index + 1;
        return this.events[index]!;
      }
      if (Date.now() > deadline) throw new Error(`no ${type} within ${timeoutMs} ms; got ${this.types().join(", ")}`);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }

  /** Waits for a response to finish and returns it with its audio and events. */
  async response(): Promise<{ done: ServerEvent; audio: Uint8Array; events: ServerEvent[] }> {
    const done = await this.next("response.done");
    const events = this.events.filter((e) => e.response_id === done.response.id || e.response?.id === done.response.id);
    const chunks = events.filter((e) => e.type === "response.output_audio.delta").map((e) => base64ToBytes(e.delta));
    const audio = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
    let offset = 0;
    for (const chunk of chunks) {
      audio.set(chunk, offset);
      offset += chunk.length;
    }
    return { done, audio, events };
  }

  types(): string[] {
    return this.events.map((e) => e.type);
  }

  async observations() {
    const created = this.events.find((e) => e.type === "session.created")!;
    const id = env.MODEL_SESSION.idFromString(String(created.session.id).replace(/^sess_/, ""));
    return env.MODEL_SESSION.get(id).observations();
  }
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export const END_CALL_TOOL = {
  type: "function",
  name: "end_call",
  description: "Hang up once the conversation is over.",
  parameters: { type: "object", properties: { reason: { type: "string" } } },
};

/** The session a call engine sets up: pcmu both ways, server VAD, transcripts, end_call. */
export const CALL_SESSION = {
  type: "realtime",
  instructions: "You remind patients of appointments.",
  audio: {
    input: {
      format: { type: "audio/pcmu" },
      transcription: { model: "gpt-4o-mini-transcribe" },
      turn_detection: { type: "server_vad", silence_duration_ms: 500, prefix_padding_ms: 300, create_response: true, interrupt_response: true },
    },
    output: { format: { type: "audio/pcmu" }, voice: "marin" },
  },
  tools: [END_CALL_TOOL],
};

export async function configure(client: ModelClient, session: Record<string, unknown> = CALL_SESSION): Promise<ServerEvent> {
  client.send({ type: "session.update", session });
  return client.next("session.updated");
}
