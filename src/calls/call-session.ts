import { DurableObject } from "cloudflare:workers";
import { BYTES_PER_MS, base64ToBytes, bytesToBase64 } from "../audio/mulaw";
import type { CallStatus } from "../db/schema";
import { randomToken, sha256Hex, timingSafeEqual } from "../lib/crypto";
import { nowIso } from "../lib/ids";
import type { ModelEvent } from "../realtime/realtime-events";
import { appendAudio, cancelResponse, createResponse, functionCallOutput, truncateItem } from "../realtime/realtime-events";
import { PlaybackTracker } from "../realtime/playback";
import { callStatusFromCarrier } from "../telephony/carrier-status";
import { clearMessage, markMessage, mediaMessage, parseCarrierMessage } from "../telephony/media-stream";
import { connectStreamTwiml } from "../telephony/twiml";
import { TwilioApiError, TwilioClient } from "../telephony/twilio-client";
import { type CallPlan, type CallSnapshot, isTerminal } from "./call-plan";
import { finishNotification, saveTranscriptLine, updateCallRow } from "./call-records";
import { nextStatus } from "./call-states";
import { carrierCredentials, mediaStreamUrl, statusCallbackUrl } from "./endpoints";
import { ModelLink } from "./model-link";
import { CLOSING_GRACE_SECONDS, type DeadlineName, earliestDeadline, RING_TIMEOUT_SECONDS, type SessionState, snapshotOf } from "./session-state";
import { type SpokenLine, TranscriptTracker } from "./transcript-tracker";

const CARRIER_TAG = "carrier";
const FAREWELL_ON_TIME_LIMIT = "I'm sorry, we've reached the time limit for this call. Thank you, and goodbye!";
const FAREWELL_ON_REQUEST = "I have to end the call here. Thank you for your time, goodbye!";
/** How long the agent's goodbye may take to play before the line is hung up regardless. */
const FAREWELL_TIMEOUT_MS = 20_000;

/**
 * One object per call: the coordinator. It dials through the carrier, holds the carrier's media
 * stream and the model's socket, relays audio between them untouched, keeps track of what the
 * callee actually heard (for barge-in), saves the transcript as it is spoken, and mirrors every
 * transition to D1. It persists as it goes, and an alarm guarantees every call ends.
 */
export class CallSession extends DurableObject<Env> {
  #state: SessionState | undefined;
  #model: ModelLink | null = null;
  #modelReady = false;
  #modelReconnects = 0;
  #playback = new PlaybackTracker();
  #transcript = new TranscriptTracker();
  #streamSid: string | null = null;
  #greetingPending = false;
  #responseActive = false;
  /** The agent item whose audio is arriving now. */
  #speakingItem: string | null = null;
  /** Milliseconds of callee audio relayed so far: the call's clock. */
  #inboundMs = 0;

  // ——— RPC from the Worker ———

