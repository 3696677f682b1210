import { BYTES_PER_MS } from "../../audio/mulaw";
import { hear } from "../in-band-speech";
import { audioOf, itemOf, parseClientEvent, Refusal, refuse, sessionOf, truncationOf } from "./client-events";
import { CLOSING_TOOLS, greeting, PARDON, replyTo, sayExactly, silencePrompt } from "./replies";
import { type ResponsePlan, type ResponseStatus, type Send, SpokenResponse } from "./speaker";
import { CommitBuffer, VoiceActivity } from "./voice-activity";
import { isObject, type Json, mergeSession, offersTool, realtimeId, turnDetection } from "./wire";

/** What the emulated model saw of its client, for tests and the benchmark to assert on. */
export interface ModelObservations {
  /** Every client event type received, in order (a run of `input_audio_buffer.append` once). */
  events: string[];
  truncates: { item_id: string; audio_end_ms: number }[];
  cancels: { response_id: string | null; active: boolean }[];
  /** The session as last configured (typed so it can cross RPC). */
  session: Record<string, object | string | number | boolean | null>;
  agentItems: { item_id: string; response_id: string; audio_ms: number; transcript: string; status: ResponseStatus }[];
  /** The callee's words, as transcribed. */
  heard: string[];
}

/** How long the callee may stay silent after the agent spoke before the agent checks in. */
export const QUIET_MS = 8000;

/**
 * The emulated model's side of one Realtime session: it validates client events, listens with
 * server VAD, decides when and what to answer, and never lets a bad event end the session.
 */
export class Conversation {
  readonly #vad = new VoiceActivity();
  readonly #commitBuffer = new CommitBuffer(); // only when the client does its own turn detection
  #turnItem = realtimeId("item");
  #active: SpokenResponse | null = null;
  readonly #items = new Map<string, SpokenResponse>();
  #greeted = false;
  #unanswered: string | null = null;
  #wrappedUp = false;
  #quietSince: number | null = null;
  #silencePrompts = 0;
  readonly #seen: Omit<ModelObservations, "session" | "agentItems"> = { events: [], truncates: [], cancels: [], heard: [] };

  constructor(
    private session: Json,
    private readonly speed: number,
    private readonly send: Send,
    private readonly persist: (session: Json) => void,
  ) {}

  receive(message: string | ArrayBuffer): void {
    let clientEventId: unknown = null;
    try {
      const event = parseClientEvent(message);
      clientEventId = event.event_id;
      // Audio comes 50 times a second for as long as the call lasts: a run of appends is noted once, so this log stays small.
      if (event.type !== "input_audio_buffer.append" || this.#seen.events.at(-1) !== event.type) this.#seen.events.push(event.type);
      const handler = this.#handlers[event.type];
      if (!handler) {
        const supported = Object.keys(this.#handlers).join(", ");
        refuse("invalid_value", `Invalid value: '${event.type}'. Supported values are: ${supported}.`, "type");
      }
      handler(event);
    } catch (error) {
      if (!(error instanceof Refusal)) throw error;
      this.send(error.toEvent(clientEventId));
    }
  }

  /** The socket is gone: stop talking. */
  close(): void {
    this.#active?.cancel("client_cancelled");
  }

  observations(): ModelObservations {
    const agentItems = [...this.#items.values()].map((r) => ({
      item_id: r.itemId,
      response_id: r.id,
      audio_ms: r.audioMs,
      transcript: r.transcript,
      status: r.status,
    }));
    return { ...structuredClone(this.#seen), session: structuredClone(this.session) as ModelObservations["session"], agentItems };
  }

  readonly #handlers: Record<string, (event: Json) => void> = {
    "session.update": (e) => {
      this.session = mergeSession(this.session, sessionOf(e));
      this.persist(this.session);
      this.send({ type: "session.updated", session: this.session });
    },
    "input_audio_buffer.append": (e) => this.#listen(audioOf(e)),
    "input_audio_buffer.commit": () => {
      const utterance = turnDetection(this.session) ? this.#vad.flush() : this.#commitBuffer.take();
      if (!utterance || utterance.length < 100 * BYTES_PER_MS) {
        refuse("input_audio_buffer_commit_empty", "Error committing input audio buffer: expected at least 100ms of audio.");
      }
      this.#commit(utterance, false);
    },
    "input_audio_buffer.clear": () => {
      this.#vad.clear();
      this.#commitBuffer.clear();
      this.send({ type: "input_audio_buffer.cleared" });
    },
    "conversation.item.create": (e) => {
      const { item, userText } = itemOf(e);
      if (userText) this.#unanswered = userText;
      this.send({ type: "conversation.item.added", previous_item_id: null, item });
      this.send({ type: "conversation.item.done", previous_item_id: null, item });
    },
    "conversation.item.truncate": (e) => {
      const { itemId, audioEndMs } = truncationOf(e);
      this.#seen.truncates.push({ item_id: itemId, audio_end_ms: audioEndMs });
      const item = this.#items.get(itemId);
      if (!item) refuse("item_truncate_invalid_item_id", `No assistant item with id '${itemId}' to truncate.`, "item_id");
      if (audioEndMs > item.audioMs) {
        refuse("invalid_value", `Audio content of ${item.audioMs}ms is already shorter than ${audioEndMs}ms.`, "audio_end_ms");
      }
      this.send({ type: "conversation.item.truncated", item_id: itemId, content_index: 0, audio_end_ms: audioEndMs });
    },
    "response.create": (e) => {
      if (this.#busy) {
        const id = this.#active?.id;
        refuse("conversation_already_has_active_response", `Conversation already has an active response in progress: ${id}.`);
      }
      if (e.response !== undefined && !isObject(e.response)) refuse("invalid_type", "Invalid 'response': expected an object.", "response");
      this.#respond(this.#planFor(isObject(e.response) ? e.response.instructions : undefined));
    },
    "response.cancel": (e) => {
      const requested = typeof e.response_id === "string" ? e.response_id : null;
      const active = this.#busy && (requested === null || requested === this.#active?.id) ? this.#active : null;
      this.#seen.cancels.push({ response_id: requested, active: active !== null });
      if (!active) refuse("response_cancel_not_active", "Cancellation failed: no active response found.");
      active.cancel("client_cancelled");
    },
  };

  get #busy(): boolean {
    return this.#active?.status === "in_progress";
  }

