import { randomToken, sha256Hex, timingSafeEqual } from "../lib/crypto";
import { callStatusFromCarrier } from "../telephony/carrier-status";
import { parseCarrierMessage } from "../telephony/media-stream";
import { connectStreamTwiml } from "../telephony/twiml";
import { TwilioApiError } from "../telephony/twilio-client";
import { type CallPlan, type CallSnapshot, isTerminal } from "./call-plan";
import { updateCallRow } from "./call-records";
import { CallRecording } from "./call-recording";
import { nextStatus } from "./call-states";
import { CARRIER_TAG, carrierStream, markStreamStarted, streamStarted } from "./carrier-sockets";
import { Conversation } from "./conversation";
import { mediaStreamUrl, statusCallbackUrl } from "./endpoints";
import { acceptListener, isListener, listenerCallId, listenerMessage, storedCallStatus } from "./listeners";
import { CLOSING_GRACE_SECONDS, RING_TIMEOUT_SECONDS, type SessionState, snapshotOf } from "./session-state";
import { FAREWELL_ON_REQUEST, SessionEnding } from "./session-ending";

/**
 * One object per call: the coordinator. It dials through the carrier, accepts the carrier's media
 * stream, runs the call's Conversation with the model, and owns the call's life: its status
 * (mirrored to D1 at every transition, SessionCore), how it ends (SessionEnding), and the alarm
 * that guarantees it does end. Everything it must not forget is persisted as it goes.
 */
