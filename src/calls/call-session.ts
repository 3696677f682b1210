import { DurableObject } from "cloudflare:workers";
import { createDb } from "../db/client";
import type { CallStatus } from "../db/schema";
import { emitEvent } from "../delivery/events";
import { randomToken, sha256Hex, timingSafeEqual } from "../lib/crypto";
import { nowIso } from "../lib/ids";
import { callStatusFromCarrier } from "../telephony/carrier-status";
import { parseCarrierMessage } from "../telephony/media-stream";
import { connectStreamTwiml, dialTwiml } from "../telephony/twiml";
import { TwilioApiError, TwilioClient } from "../telephony/twilio-client";
import { type CallPlan, type CallSnapshot, isTerminal } from "./call-plan";
import { finishNotification, saveTranscriptLine, updateCallRow } from "./call-records";
import type { AgentAction } from "./agent-tools";
import { CallRecording } from "./call-recording";
import { keyPress } from "./keypad";
import { addToDoNotCallList } from "../domain/policy";
import { CARRIER_TAG, carrierStream, closeCarrierSockets, markStreamStarted, streamStarted } from "./carrier-sockets";
import { nextStatus } from "./call-states";
import { Conversation } from "./conversation";
import { acceptListener, broadcastLine, broadcastStatus, isListener, listenerCallId, listenerMessage, storedCallStatus } from "./listeners";
import { carrierCredentials, mediaStreamUrl, statusCallbackUrl } from "./endpoints";
import { CLOSING_GRACE_SECONDS, type DeadlineName, earliestDeadline, RING_TIMEOUT_SECONDS, type SessionState, snapshotOf } from "./session-state";
import type { SpokenLine } from "./transcript-tracker";

const FAREWELL_ON_TIME_LIMIT = "I'm sorry, we've reached the time limit for this call. Thank you, and goodbye!";
const FAREWELL_ON_REQUEST = "I have to end the call here. Thank you for your time, goodbye!";
const KEYPAD_OPT_OUT_FAREWELL = "Understood. We won't call this number again. Goodbye!";
const KEYPAD_TRANSFER_LINE = "One moment, I'll put you through to someone now.";
/** A transferred call is the carrier's; this only catches one whose end was never reported. */
const TRANSFERRED_WATCHDOG_MS = 4 * 3_600_000;
/** How long the agent's goodbye may take to play before the line is hung up regardless. */
const FAREWELL_TIMEOUT_MS = 20_000;

/**
 * One object per call: the coordinator. It dials through the carrier, accepts the carrier's media
 * stream, runs the call's Conversation with the model, and owns the call's life: its status
 * (mirrored to D1 at every transition), how it ends, and the alarm that guarantees it does end.
 * Everything it must not forget is persisted as it goes.
 */