  async start(plan: CallPlan): Promise<CallSnapshot> {
    const existing = this.#load();
    if (existing) return snapshotOf(existing);
    const token = randomToken();
    const state: SessionState = {
      plan,
      status: "queued",
      mediaTokenHash: await sha256Hex(token),
      carrierSid: null,
      answeredBy: null,
      ringingAt: null,
      answeredAt: null,
      endedAt: null,
      endReason: null,
      transcriptSeq: 0,
      closing: null,
      deadlines: {
        watchdog: Date.now() + (RING_TIMEOUT_SECONDS + plan.maxDurationSeconds + 2 * CLOSING_GRACE_SECONDS) * 1000,
        maxDuration: null,
        hangUp: null,
      },
    };
    // Persisted before dialling: a retried start finds this and never dials twice.
    this.#save(state);
    try {
      const call = await (await this.#carrier()).createCall({
        to: plan.to,
        from: plan.from,
        twiml: connectStreamTwiml(mediaStreamUrl(this.env, plan.carrier, plan.callId), { token }),
        statusCallback: statusCallbackUrl(this.env, plan.carrier, plan.callId),
        statusCallbackEvents: ["initiated", "ringing", "answered", "completed"],
        timeoutSeconds: RING_TIMEOUT_SECONDS,
        timeLimitSeconds: plan.maxDurationSeconds + CLOSING_GRACE_SECONDS,
        machineDetection: "Enable",
        asyncAmd: true,
        asyncAmdStatusCallback: statusCallbackUrl(this.env, plan.carrier, plan.callId),
      });
      state.carrierSid = call.sid;
      this.#save(state);
      await updateCallRow(this.env, plan.callId, { carrierCallSid: call.sid });
    } catch (error) {
      const refused = error instanceof TwilioApiError;
      await this.#finish("failed", refused ? "carrier_refused" : "carrier_unreachable", {
        errorCode: refused ? String(error.code) : null,
        errorMessage: error instanceof Error ? error.message : String(error),
      });
      return snapshotOf(state);
    }
    // The model session opens while the phone rings, so the greeting can start on answer.
    this.ctx.waitUntil(this.#connectModel());
    return snapshotOf(state);
  }

  async end(reason: string): Promise<CallSnapshot> {
    const state = this.#load();
    if (!state || isTerminal(state.status)) return state ? snapshotOf(state) : { status: "failed", endReason: "unknown_call" };
    if (state.status !== "in_progress") return this.cancel();
    this.#close(reason, FAREWELL_ON_REQUEST);
    return snapshotOf(state);
  }

  async cancel(): Promise<CallSnapshot> {
    const state = this.#load();
    if (!state || isTerminal(state.status)) return state ? snapshotOf(state) : { status: "failed", endReason: "unknown_call" };
    await this.#hangUpCarrier(state.status === "in_progress" ? "hangUp" : "cancel");
    await this.#finish("canceled", "canceled");
    return snapshotOf(state);
  }

  /** A verified status callback from the carrier (the route checked its signature). */
  async carrierStatus(params: Record<string, string>): Promise<CallSnapshot | null> {
    const state = this.#load();
    if (!state) return null;
    const answeredBy = params.AnsweredBy ?? null;
    if (answeredBy) {
      state.answeredBy = answeredBy;
      this.#save(state);
      await updateCallRow(this.env, state.plan.callId, { answeredBy });
      if (/^(machine_|fax)/.test(answeredBy) && !isTerminal(state.status)) {
        await this.#hangUpCarrier("hangUp");
        await this.#finish("voicemail", "voicemail");
        return snapshotOf(state);
      }
    }
    const reported = params.CallStatus ? callStatusFromCarrier(params.CallStatus, answeredBy) : null;
    const next = reported ? nextStatus(state.status, reported) : null;
    if (!next) return snapshotOf(state);
    if (isTerminal(next)) {
      const duration = Number(params.CallDuration);
      await this.#finish(next, state.closing?.reason ?? (next === "completed" ? "callee_hung_up" : next), {
        durationSeconds: Number.isFinite(duration) && params.CallDuration ? duration : undefined,
      });
    } else {
      await this.#transition(next);
    }
    return snapshotOf(state);
  }

  // ——— the carrier's media stream ———

  override async fetch(request: Request): Promise<Response> {
    if (request.headers.get("Upgrade")?.toLowerCase() !== "websocket") return new Response("Expected a WebSocket upgrade", { status: 426 });
    const state = this.#load();
    if (!state || isTerminal(state.status)) return new Response("No such call in progress", { status: 404 });
    const [client, server] = Object.values(new WebSocketPair()) as [WebSocket, WebSocket];
    this.ctx.acceptWebSocket(server, [CARRIER_TAG]);
    return new Response(null, { status: 101, webSocket: client });
  }

  override async webSocketMessage(ws: WebSocket, data: string | ArrayBuffer): Promise<void> {
    const message = parseCarrierMessage(data);
    if ("error" in message) {
      ws.close(1003, `Unreadable media message: ${message.error}`.slice(0, 120));
      return;
    }
    const authorized = (ws.deserializeAttachment() as { streamSid?: string } | null)?.streamSid;
    switch (message.event) {
      case "connected":
        return;
      case "start":
        return this.#onStreamStart(ws, message.streamSid, message.start.customParameters?.token);
      case "media":
        if (!authorized) return ws.close(1008, "Stream not started");
        this.#inboundMs += base64ToBytes(message.media.payload).length / BYTES_PER_MS;
        this.#model?.send(appendAudio(message.media.payload));
        return;
      case "mark":
        if (!authorized) return ws.close(1008, "Stream not started");
        this.#playback.onMark(message.mark.name);
        return this.#hangUpIfFarewellPlayed();
      case "dtmf":
        return;
      case "stop":
        return this.#finish("completed", this.#load()?.closing?.reason ?? "callee_hung_up");
    }
  }

  override async webSocketClose(ws: WebSocket, code: number): Promise<void> {
    try {
      ws.close(code === 1005 ? 1000 : code, "closed");
    } catch {
      // already closed
    }
  }

  async #onStreamStart(ws: WebSocket, streamSid: string, token: string | undefined): Promise<void> {
    const state = this.#load();
    const valid = state && token && !isTerminal(state.status) && timingSafeEqual(await sha256Hex(token), state.mediaTokenHash);
    if (!valid) {
      ws.close(1008, "Invalid stream token");
      return;
    }
    // Only one stream per call: a second one (a replay) is refused.
    for (const other of this.ctx.getWebSockets(CARRIER_TAG)) {
      if (other !== ws && (other.deserializeAttachment() as { streamSid?: string } | null)?.streamSid) {
        ws.close(1008, "Stream already open");
        return;
      }
    }
    ws.serializeAttachment({ streamSid });
    this.#streamSid = streamSid;
    if (state.status !== "in_progress") await this.#transition("in_progress");
    this.#greetingPending = true;
    if (!this.#model) this.ctx.waitUntil(this.#connectModel());
    this.#greetIfReady();
  }

  #carrierSocket(): WebSocket | null {
    return this.ctx.getWebSockets(CARRIER_TAG).find((ws) => (ws.deserializeAttachment() as { streamSid?: string } | null)?.streamSid) ?? null;
  }

  #sendAgentAudio(itemId: string, audio: Uint8Array): void {
    const ws = this.#carrierSocket();
    if (!ws || !this.#streamSid) return;
    for (const frame of this.#playback.frames(itemId, audio)) {
      ws.send(mediaMessage(this.#streamSid, bytesToBase64(frame.payload)));
      ws.send(markMessage(this.#streamSid, frame.mark));
    }
  }

  // ——— the model ———

  async #connectModel(): Promise<void> {
    const state = this.#load();
    if (!state || isTerminal(state.status) || this.#model?.isOpen) return;
    try {
      this.#model = await ModelLink.open(
        this.env,
        state.plan.carrier,
        state.plan,
        (event) => this.#onModelEvent(event),
        () => this.#onModelClosed(),
      );
    } catch (error) {
      console.error(JSON.stringify({ level: "error", call_id: state.plan.callId, message: "model connection failed", error: String(error) }));
      this.#onModelClosed();
    }
  }

  #onModelClosed(): void {
    this.#model = null;
    this.#modelReady = false;
    const state = this.#load();
    if (!state || isTerminal(state.status) || state.closing) return;
    if (this.#modelReconnects < 1) {
      this.#modelReconnects++;
      this.ctx.waitUntil(this.#connectModel());
      return;
    }
    // Without a voice the call cannot go on: end it cleanly rather than leave the callee in silence.
    this.ctx.waitUntil(this.#hangUpCarrier("hangUp").then(() => this.#finish("failed", "model_unavailable")));
  }

  #greetIfReady(): void {
    if (!this.#greetingPending || !this.#modelReady || !this.#streamSid) return;
    this.#greetingPending = false;
    const greeting = this.#load()?.plan.greeting;
    this.#model?.send(createResponse(greeting ? `Say exactly: ${greeting}` : undefined));
  }

  #onModelEvent(event: ModelEvent): void {
    switch (event.type) {
      case "session.updated":
        this.#modelReady = true;
        return this.#greetIfReady();
      case "response.created":
        this.#responseActive = true;
        return;
      case "response.output_audio.delta": {
        if (!this.#playback.accepts(event.item_id)) return;
        const audio = base64ToBytes(event.delta);
        this.#speakingItem = event.item_id;
        this.#transcript.agentAudio(event.item_id, this.#inboundMs, audio.length);
        return this.#sendAgentAudio(event.item_id, audio);
      }
      case "response.output_audio_transcript.delta":
        return this.#transcript.agentText(event.item_id, event.delta, this.#inboundMs);
      case "response.output_audio_transcript.done":
        return this.#record(this.#transcript.agentDone(event.item_id, event.transcript));
      case "input_audio_buffer.speech_started":
        this.#transcript.customerStarted(event.item_id, event.audio_start_ms);
        return this.#bargeIn();
      case "input_audio_buffer.speech_stopped":
        return this.#transcript.customerStopped(event.item_id, event.audio_end_ms);
      case "conversation.item.input_audio_transcription.completed":
        return this.#record(this.#transcript.customerText(event.item_id, event.transcript, this.#inboundMs));
      case "response.function_call_arguments.done":
        if (event.name === "end_call") {
          this.#model?.send(functionCallOutput(event.call_id, JSON.stringify({ ok: true })));
          this.#close("agent_ended", null);
        }
        return;
      case "response.done":
        this.#responseActive = false;
        this.#speakingItem = null;
        for (const line of this.#transcript.unsavedAgentLines()) this.#record(line);
        return this.#hangUpIfFarewellPlayed();
      default:
        return;
    }
  }

  /** The callee talks over the agent: stop the audio they have not heard, and tell the model what they did hear. */
  #bargeIn(): void {
    const cut = this.#playback.interrupt();
    const ws = this.#carrierSocket();
    if (cut && ws && this.#streamSid) ws.send(clearMessage(this.#streamSid));
    // The buffer may have run dry while the model is still speaking: that item is cut off too.
    const itemId = cut?.itemId ?? (this.#responseActive ? this.#speakingItem : null);
    if (this.#responseActive) this.#model?.send(cancelResponse());
    if (!itemId) return;
    const heardMs = Math.floor(cut?.playedMs ?? this.#playback.playedMs(itemId));
    this.#model?.send(truncateItem(itemId, heardMs));
    this.#playback.dropItem(itemId);
    this.#transcript.agentInterrupted(itemId, heardMs);
    this.#speakingItem = null;
  }

  #record(line: SpokenLine | null): void {
    const state = this.#load();
    if (!line || !state) return;
    const seq = state.transcriptSeq++;
    this.#save(state);
    this.ctx.waitUntil(saveTranscriptLine(this.env, state.plan.callId, { seq, ...line }).catch((e) => this.#logError("transcript write failed", e)));
  }

  // ——— ending ———

  /** Ends the call politely: the farewell (if any) is spoken, then the line is hung up. */
  #close(reason: string, farewell: string | null): void {
    const state = this.#load();
    if (!state || isTerminal(state.status) || state.closing) return;
    state.closing = { reason };
    state.deadlines.hangUp = Date.now() + FAREWELL_TIMEOUT_MS;
    this.#save(state);
    this.#armAlarm(state);
    if (farewell) {
      this.#bargeIn();
      this.#model?.send(createResponse(`Say exactly: ${farewell}`));
      this.#responseActive = true;
    }
    this.#hangUpIfFarewellPlayed();
  }

  #hangUpIfFarewellPlayed(): void {
    const state = this.#load();
    if (!state?.closing || isTerminal(state.status) || this.#responseActive || this.#playback.isPlaying()) return;
    this.ctx.waitUntil(this.#hangUpCarrier("hangUp").then(() => this.#finish("completed", state.closing?.reason ?? "agent_ended")));
  }

  async #hangUpCarrier(how: "hangUp" | "cancel"): Promise<void> {
    const state = this.#load();
    for (const ws of this.ctx.getWebSockets(CARRIER_TAG)) {
      try {
        ws.close(1000, "call ended");
      } catch {
        // already closed
      }
    }
    if (!state?.carrierSid) return;
    try {
      const carrier = await this.#carrier();
      await (how === "cancel" ? carrier.cancel(state.carrierSid) : carrier.hangUp(state.carrierSid));
    } catch (error) {
      // The carrier may have ended the call already; the status callback will say so.
      this.#logError("carrier hang-up failed", error);
    }
  }

  async #transition(status: CallStatus): Promise<void> {
    const state = this.#load();
    if (!state) return;
    state.status = status;
    const at = nowIso();
    if (status === "ringing") state.ringingAt = at;
    if (status === "in_progress") {
      state.answeredAt = at;
      state.deadlines.maxDuration = Date.now() + state.plan.maxDurationSeconds * 1000;
    }
    this.#save(state);
    this.#armAlarm(state);
    await updateCallRow(this.env, state.plan.callId, { status, ringingAt: state.ringingAt, answeredAt: state.answeredAt });
  }

  async #finish(status: CallStatus, reason: string, extra: { errorCode?: string | null; errorMessage?: string | null; durationSeconds?: number } = {}): Promise<void> {
    const state = this.#load();
    if (!state || isTerminal(state.status)) return;
    state.status = status;
    state.endReason = reason;
    state.endedAt = nowIso();
    state.deadlines = { watchdog: null, maxDuration: null, hangUp: null };
    this.#save(state);
    await this.ctx.storage.deleteAlarm();
    for (const line of this.#transcript.unsavedAgentLines()) this.#record(line);
    this.#model?.close();
    this.#model = null;
    for (const ws of this.ctx.getWebSockets(CARRIER_TAG)) {
      try {
        ws.close(1000, "call ended");
      } catch {
        // already closed
      }
    }
    const answered = state.answeredAt ? Date.parse(state.answeredAt) : null;
    await updateCallRow(this.env, state.plan.callId, {
      status,
      endReason: reason,
      endedAt: state.endedAt,
      answeredBy: state.answeredBy,
      durationSeconds: extra.durationSeconds ?? (answered ? Math.round((Date.parse(state.endedAt) - answered) / 1000) : 0),
      ...(extra.errorCode !== undefined && { errorCode: extra.errorCode }),
      ...(extra.errorMessage !== undefined && { errorMessage: extra.errorMessage }),
    });
    await finishNotification(this.env, state.plan.notificationId, status, reason);
  }

  // ——— timeouts ———

  override async alarm(): Promise<void> {
    const state = this.#load();
    if (!state || isTerminal(state.status)) return;
    const due = earliestDeadline(state.deadlines);
    if (!due) return;
    state.deadlines[due.name] = null;
    this.#save(state);
    await this.#onDeadline(due.name);
    const after = this.#load();
    if (after && !isTerminal(after.status)) this.#armAlarm(after);
  }

  async #onDeadline(name: DeadlineName): Promise<void> {
    if (name === "maxDuration") return this.#close("max_duration", FAREWELL_ON_TIME_LIMIT);
    if (name === "hangUp") {
      await this.#hangUpCarrier("hangUp");
      return this.#finish("completed", this.#load()?.closing?.reason ?? "agent_ended");
    }
    // The watchdog: whatever was lost (sockets, the object's memory), the call ends here with what was saved.
    await this.#hangUpCarrier(this.#load()?.status === "in_progress" ? "hangUp" : "cancel");
    await this.#finish("failed", "watchdog");
  }

  #armAlarm(state: SessionState): void {
    const next = earliestDeadline(state.deadlines);
    if (next) this.ctx.waitUntil(this.ctx.storage.setAlarm(next.at));
  }

  // ——— plumbing ———

  async #carrier(): Promise<TwilioClient> {
    const state = this.#load();
    if (!state) throw new Error("no call");
    return new TwilioClient(await carrierCredentials(this.env, state.plan.carrier));
  }

  #load(): SessionState | undefined {
    this.#state ??= this.ctx.storage.kv.get<SessionState>("state");
    return this.#state;
  }

  #save(state: SessionState): void {
    this.#state = state;
    this.ctx.storage.kv.put("state", state);
  }

  #logError(message: string, error: unknown): void {
    console.error(JSON.stringify({ level: "error", call_id: this.#state?.plan.callId, message, error: String(error) }));
  }
}
