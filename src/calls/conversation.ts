import { BYTES_PER_MS, bytesToBase64, FRAME_BYTES } from "../audio/mulaw";
import { decodeBase64 } from "../lib/base64";
import { PlaybackTracker } from "../realtime/playback";
import type { ModelEvent } from "../realtime/realtime-events";
import { appendAudioMessage, cancelResponse, createResponse, functionCallOutput, truncateItem, userText } from "../realtime/realtime-events";
import { keypadAudio } from "../audio/dtmf";
import { type AgentAction, readToolCall } from "./agent-tools";
import { clearMessage, markMessage, mediaMessage } from "../telephony/media-stream";
import type { CallPlan } from "./call-plan";
import type { Carrier } from "./endpoints";
import { ModelLink } from "./model-link";
import { type SpokenLine, TranscriptTracker } from "./transcript-tracker";

/** What the conversation needs from the call around it. */
export interface ConversationHost {
  /** The carrier's media socket and stream, once the callee has answered. */
  carrierStream(): { socket: WebSocket; streamSid: string } | null;
  record(line: SpokenLine): void;
  /** The agent called one of its tools (end the call, opt the callee out, transfer, press keys). */
  agentAction(action: AgentAction): void;
  /** The model is gone for good (one reconnect was already tried). */
  modelLost(): void;
  /** Nothing is playing and no response is being spoken: a good moment to hang up. */
  quiet(): void;
  /** Agent audio the callee really heard, in the order it played, and when on the carrier's clock (for the recording). */
  played(audio: Uint8Array, atMs: number): void;
  waitUntil(promise: Promise<unknown>): void;
}

/**
 * The live conversation of one call: the model's socket, the relay of audio both ways, barge-in
 * and the transcript. Audio passes through untouched (mu-law both ways); the only work on the
 * hot path is cutting the agent's audio into frames so every 20 ms carries a mark that tells,
 * when it comes back, how much the callee has really heard.
 */
export class Conversation {
  #model: ModelLink | null = null;
  #connecting: Promise<void> | null = null;
  #modelReady = false;
  #reconnects = 0;
  #playback = new PlaybackTracker((audio, atMs) => this.host.played(audio, atMs));
  #transcript = new TranscriptTracker();
  #greetingPending = false;
  #responseActive = false;
  /**
   * Responses asked for with response.create that the model has not started yet. Until it does,
   * the conversation is not quiet: the response.done of one cancelled to make room for them
   * (a farewell said over the greeting) must not let the call hang up before they are spoken.
   */
  #requested = 0;
  #speakingItem: string | null = null;
  #inboundMs = 0;
  #over = false;

  constructor(
    private readonly env: Env,
    private readonly carrier: Carrier,
    private readonly plan: CallPlan,
    private readonly host: ConversationHost,
  ) {}