export class CallSession extends DurableObject<Env> {
  #state: SessionState | undefined;
  #conversation: Conversation | null = null;
  #recording: CallRecording | null = null;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    // Listeners' keepalives are answered without waking the object.
    ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair('{"type":"ping"}', '{"type":"pong"}'));
  }

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
    // Persisted before dialling: a retried start finds it and never dials twice.
    this.#save(state);
    this.#armAlarm(state);
    try {
      const statusCallback = statusCallbackUrl(this.env, plan.carrier, plan.callId);
      const call = await (await this.#carrier()).createCall({
        to: plan.to,
        from: plan.from,
        twiml: connectStreamTwiml(mediaStreamUrl(this.env, plan.carrier, plan.callId), { token }),
        statusCallback,
        statusCallbackEvents: ["initiated", "ringing", "answered", "completed"],
        timeoutSeconds: RING_TIMEOUT_SECONDS,
        timeLimitSeconds: plan.maxDurationSeconds + CLOSING_GRACE_SECONDS,
        machineDetection: "Enable",
        asyncAmd: true,
        asyncAmdStatusCallback: statusCallback,
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
    this.ctx.waitUntil(this.#conversationFor(state).connect());
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

  /** A status callback whose signature the route verified. Repeats and stale ones change nothing. */
  async carrierStatus(params: Record<string, string>): Promise<CallSnapshot | null> {
    const state = this.#load();
    if (!state) return null;
    const answeredBy = params.AnsweredBy || null;
    if (answeredBy && answeredBy !== state.answeredBy) {
      state.answeredBy = answeredBy;
      this.#save(state);
      await updateCallRow(this.env, state.plan.callId, { answeredBy });
      if (/^(machine_|fax)/.test(answeredBy) && !isTerminal(state.status)) {
        // After the beep (AMD's machine_end_beep) the agent's voicemail message is left, if it has one.
        if (state.plan.voicemailMessage && this.#conversation && answeredBy !== "fax") {
          this.#close("voicemail_left", state.plan.voicemailMessage, { status: "voicemail" });
          return snapshotOf(state);
        }
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
        durationSeconds: params.CallDuration && Number.isFinite(duration) ? duration : undefined,
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
    const listening = listenerCallId(request);
    if (listening) return acceptListener(this.ctx, listening, state?.status ?? (await storedCallStatus(this.env, listening)));
    if (!state || isTerminal(state.status)) return new Response("No such call in progress", { status: 404 });
    const [client, server] = Object.values(new WebSocketPair()) as [WebSocket, WebSocket];
    this.ctx.acceptWebSocket(server, [CARRIER_TAG]);
    return new Response(null, { status: 101, webSocket: client });
  }

  override async webSocketMessage(ws: WebSocket, data: string | ArrayBuffer): Promise<void> {
    if (isListener(this.ctx, ws)) return listenerMessage(ws, data);
    const message = parseCarrierMessage(data);
    if ("error" in message) {
      ws.close(1003, `Unreadable media message: ${message.error}`.slice(0, 120));
      return;
    }
    if (message.event === "connected") return;
    if (message.event === "start") {
      await this.#onStreamStart(ws, message.streamSid, message.start.customParameters?.token);
      return;
    }
    // Nothing but `connected` and `start` is heard from a stream that has not proven its token.
    if (!streamStarted(ws)) {
      ws.close(1008, "Stream not started");
      return;
    }
    if (message.event === "media") {
      const timestamp = Number(message.media.timestamp);
      this.#conversation?.calleeAudio(message.media.payload, timestamp);
      this.#recording?.callee(message.media.payload, timestamp);
    } else if (message.event === "mark") this.#conversation?.audioPlayed(message.mark.name);
    else if (message.event === "dtmf") this.#keyPressed(message.dtmf.digit);
    // A transfer ends the stream, not the call: the carrier's final status callback ends it.
    else if (message.event === "stop" && !this.#load()?.transferredTo) await this.#finish("completed", this.#load()?.closing?.reason ?? "callee_hung_up");
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
    // Only one stream per call: a second one (a replay of the token) is refused too.
    if (!valid || carrierStream(this.ctx)) {
      ws.close(1008, valid ? "Stream already open" : "Invalid stream token");
      return;
    }
    markStreamStarted(ws, streamSid);
    this.#recording = CallRecording.begin(this.ctx, this.env, state.plan);
    if (state.status !== "in_progress") await this.#transition("in_progress");
    this.#conversationFor(state).answered();
  }

  #conversationFor(state: SessionState): Conversation {
    this.#conversation ??= new Conversation(this.env, state.plan.carrier, state.plan, {
      carrierStream: () => carrierStream(this.ctx),
      record: (line) => this.#record(line),
      agentAction: (action) => this.#onAgentAction(action),
      modelLost: () => this.ctx.waitUntil(this.#hangUpCarrier("hangUp").then(() => this.#finish("failed", "model_unavailable"))),
      quiet: () => this.#hangUpIfFarewellPlayed(),
      played: (audio) => this.#recording?.agent(audio),
      waitUntil: (promise) => this.ctx.waitUntil(promise),
    });
    return this.#conversation;
  }

  #record(line: SpokenLine): void {
    const state = this.#load();
    if (!state) return;
    const seq = state.transcriptSeq++;
    this.#save(state);
    broadcastLine(this.ctx, { seq, ...line });
    this.ctx.waitUntil(saveTranscriptLine(this.env, state.plan.callId, { seq, ...line }).catch((e) => this.#logError("transcript write failed", e)));
  }

  // ——— ending ———

  /** Ends the call politely: the farewell (if any) is spoken, then the line is hung up (or put through). */
  #close(reason: string, farewell: string | null, how: { then?: "hang_up" | "transfer"; status?: CallStatus } = {}): void {
    const state = this.#load();
    if (!state || isTerminal(state.status) || state.closing) return;
    state.closing = { reason, ...how };
    state.deadlines.hangUp = Date.now() + FAREWELL_TIMEOUT_MS;
    this.#save(state);
    this.#armAlarm(state);
    if (farewell) this.#conversation?.say(farewell);
    this.#hangUpIfFarewellPlayed();
  }

  #hangUpIfFarewellPlayed(): void {
    const state = this.#load();
    if (!state?.closing || isTerminal(state.status) || state.transferredTo || this.#conversation?.isQuiet === false) return;
    const { reason, then, status } = state.closing;
    if (then === "transfer") this.ctx.waitUntil(this.#putThrough());
    else this.ctx.waitUntil(this.#hangUpCarrier("hangUp").then(() => this.#finish(status ?? "completed", reason)));
  }

  // ——— what the agent and the callee ask for ———

  #onAgentAction(action: AgentAction): void {
    if (action.kind === "end_call") this.#close("agent_ended", null);
    // The agent has just said its acknowledgement: it is heard out, then the call ends or moves on.
    else if (action.kind === "opt_out") this.#optOut(action.reason ?? "The callee asked not to be called again.", null);
    else if (action.kind === "transfer") this.#close("transferred", null, { then: "transfer" });
  }

  #keyPressed(digit: string): void {
    const state = this.#load();
    if (!state || isTerminal(state.status) || state.closing || !this.#conversation) return;
    const press = keyPress(state.plan.dtmfRules, digit);
    const at = this.#conversation.nowMs;
    this.#record({ speaker: "customer", text: `(pressed ${digit})`, startMs: at, endMs: at, interrupted: false });
    if (press.action === "opt_out") this.#optOut(`The callee pressed ${digit} to opt out.`, KEYPAD_OPT_OUT_FAREWELL);
    else if (press.action === "transfer" && state.plan.transferNumber) this.#close("transferred", KEYPAD_TRANSFER_LINE, { then: "transfer" });
    else this.#conversation.keyPressed(press.text);
  }

  /** The number joins the project's do-not-call list now (not at the end of the call), then the call ends. */
  #optOut(reason: string, farewell: string | null): void {
    const state = this.#load();
    if (!state) return;
    const { projectId, to, callId } = state.plan;
    this.ctx.waitUntil(
      addToDoNotCallList(createDb(this.env.DB), projectId, to, { reason, source: "call", callId }).catch((e) => this.#logError("do-not-call listing failed", e)),
    );
    this.#close("callee_opted_out", farewell);
  }

  /** Hands the callee to the transfer number: the carrier dials it and bridges them; Parley steps out. */
  async #putThrough(): Promise<void> {
    const state = this.#load();
    const number = state?.plan.transferNumber;
    if (!state || !number || state.transferredTo || isTerminal(state.status) || !state.carrierSid) return;
    state.transferredTo = number;
    // The carrier ends the call when either side hangs up; only the watchdog still stands, and far off.
    state.deadlines = { watchdog: Date.now() + TRANSFERRED_WATCHDOG_MS, maxDuration: null, hangUp: null };
    this.#save(state);
    this.#armAlarm(state);
    const at = this.#conversation?.nowMs ?? 0;
    this.#record({ speaker: "agent", text: `(transferred the call to ${number})`, startMs: at, endMs: at, interrupted: false });
    this.#conversation?.finish();
    try {
      await (await this.#carrier()).updateTwiml(state.carrierSid, dialTwiml(number));
      await updateCallRow(this.env, state.plan.callId, { transferredTo: number });
    } catch (error) {
      this.#logError("transfer failed", error);
      state.transferredTo = null;
      this.#save(state);
      await this.#hangUpCarrier("hangUp");
      await this.#finish("completed", "transfer_failed");
    }
  }

  async #hangUpCarrier(how: "hangUp" | "cancel"): Promise<void> {
    closeCarrierSockets(this.ctx);
    const state = this.#load();
    if (!state?.carrierSid) return;
    try {
      const carrier = await this.#carrier();
      await (how === "cancel" ? carrier.cancel(state.carrierSid) : carrier.hangUp(state.carrierSid));
    } catch (error) {
      // The carrier may have ended the call already; its status callback says so.
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
    broadcastStatus(this.ctx, status);
    await updateCallRow(this.env, state.plan.callId, { status, ringingAt: state.ringingAt, answeredAt: state.answeredAt });
    if (status === "in_progress") {
      const { projectId, callId, notificationId } = state.plan;
      this.ctx.waitUntil(
        emitEvent(this.env, createDb(this.env.DB), { projectId, type: "call.started", callId, notificationId, data: { call_id: callId, status } }).catch((e) =>
          this.#logError("call.started event failed", e),
        ),
      );
    }
  }

  async #finish(finalStatus: CallStatus, finalReason: string, extra: { errorCode?: string | null; errorMessage?: string | null; durationSeconds?: number } = {}) {
    const state = this.#load();
    if (!state || isTerminal(state.status)) return;
    // Once put through, the call ends as transferred, whoever hangs up.
    const transferred = Boolean(state.transferredTo) && finalStatus === "completed";
    const status: CallStatus = transferred ? "transferred" : finalStatus;
    const reason = transferred ? "transferred" : finalReason;
    state.status = status;
    state.endReason = reason;
    state.endedAt = nowIso();
    state.deadlines = { watchdog: null, maxDuration: null, hangUp: null };
    this.#save(state);
    await this.ctx.storage.deleteAlarm();
    this.#conversation?.finish();
    closeCarrierSockets(this.ctx);
    broadcastStatus(this.ctx, status);
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
    // The recording is complete (or known lost) before the call's results are worked out.
    await (this.#recording ? this.#recording.finish() : CallRecording.abandon(this.ctx, this.env, state.plan.callId));
    // Results and webhooks are worked out on a queue, never inside the call.
    await this.env.POST_CALL_QUEUE.send({ callId: state.plan.callId });
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
    if (name === "maxDuration") {
      this.#close("max_duration", FAREWELL_ON_TIME_LIMIT);
      return;
    }
    if (name === "hangUp") {
      const closing = this.#load()?.closing;
      if (closing?.then === "transfer") return this.#putThrough();
      await this.#hangUpCarrier("hangUp");
      await this.#finish(closing?.status ?? "completed", closing?.reason ?? "agent_ended");
      return;
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
