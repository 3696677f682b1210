import { DurableObject } from "cloudflare:workers";
import { emulatorAuthToken } from "../credentials";
import { parleyFetch } from "../loopback";
import { machineDetection } from "./callee";
import { type CallResource, type DialRequest, initialResource } from "./call-request";
import { CallStream } from "./call-stream";
import type { MediaObservations } from "./media-stream-callee";
import { type Scenario, type ScenarioName, scenarioFor } from "./scenarios";
import { CallbackSender, type CallbackRecord } from "./status-callbacks";
import { newSid, readTwiml, rfc2822, type TwilioErrorBody, type TwimlPlan, twilioError } from "./twilio-wire";

// The call's progress before anyone talks, in emulated ms.
const INITIATED_MS = 200;
const RINGING_MS = 600;
const BUSY_MS = 1500;
/** A transferred callee talks with the person they were put through to for this long, then hangs up. */
export const TRANSFERRED_TALK_MS = 20_000;

export interface CallObservations {
  callSid: string | null;
  scenario: ScenarioName | null;
  status: string | null;
  answeredBy: string | null;
  endedReason: string | null;
  /** Where a `<Dial>` put the callee through to. */
  transferredTo: string | null;
  callbacks: CallbackRecord[];
  stream: { url: string; customParameters: Record<string, string>; error: string | null } | null;
  media: MediaObservations | null;
  errors: string[];
}

export type CallChange = { status?: string | null; twiml?: string | null; url?: string | null };

/**
 * One emulated phone call: Twilio's side of it (progress, status callbacks, the Media Streams
 * socket to Parley) and the scripted callee picked by the number dialled. State lives in memory
 * while the call runs — its outgoing WebSocket keeps the object in memory, as with CallSession —
 * and the call resource is stored so the REST API can still answer for it afterwards.
 */
export class EmulatedCall extends DurableObject<Env> {
  private dial: DialRequest | null = null;
  private call: CallResource | null = null;
  private callbacks: CallbackSender | null = null;
  private readonly timers = new Set<ReturnType<typeof setTimeout>>();
  private callStream: CallStream | null = null;
  /** A running `<Pause>`; new TwiML replaces it. */
  private pause: ReturnType<typeof setTimeout> | null = null;
  private lastMedia: MediaObservations | null = null;
  private answeredAt: number | null = null;
  private endedReason: string | null = null;
  private transferredTo: string | null = null;
  private stream: CallObservations["stream"] = null;
  private readonly errors: string[] = [];

  /** Dials. Idempotent: a call already started answers its current resource. */
  async start(dial: DialRequest): Promise<CallResource> {
    const existing = await this.load();
    if (existing) return existing;
    this.dial = dial;
    this.call = initialResource(dial);
    await this.ctx.storage.put({ dial, call: this.call });
    await this.load();
    // The REST answer goes back first; the first callback follows it.
    this.after(INITIATED_MS, () => this.initiate(), 5);
    return this.call;
  }

  /** `POST Calls/{sid}.json`: hang up, cancel, or new TwiML. Null when the call does not exist. */
  async update(change: CallChange): Promise<CallResource | TwilioErrorBody | null> {
    const call = await this.load();
    if (!call) return null;
    const notAnswered = call.status === "queued" || call.status === "ringing";
    if (change.twiml || change.url) {
      if (call.status !== "in-progress") return twilioError(400, 21220, "Call is not in-progress. Cannot redirect.");
      // New instructions end the running <Connect><Stream> or <Pause>.
      this.closeStream();
      if (this.pause) clearTimeout(this.pause);
      await this.runTwiml(change.twiml ?? null, change.url ?? null, true);
    } else if (change.status === "canceled" && notAnswered) {
      this.finish("canceled", "canceled_by_api");
    } else if (change.status === "completed" && (notAnswered || call.status === "in-progress")) {
      this.finish(notAnswered ? "canceled" : "completed", notAnswered ? "canceled_by_api" : "hung_up_by_api");
    }
    return this.call;
  }

  async resource(): Promise<CallResource | null> {
    return this.load();
  }

  async observations(): Promise<CallObservations> {
    await this.load();
    await this.callbacks?.settled();
    return structuredClone({
      callSid: this.call?.sid ?? null,
      scenario: this.dial ? scenarioFor(this.dial.to).name : null,
      status: this.call?.status ?? null,
      answeredBy: this.call?.answered_by ?? null,
      endedReason: this.endedReason,
      transferredTo: this.transferredTo,
      callbacks: this.callbacks?.records ?? [],
      stream: this.stream,
      media: this.callStream?.observations() ?? this.lastMedia,
      errors: this.errors,
    });
  }

  private async load(): Promise<CallResource | null> {
    if (!this.call) {
      const stored = await this.ctx.storage.get<DialRequest | CallResource>(["dial", "call"]);
      this.dial = (stored.get("dial") as DialRequest | undefined) ?? null;
      this.call = (stored.get("call") as CallResource | undefined) ?? null;
    }
    if (this.dial && !this.callbacks) {
      this.callbacks = new CallbackSender(this.dial, await emulatorAuthToken(this.env), (request) => parleyFetch(this.env, request));
    }
    return this.call;
  }