  /** Opens the model's session (while the phone rings, so the greeting is ready on answer). */
  connect(): Promise<void> {
    // One connection at a time: the answer can come while the first is still opening.
    this.#connecting ??= this.#open().finally(() => {
      this.#connecting = null;
    });
    return this.#connecting;
  }

  async #open(): Promise<void> {
    if (this.#over || this.#model?.isOpen) return;
    try {
      this.#model = await ModelLink.open(this.env, this.carrier, this.plan, (event) => this.#onModelEvent(event), () => this.#onModelClosed());
      if (this.#over) this.#model.close();
    } catch (error) {
      console.error(JSON.stringify({ level: "error", call_id: this.plan.callId, message: "model connection failed", error: String(error) }));
      this.#onModelClosed();
    }
  }

  /** The callee answered and the stream is open: the agent speaks first. */
  answered(): void {
    this.#greetingPending = true;
    if (!this.#model) this.host.waitUntil(this.connect());
    this.#greetIfReady();
  }

  /** `timestamp` is the carrier's clock (ms since the stream began), which paces playback too. */
  calleeAudio(payload: string, timestamp: number): void {
    this.#playback.clock(timestamp);
    const padding = payload.endsWith("==") ? 2 : payload.endsWith("=") ? 1 : 0;
    this.#inboundMs += ((payload.length * 3) / 4 - padding) / BYTES_PER_MS;
    // The carrier's payload was checked as base64 when its frame was read.
    this.#model?.send(appendAudioMessage(payload));
  }

  audioPlayed(mark: string): void {
    const settled = this.#playback.onMark(mark);
    if (settled) this.#truncate(settled.itemId, settled.playedMs);
    this.#checkQuiet();
  }

  /** Ms of the callee's audio so far: the call's clock for transcript lines. */
  get nowMs(): number {
    return this.#inboundMs;
  }

  /** The callee pressed a key: the model is told (it answers once it is not speaking). */
  keyPressed(text: string): void {
    this.#model?.send(userText(text));
    if (!this.#responseActive && this.#requested === 0) this.#requestResponse(undefined);
  }

  #onToolCall(callId: string, name: string, rawArguments: string): void {
    const { action, output } = readToolCall(name, rawArguments, this.plan);
    this.#model?.send(functionCallOutput(callId, output));
    if (action.kind === "press_digits") this.#pressKeys(action.digits);
    // A refusal's output explains it; the model answers the callee with that in mind.
    if (action.kind === "refused") this.#requestResponse(undefined);
    this.host.agentAction(action);
  }

  /** Key tones go straight onto the line after whatever the agent said before them. */
  #pressKeys(digits: string): void {
    const stream = this.host.carrierStream();
    if (!stream) return;
    const tones = keypadAudio(digits);
    for (let offset = 0; offset < tones.length; offset += FRAME_BYTES) {
      stream.socket.send(mediaMessage(stream.streamSid, bytesToBase64(tones.subarray(offset, offset + FRAME_BYTES))));
    }
  }

  /** Says `text` now, cutting off whatever the agent was saying. */
  say(text: string): void {
    const starting = !this.#responseActive && this.#requested > 0;
    this.#bargeIn();
    // A response asked for but not started yet (the greeting) would make the model refuse this
    // one; the model starts it before this cancel arrives, so the cancel stops it.
    if (starting) this.#model?.send(cancelResponse());
    this.#requestResponse(`Say exactly: ${text}`);
  }

  get isQuiet(): boolean {
    return !this.#responseActive && this.#requested === 0 && !this.#playback.isPlaying();
  }

  /** Ends the conversation: saves what was said and closes the model's socket. */
  finish(): void {
    this.#over = true;
    for (const line of this.#transcript.flush()) this.host.record(line);
    this.#model?.close();
    this.#model = null;
  }

  #onModelClosed(): void {
    // Whatever the model had said is all it will say: its end must still be confirmed as played.
    this.#endOfAudio();
    this.#model = null;
    this.#modelReady = false;
    this.#requested = 0; // a new session knows nothing of what the old one was asked
    if (this.#over) return;
    if (this.#reconnects < 1) {
      this.#reconnects++;
      this.host.waitUntil(this.connect());
    } else {
      this.host.modelLost();
    }
  }

  #greetIfReady(): void {
    if (!this.#greetingPending || !this.#modelReady || !this.host.carrierStream()) return;
    this.#greetingPending = false;
    this.#requestResponse(this.plan.greeting ? `Say exactly: ${this.plan.greeting}` : undefined);
  }

  #requestResponse(instructions: string | undefined): void {
    if (!this.#model) return;
    this.#model.send(createResponse(instructions));
    this.#requested++;
  }

  #onModelEvent(event: ModelEvent): void {
    switch (event.type) {
      case "session.updated":
        this.#modelReady = true;
        this.#greetIfReady();
        break;
      case "error":
        // A response.create the model refused will never be created.
        if (event.error.code === "conversation_already_has_active_response") {
          this.#requested = Math.max(0, this.#requested - 1);
          this.#checkQuiet();
        }
        break;
      case "response.created":
        this.#requested = Math.max(0, this.#requested - 1);
        this.#responseActive = true;
        break;
      case "response.output_audio.delta":
        this.#agentAudio(event.item_id, event.delta);
        break;
      case "response.output_audio.done":
        this.#endOfAudio();
        break;
      case "response.output_audio_transcript.delta":
        this.#transcript.agentText(event.item_id, event.delta, this.#inboundMs);
        break;
      case "response.output_audio_transcript.done":
        this.#record(this.#transcript.agentDone(event.item_id, event.transcript));
        break;
      case "input_audio_buffer.speech_started":
        this.#transcript.customerStarted(event.item_id, event.audio_start_ms);
        this.#bargeIn();
        break;
      case "input_audio_buffer.speech_stopped":
        this.#transcript.customerStopped(event.item_id, event.audio_end_ms);
        break;
      case "conversation.item.input_audio_transcription.completed":
        this.#record(this.#transcript.customerText(event.item_id, event.transcript, this.#inboundMs));
        break;
      case "response.function_call_arguments.done":
        this.#onToolCall(event.call_id, event.name, event.arguments);
        break;
      case "response.done":
        this.#endOfAudio();
        this.#responseActive = false;
        this.#speakingItem = null;
        for (const line of this.#transcript.unsavedAgentLines()) this.host.record(line);
        this.#checkQuiet();
        break;
    }
  }

  #agentAudio(itemId: string, delta: string): void {
    const stream = this.host.carrierStream();
    if (!stream || !this.#playback.accepts(itemId)) return;
    const audio = decodeBase64(delta);
    // Audio that is not base64 is not audio: nothing of it can be played.
    if (!audio) return;
    this.#speakingItem = itemId;
    this.#transcript.agentAudio(itemId, this.#inboundMs, audio.length);
    const frames = this.#playback.frames(itemId, audio, true);
    // A delta of one frame or less goes out as it came: no need to encode the same bytes again.
    const asIs = frames.length === 1 && audio.length <= FRAME_BYTES;
    for (const frame of frames) {
      stream.socket.send(mediaMessage(stream.streamSid, asIs ? delta : bytesToBase64(frame.payload)));
      if (frame.mark) stream.socket.send(markMessage(stream.streamSid, frame.mark));
    }
  }

  /** The agent's audio stopped for now: the last frame sent gets a mark if it had none (see PlaybackTracker). */
  #endOfAudio(): void {
    const mark = this.#playback.endOfAudio();
    const stream = this.host.carrierStream();
    if (mark && stream) stream.socket.send(markMessage(stream.streamSid, mark));
  }

  /**
   * The callee talks over the agent: the carrier's buffer is cleared and the response cancelled at
   * once; the item is truncated at what the callee really heard once the carrier confirms where the
   * `clear` caught it (the sentinel mark's echo, see PlaybackTracker).
   */
  #bargeIn(): void {
    const cut = this.#playback.interrupt();
    const stream = this.host.carrierStream();
    if (cut && stream) {
      stream.socket.send(clearMessage(stream.streamSid));
      stream.socket.send(markMessage(stream.streamSid, cut.sentinel));
    }
    if (cut) this.#transcript.agentInterrupted(cut.itemId);
    if (this.#responseActive) this.#model?.send(cancelResponse());
    // The buffer may have run dry while the model was still speaking: all it sent was heard.
    const starved = !cut && this.#responseActive ? this.#speakingItem : null;
    if (starved) {
      this.#playback.dropItem(starved);
      this.#truncate(starved, this.#playback.playedMs(starved));
    }
    this.#speakingItem = null;
  }

  #truncate(itemId: string, heardMs: number): void {
    this.#model?.send(truncateItem(itemId, Math.floor(heardMs)));
    this.#record(this.#transcript.agentHeard(itemId, heardMs));
  }

  #record(line: SpokenLine | null): void {
    if (line) this.host.record(line);
  }

  #checkQuiet(): void {
    if (this.isQuiet) this.host.quiet();
  }
}