  #listen(audio: Uint8Array): void {
    const detection = turnDetection(this.session);
    if (!detection) {
      this.#commitBuffer.push(audio);
      return;
    }
    for (const voice of this.#vad.push(audio, detection.silenceMs)) {
      if (voice.type === "started") {
        this.#quietSince = null;
        this.#silencePrompts = 0;
        const audioStartMs = Math.max(0, voice.speechStartMs - detection.prefixPaddingMs);
        this.send({ type: "input_audio_buffer.speech_started", audio_start_ms: audioStartMs, item_id: this.#turnItem });
        // What OpenAI does with interrupt_response: the callee talking over the agent ends its turn.
        if (this.#busy && detection.interruptResponse) this.#active?.cancel("turn_detected");
      } else {
        this.send({ type: "input_audio_buffer.speech_stopped", audio_end_ms: voice.audioEndMs, item_id: this.#turnItem });
        this.#commit(voice.utterance, detection.createResponse);
      }
    }
    const silentFor = this.#quietSince === null ? 0 : this.#vad.nowMs - this.#quietSince;
    if (detection.createResponse && silentFor >= QUIET_MS && !this.#busy && !this.#vad.speaking && !this.#wrappedUp) {
      this.#respond({ ...silencePrompt(this.#silencePrompts++), heard: "" });
    }
  }

  /** The callee's turn becomes a user item, transcribed when the session asked for transcripts. */
  #commit(utterance: Uint8Array, respond: boolean): void {
    const itemId = this.#turnItem;
    const words = hear(utterance);
    this.#turnItem = realtimeId("item");
    this.#seen.heard.push(words);
    this.send({ type: "input_audio_buffer.committed", previous_item_id: null, item_id: itemId });
    const content = [{ type: "input_audio", transcript: null }];
    const item = { id: itemId, object: "realtime.item", type: "message", role: "user", status: "completed", content };
    this.send({ type: "conversation.item.added", previous_item_id: null, item });
    const input = isObject(this.session.audio) && isObject(this.session.audio.input) ? this.session.audio.input : {};
    if (isObject(input.transcription)) {
      this.send({ type: "conversation.item.input_audio_transcription.completed", item_id: itemId, content_index: 0, transcript: words });
    }
    this.#unanswered = words;
    if (respond && !this.#busy && !this.#wrappedUp) this.#respond(this.#planFor(undefined));
  }

  /** What the next response says: an exact line when told, else the script's next step. */
  #planFor(instructions: unknown): ResponsePlan {
    const exact = sayExactly(instructions);
    if (exact) return { text: exact, endCallReason: null, heard: "" };
    if (this.#wrappedUp) return { text: null, endCallReason: null, heard: "" };
    const words = this.#unanswered;
    this.#unanswered = null;
    const reply = words === null ? null : replyTo(words, (tool) => offersTool(this.session, tool));
    // A callee who speaks first ("Hello?") gets the greeting, not a request to repeat.
    if (!this.#greeted && reply?.endCallReason == null && !reply?.tool) return { ...greeting(this.session.instructions), heard: words ?? "" };
    return { ...(reply ?? { text: PARDON, endCallReason: null }), heard: words ?? "" };
  }

  #respond(plan: ResponsePlan): void {
    const endCallReason = offersTool(this.session, "end_call") ? plan.endCallReason : null;
    // Past a phone menu a person picks up, who has not heard the greeting yet.
    if (plan.tool?.name === "press_digits") this.#greeted = false;
    const response = new SpokenResponse(this.send, { ...plan, endCallReason }, this.speed);
    this.#active = response;
    this.#quietSince = null;
    if (response.saysSomething) {
      this.#items.set(response.itemId, response);
      this.#greeted = true;
    }
    void response.play().then((status) => {
      if (status !== "completed") return;
      if (plan.endCallReason !== null || (plan.tool && CLOSING_TOOLS.has(plan.tool.name))) this.#wrappedUp = true;
      else if (response.saysSomething && this.#active === response) this.#quietSince = this.#vad.nowMs;
    });
  }
}
