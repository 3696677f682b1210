import { DurableObject } from "cloudflare:workers";
import { createDb } from "../db/client";
import type { CallStatus } from "../db/schema";
import { emitEvent } from "../delivery/events";
import { nowIso } from "../lib/ids";
import { TwilioClient } from "../telephony/twilio-client";
import { isTerminal } from "./call-plan";
import { finishNotification, saveTranscriptLine, updateCallRow } from "./call-records";
import { CallRecording } from "./call-recording";
import { closeCarrierSockets } from "./carrier-sockets";
import type { Conversation } from "./conversation";
import { carrierCredentials } from "./endpoints";
import { broadcastLine, broadcastStatus } from "./listeners";
import { earliestDeadline, type SessionState } from "./session-state";
import type { SpokenLine } from "./transcript-tracker";

/**
 * The ground floor of a call's CallSession: the state it persists as it goes (so a reset object
 * knows where the call stood), the D1 mirror of it, the transcript lines, and the two ways a call
 * moves — a transition, or its end, which closes everything and hands the call to the post-call
 * queue. The floors above decide when (SessionEnding: how calls end; CallSession: how they run).
 */
export abstract class SessionCore extends DurableObject<Env> {
  protected state: SessionState | undefined;
  protected conversation: Conversation | null = null;
  protected recording: CallRecording | null = null;

  protected record(line: SpokenLine): void {
    const state = this.load();
    if (!state) return;
    const seq = state.transcriptSeq++;
    this.save(state);
    broadcastLine(this.ctx, { seq, ...line });
    this.ctx.waitUntil(saveTranscriptLine(this.env, state.plan.callId, { seq, ...line }).catch((e) => this.logError("transcript write failed", e)));
  }


  protected async hangUpCarrier(how: "hangUp" | "cancel"): Promise<void> {
    closeCarrierSockets(this.ctx);
    const state = this.load();
    if (!state?.carrierSid) return;
    try {
      const carrier = await this.carrier();
      await (how === "cancel" ? carrier.cancel(state.carrierSid) : carrier.hangUp(state.carrierSid));
    } catch (error) {
      // The carrier may have ended the call already; its status callback says so.
      this.logError("carrier hang-up failed", error);
    }
  }

  protected async transition(status: CallStatus): Promise<void> {
    const state = this.load();
    if (!state) return;
    state.status = status;
    const at = nowIso();
    if (status === "ringing") state.ringingAt = at;
    if (status === "in_progress") {
      state.answeredAt = at;
      state.deadlines.maxDuration = Date.now() + state.plan.maxDurationSeconds * 1000;
    }
    this.save(state);
    this.armAlarm(state);
    broadcastStatus(this.ctx, status);
    await updateCallRow(this.env, state.plan.callId, { status, ringingAt: state.ringingAt, answeredAt: state.answeredAt });
    if (status === "in_progress") {
      const { projectId, callId, notificationId } = state.plan;
      this.ctx.waitUntil(
        emitEvent(this.env, createDb(this.env.DB), { projectId, type: "call.started", callId, notificationId, data: { call_id: callId, status, attempt: state.plan.attempt ?? 1 } }).catch((e) =>
          this.logError("call.started event failed", e),
        ),
      );
    }
  }

  protected async finish(finalStatus: CallStatus, finalReason: string, extra: { errorCode?: string | null; errorMessage?: string | null; durationSeconds?: number } = {}) {
    const state = this.load();
    if (!state || isTerminal(state.status)) return;
    // Once put through, the call ends as transferred, whoever hangs up.
    const transferred = Boolean(state.transferredTo) && finalStatus === "completed";
    const status: CallStatus = transferred ? "transferred" : finalStatus;
    const reason = transferred ? "transferred" : finalReason;
    state.status = status;
    state.endReason = reason;
    state.endedAt = nowIso();
    state.deadlines = { watchdog: null, maxDuration: null, hangUp: null };
    this.save(state);
    await this.ctx.storage.deleteAlarm();
    this.conversation?.finish();
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
    await (this.recording ? this.recording.finish() : CallRecording.abandon(this.ctx, this.env, state.plan.callId));
    // Results and webhooks are worked out on a queue, never inside the call.
    await this.env.POST_CALL_QUEUE.send({ callId: state.plan.callId });
  }

  protected async carrier(): Promise<TwilioClient> {
    const state = this.load();
    if (!state) throw new Error("no call");
    return new TwilioClient(await carrierCredentials(this.env, state.plan.carrier));
  }

  protected load(): SessionState | undefined {
    this.state ??= this.ctx.storage.kv.get<SessionState>("state");
    return this.state;
  }

  protected save(state: SessionState): void {
    this.state = state;
    this.ctx.storage.kv.put("state", state);
  }

  protected logError(message: string, error: unknown): void {
    console.error(JSON.stringify({ level: "error", call_id: this.state?.plan.callId, message, error: String(error) }));
  }

  protected armAlarm(state: SessionState): void {
    const next = earliestDeadline(state.deadlines);
    if (next) this.ctx.waitUntil(this.ctx.storage.setAlarm(next.at));
  }
}
