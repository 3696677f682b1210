import type { DialRequest } from "./call-request";
import { API_VERSION, rfc2822, signTwilioRequest } from "./twilio-wire";

export interface CallbackRecord {
  kind: "status" | "amd";
  /** CallStatus for status callbacks, AnsweredBy for the AMD one. */
  status: string;
  /** SequenceNumber (status callbacks only). */
  sequence: number | null;
  url: string;
  /** Parley's answer, or null when it could not be reached. */
  responseStatus: number | null;
}

/** Which StatusCallbackEvent asks for a given CallStatus (every end of a call is "completed"). */
const EVENT_FOR: Record<string, string> = { initiated: "initiated", ringing: "ringing", "in-progress": "answered" };

type Deliver = (request: Request) => Promise<Response>;

/**
 * Sends a call's webhooks as Twilio does: form-encoded, signed with X-Twilio-Signature over the
 * exact URL, one I-Twilio-Idempotency-Token each, status callbacks numbered from 0. They are
 * delivered one after another so Parley sees them in order (Twilio does not promise that; Parley
 * must cope either way, but a deterministic emulator makes failures reproducible).
 */
export class CallbackSender {
  readonly records: CallbackRecord[] = [];
  private sequence = 0;
  private queue: Promise<void> = Promise.resolve();

  constructor(
    private readonly dial: DialRequest,
    private readonly authToken: string,
    private readonly deliver: Deliver,
  ) {}

  /** A call-progress callback, if the caller asked for this event. */
  status(callStatus: string, extra: { duration?: number; answeredBy?: string | null } = {}): void {
    const { statusCallback, statusCallbackEvents, statusCallbackMethod } = this.dial;
    if (!statusCallback || !statusCallbackEvents.includes(EVENT_FOR[callStatus] ?? "completed")) return;
    const params: Record<string, string> = {
      ...this.callParams(callStatus),
      Timestamp: rfc2822(new Date()),
      CallbackSource: "call-progress-events",
      SequenceNumber: String(this.sequence),
    };
    if (extra.duration !== undefined) params.CallDuration = String(extra.duration);
    if (extra.answeredBy) params.AnsweredBy = extra.answeredBy;
    const record: CallbackRecord = { kind: "status", status: callStatus, sequence: this.sequence++, url: statusCallback, responseStatus: null };
    this.enqueue(record, statusCallbackMethod, params);
  }

  /** The asynchronous answering-machine-detection result. */
  amd(answeredBy: string, detectionMs: number): void {
    const url = this.dial.asyncAmdStatusCallback;
    if (!url) return;
    const params = {
      AccountSid: this.dial.accountSid,
      CallSid: this.dial.callSid,
      AnsweredBy: answeredBy,
      MachineDetectionDuration: String(Math.round(detectionMs)),
    };
    const record: CallbackRecord = { kind: "amd", status: answeredBy, sequence: null, url, responseStatus: null };
    this.enqueue(record, this.dial.asyncAmdStatusCallbackMethod, params);
  }

  /** A signed request for the call's TwiML (`Url`), answered with the TwiML text or null. */
  async fetchTwiml(url: string, answeredBy: string | null): Promise<string | null> {
    const params = this.callParams("in-progress");
    if (answeredBy) params.AnsweredBy = answeredBy;
    const response = await this.deliver(await this.signedRequest(url, this.dial.method, params));
    return response.ok ? response.text() : null;
  }

  /** Resolves once every callback queued so far has been delivered (or has failed). */
  settled(): Promise<void> {
    return this.queue;
  }

  private callParams(callStatus: string): Record<string, string> {
    const { accountSid, callSid, from, to } = this.dial;
    return {
      AccountSid: accountSid,
      ApiVersion: API_VERSION,
      CallSid: callSid,
      CallStatus: callStatus,
      Called: to,
      Caller: from,
      Direction: "outbound-api",
      From: from,
      To: to,
    };
  }

  private enqueue(record: CallbackRecord, method: "GET" | "POST", params: Record<string, string>): void {
    this.records.push(record);
    this.queue = this.queue.then(async () => {
      try {
        const response = await this.deliver(await this.signedRequest(record.url, method, params));
        record.responseStatus = response.status;
        await response.body?.cancel();
      } catch {
        record.responseStatus = null;
      }
    });
  }

  private async signedRequest(url: string, method: "GET" | "POST", params: Record<string, string>): Promise<Request> {
    const headers = new Headers({
      "User-Agent": "TwilioProxy/1.1",
      "I-Twilio-Idempotency-Token": crypto.randomUUID(),
    });
    if (method === "GET") {
      // A GET callback carries its parameters in the query string, and the signature covers it.
      const target = new URL(url);
      for (const [name, value] of Object.entries(params)) target.searchParams.append(name, value);
      headers.set("X-Twilio-Signature", await signTwilioRequest(this.authToken, target.toString(), {}));
      return new Request(target, { method, headers });
    }
    headers.set("Content-Type", "application/x-www-form-urlencoded");
    headers.set("X-Twilio-Signature", await signTwilioRequest(this.authToken, url, params));
    return new Request(url, { method, headers, body: new URLSearchParams(params).toString() });
  }
}