export class CallSession extends SessionEnding {
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    // Listeners' keepalives are answered without waking the object.
    ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair('{"type":"ping"}', '{"type":"pong"}'));
  }

  // ——— RPC from the Worker ———

  async start(plan: CallPlan): Promise<CallSnapshot> {
    const existing = this.load();
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
    this.save(state);
    this.armAlarm(state);
    try {
      const statusCallback = statusCallbackUrl(this.env, plan.carrier, plan.callId);
      const call = await (await this.carrier()).createCall({
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
      this.save(state);
      await updateCallRow(this.env, plan.callId, { carrierCallSid: call.sid });
    } catch (error) {
      const refused = error instanceof TwilioApiError;
      await this.finish("failed", refused ? "carrier_refused" : "carrier_unreachable", {
        errorCode: refused ? String(error.code) : null,
        errorMessage: error instanceof Error ? error.message : String(error),
      });
      return snapshotOf(state);
    }
    this.ctx.waitUntil(this.conversationFor(state).connect());
    return snapshotOf(state);
  }

  async end(reason: string): Promise<CallSnapshot> {
    const state = this.load();
    if (!state || isTerminal(state.status)) return state ? snapshotOf(state) : { status: "failed", endReason: "unknown_call" };
    if (state.status !== "in_progress") return this.cancel();
    this.close(reason, FAREWELL_ON_REQUEST);
    return snapshotOf(state);
  }

  async cancel(): Promise<CallSnapshot> {
    const state = this.load();
    if (!state || isTerminal(state.status)) return state ? snapshotOf(state) : { status: "failed", endReason: "unknown_call" };
    await this.hangUpCarrier(state.status === "in_progress" ? "hangUp" : "cancel");
    await this.finish("canceled", "canceled");
    return snapshotOf(state);
  }

  /** A status callback whose signature the route verified. Repeats and stale ones change nothing. */
  async carrierStatus(params: Record<string, string>): Promise<CallSnapshot | null> {
    const state = this.load();
    if (!state) return null;
    const answeredBy = params.AnsweredBy || null;
    if (answeredBy && answeredBy !== state.answeredBy) {
      state.answeredBy = answeredBy;
      this.save(state);
      await updateCallRow(this.env, state.plan.callId, { answeredBy });
      if (/^(machine_|fax)/.test(answeredBy) && !isTerminal(state.status)) {
        // After the beep (AMD's machine_end_beep) the agent's voicemail message is left, if it has one.
        if (state.plan.voicemailMessage && this.conversation && answeredBy !== "fax") {
          this.close("voicemail_left", state.plan.voicemailMessage, { status: "voicemail" });
          return snapshotOf(state);
        }
        await this.hangUpCarrier("hangUp");
        await this.finish("voicemail", "voicemail");
        return snapshotOf(state);
      }
    }
    const reported = params.CallStatus ? callStatusFromCarrier(params.CallStatus, answeredBy) : null;
    const next = reported ? nextStatus(state.status, reported) : null;
    if (!next) return snapshotOf(state);
    if (isTerminal(next)) {
      const duration = Number(params.CallDuration);
      await this.finish(next, state.closing?.reason ?? (next === "completed" ? "callee_hung_up" : next), {
        durationSeconds: params.CallDuration && Number.isFinite(duration) ? duration : undefined,
      });
    } else {
      await this.transition(next);
    }
    return snapshotOf(state);
  }

  // ——— the carrier's media stream ———

  override async fetch(request: Request): Promise<Response> {
    if (request.headers.get("Upgrade")?.toLowerCase() !== "websocket") return new Response("Expected a WebSocket upgrade", { status: 426 });
    const state = this.load();
    const listening = listenerCallId(request);
    if (listening) return acceptListener(this.ctx, listening, state?.status ?? (await storedCallStatus(this.env, listening)));
    if (!state || isTerminal(state.status)) return new Response("No such call in progress", { status: 404 });
    const [client, server] = Object.values(new WebSocketPair()) as [WebSocket, WebSocket];
    this.ctx.acceptWebSocket(server, [CARRIER_TAG]);
    return new Response(null, { status: 101, webSocket: client });
  }

  // Not `async`: media and marks (fifty a second each) are handled at once, without a promise each.
  override webSocketMessage(ws: WebSocket, data: string | ArrayBuffer): void | Promise<void> {
    if (isListener(this.ctx, ws)) return listenerMessage(ws, data);
    const message = parseCarrierMessage(data);
    if ("error" in message) {
      ws.close(1003, `Unreadable media message: ${message.error}`.slice(0, 120));
      return;
    }
    if (message.event === "connected") return;
    if (message.event === "start") return this.onStreamStart(ws, message.streamSid, message.start.customParameters?.token);
    // Nothing but `connected` and `start` is heard from a stream that has not proven its token.
    if (!streamStarted(ws)) {
      ws.close(1008, "Stream not started");
      return;
    }
    if (message.event === "media") {
      const timestamp = Number(message.media.timestamp);
      this.conversation?.calleeAudio(message.media.payload, timestamp);
      this.recording?.callee(message.media.payload, timestamp);
    } else if (message.event === "mark") this.conversation?.audioPlayed(message.mark.name);
    else if (message.event === "dtmf") this.keyPressed(message.dtmf.digit);
    // A transfer ends the stream, not the call: the carrier's final status callback ends it.
    else if (message.event === "stop" && !this.load()?.transferredTo) return this.finish("completed", this.load()?.closing?.reason ?? "callee_hung_up");
  }

  override async webSocketClose(ws: WebSocket, code: number): Promise<void> {
    try {
      ws.close(code === 1005 ? 1000 : code, "closed");
    } catch {
      // already closed
    }
  }

  private async onStreamStart(ws: WebSocket, streamSid: string, token: string | undefined): Promise<void> {
    const state = this.load();
    const valid = state && token && !isTerminal(state.status) && timingSafeEqual(await sha256Hex(token), state.mediaTokenHash);
    // Only one stream per call: a second one (a replay of the token) is refused too.
    if (!valid || carrierStream(this.ctx)) {
      ws.close(1008, valid ? "Stream already open" : "Invalid stream token");
      return;
    }
    markStreamStarted(ws, streamSid);
    this.recording = CallRecording.begin(this.ctx, this.env, state.plan);
    if (state.status !== "in_progress") await this.transition("in_progress");
    this.conversationFor(state).answered();
  }

  protected conversationFor(state: SessionState): Conversation {
    this.conversation ??= new Conversation(this.env, state.plan.carrier, state.plan, {
      carrierStream: () => carrierStream(this.ctx),
      record: (line) => this.record(line),
      agentAction: (action) => this.onAgentAction(action),
      modelLost: () => this.ctx.waitUntil(this.hangUpCarrier("hangUp").then(() => this.finish("failed", "model_unavailable"))),
      quiet: () => this.hangUpIfFarewellPlayed(),
      played: (audio, atMs) => this.recording?.agent(audio, atMs),
      waitUntil: (promise) => this.ctx.waitUntil(promise),
    });
    return this.conversation;
  }
}