  private get scenario(): Scenario {
    return scenarioFor(this.dial!.to);
  }

  private initiate(): void {
    this.callbacks!.status("initiated");
    if (this.scenario.outcome === "busy") this.after(BUSY_MS, () => this.finish("busy", "busy"));
    else this.after(RINGING_MS, () => this.ring());
  }

  private ring(): void {
    this.setCall({ status: "ringing" });
    this.callbacks!.status("ringing");
    const timeoutMs = this.dial!.timeoutSeconds * 1000;
    if (this.scenario.outcome === "no_answer" || this.scenario.ringMs > timeoutMs) {
      this.after(timeoutMs, () => this.finish("no-answer", "no_answer"));
    } else {
      this.after(this.scenario.ringMs, () => this.answer());
    }
  }

  private async answer(): Promise<void> {
    const dial = this.dial!;
    this.answeredAt = Date.now();
    this.setCall({ status: "in-progress", start_time: rfc2822(new Date()) });
    this.callbacks!.status("in-progress");
    this.after(dial.timeLimitSeconds * 1000, () => this.finish("completed", "time_limit"));
    if (!dial.machineDetection) return this.runTwiml(dial.twiml, dial.url, false);

    const { answeredBy, detectionMs } = machineDetection(this.scenario);
    const detected = () => this.setCall({ answered_by: answeredBy });
    if (dial.asyncAmd) {
      this.after(detectionMs, () => {
        detected();
        this.callbacks!.amd(answeredBy, detectionMs);
      });
      return this.runTwiml(dial.twiml, dial.url, false);
    }
    // Synchronous AMD: the TwiML runs once the answer is known (after the beep, for a machine).
    this.after(detectionMs, () => {
      detected();
      return this.runTwiml(dial.twiml, dial.url, answeredBy === "machine_end_beep");
    });
  }

  private async runTwiml(twiml: string | null, url: string | null, greetingPlayed: boolean): Promise<void> {
    const text = twiml ?? (url ? await this.callbacks!.fetchTwiml(url, this.call!.answered_by).catch(() => null) : null);
    if (this.endedReason) return;
    if (text === null) {
      this.errors.push("11200: the TwiML could not be fetched from the call's Url.");
      return this.finish("completed", "twiml_unavailable");
    }
    const plan: TwimlPlan = readTwiml(text);
    if (plan.stream) return this.openStream(plan.stream, greetingPlayed);
    if (plan.dial) {
      // Put through: the callee and the person talk (no stream, nothing Parley hears), then hang up.
      this.transferredTo = plan.dial;
      this.after(TRANSFERRED_TALK_MS, () => this.finish("completed", "transferred_call_ended"));
      return;
    }
    const end = () => this.finish("completed", plan.hangup ? "twiml_hangup" : "twiml_ended");
    if (plan.pauseSeconds > 0) this.pause = this.after(plan.pauseSeconds * 1000, end);
    else end();
  }

  private async openStream(stream: NonNullable<TwimlPlan["stream"]>, greetingPlayed: boolean): Promise<void> {
    const dial = this.dial!;
    this.stream = { url: stream.url, customParameters: stream.parameters, error: null };
    const ids = { accountSid: dial.accountSid, callSid: dial.callSid, streamSid: newSid("MZ"), customParameters: stream.parameters };
    const connected = await CallStream.connect({
      env: this.env,
      authToken: await emulatorAuthToken(this.env),
      url: stream.url,
      ids,
      scenario: this.scenario,
      speed: dial.speed,
      greetingPlayed,
      onEnd: (reason) => this.finish("completed", reason),
    });
    if ("error" in connected) {
      this.stream.error = connected.error;
      // Twilio moves on to the next verb; there is none, so the call ends.
      return this.finish("completed", "stream_failed");
    }
    if (this.endedReason) return connected.close();
    this.callStream = connected;
  }

  private closeStream(): void {
    if (!this.callStream) return;
    this.callStream.close();
    this.lastMedia = this.callStream.observations();
    this.callStream = null;
  }

  /** Ends the call once, whoever ended it, and reports it with its duration. */
  private finish(status: string, reason: string): void {
    if (this.endedReason || !this.call) return;
    this.endedReason = reason;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    this.closeStream();
    const duration = this.answeredAt === null ? 0 : Math.ceil(((Date.now() - this.answeredAt) * this.dial!.speed) / 1000);
    this.setCall({ status, end_time: rfc2822(new Date()), duration: String(duration) });
    this.callbacks?.status(status, { duration, answeredBy: this.call.answered_by });
  }

  private setCall(fields: Partial<CallResource>): void {
    this.call = { ...this.call!, ...fields, date_updated: rfc2822(new Date()) };
    void this.ctx.storage.put("call", this.call);
  }

  /** Runs `step` after `ms` of emulated time (at least `minWallMs` of real time). */
  private after(ms: number, step: () => void | Promise<void>, minWallMs = 1): ReturnType<typeof setTimeout> {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      if (this.endedReason) return;
      Promise.resolve()
        .then(step)
        .catch((error) => this.errors.push(String(error)));
    }, Math.max(minWallMs, ms / this.dial!.speed));
    this.timers.add(timer);
    return timer;
  }
}
