/**
 * The slice of Twilio's REST API a call needs: place it, hang it up, cancel it, swap its TwiML.
 * The transport is a parameter: the global `fetch` reaches Twilio, `emulatorFetch(env)` reaches
 * the in-process carrier emulator, and the code in between is the same.
 */

export interface TwilioClientOptions {
  accountSid: string;
  authToken: string;
  /** `https://api.twilio.com` in production; no trailing path. */
  baseUrl: string;
  fetch: typeof fetch;
}

export type CallProgressEvent = "initiated" | "ringing" | "answered" | "completed";

export interface CreateCallRequest {
  to: string;
  from: string;
  /** Inline TwiML, at most 4000 characters (see twiml.ts). */
  twiml: string;
  statusCallback: string;
  /** Without it Twilio only reports `completed`. */
  statusCallbackEvents?: CallProgressEvent[];
  /** How long to let the phone ring (Twilio: default 60, max 600). */
  timeoutSeconds?: number;
  /** Hard cap on the call's length, enforced by Twilio even if Parley goes quiet. */
  timeLimitSeconds?: number;
  machineDetection?: "Enable" | "DetectMessageEnd";
  asyncAmd?: boolean;
  asyncAmdStatusCallback?: string;
}

/** The call resource as Twilio answers it (snake_case, dates in RFC 2822); fields Parley reads. */
export interface TwilioCallResource {
  sid: string;
  account_sid: string;
  to: string;
  from: string;
  status: string;
  direction: string;
  answered_by: string | null;
  start_time: string | null;
  end_time: string | null;
  duration: string | null;
  date_created: string;
  uri: string;
}

/**
 * A refusal from Twilio, with its error code (21211 invalid number, 20003 bad credentials, …;
 * see https://www.twilio.com/docs/api/errors). `code` is 0 when the answer carried no Twilio
 * error, as with a gateway's HTML 502; `status` is then the HTTP status.
 */
export class TwilioApiError extends Error {
  override readonly name = "TwilioApiError";
  readonly code: number;
  readonly status: number;
  readonly moreInfo: string | null;

  constructor(message: string, details: { code: number; status: number; moreInfo?: string | null }) {
    super(message);
    this.code = details.code;
    this.status = details.status;
    this.moreInfo = details.moreInfo ?? null;
  }
}

type Form = [name: string, value: string | number | boolean | undefined][];

export class TwilioClient {
  readonly #callsUrl: string;
  readonly #authorization: string;
  readonly #fetch: typeof fetch;

  constructor(options: TwilioClientOptions) {
    const base = options.baseUrl.replace(/\/+$/, "");
    this.#callsUrl = `${base}/2010-04-01/Accounts/${encodeURIComponent(options.accountSid)}/Calls`;
    const credentials = new TextEncoder().encode(`${options.accountSid}:${options.authToken}`);
    this.#authorization = `Basic ${btoa(String.fromCharCode(...credentials))}`;
    const send = options.fetch;
    // Called bare, not as a method: Workers' global fetch throws "Illegal invocation" when
    // `this` is some other object.
    this.#fetch = (input, init) => send(input, init);
  }

  createCall(request: CreateCallRequest): Promise<TwilioCallResource> {
    const form: Form = [
      ["To", request.to],
      ["From", request.from],
      ["Twiml", request.twiml],
      ["StatusCallback", request.statusCallback],
      ["StatusCallbackMethod", "POST"],
      ...(request.statusCallbackEvents ?? []).map((event): Form[number] => ["StatusCallbackEvent", event]),
      ["Timeout", request.timeoutSeconds],
      ["TimeLimit", request.timeLimitSeconds],
      ["MachineDetection", request.machineDetection],
      ["AsyncAmd", request.asyncAmd],
      ["AsyncAmdStatusCallback", request.asyncAmdStatusCallback],
      ["AsyncAmdStatusCallbackMethod", request.asyncAmdStatusCallback ? "POST" : undefined],
    ];
    return this.#post(`${this.#callsUrl}.json`, form);
  }

  /** Ends a call that is in progress; Twilio then sends the `completed` callback. */
  hangUp(callSid: string): Promise<TwilioCallResource> {
    return this.#post(this.#callUrl(callSid), [["Status", "completed"]]);
  }

  /** Withdraws a call that is still queued or ringing; Twilio refuses it once answered. */
  cancel(callSid: string): Promise<TwilioCallResource> {
    return this.#post(this.#callUrl(callSid), [["Status", "canceled"]]);
  }

  /** Replaces what a live call is doing; it ends a running `<Connect><Stream>`. */
  updateTwiml(callSid: string, twiml: string): Promise<TwilioCallResource> {
    return this.#post(this.#callUrl(callSid), [["Twiml", twiml]]);
  }

  #callUrl(callSid: string): string {
    return `${this.#callsUrl}/${encodeURIComponent(callSid)}.json`;
  }

  async #post(url: string, form: Form): Promise<TwilioCallResource> {
    const body = new URLSearchParams();
    for (const [name, value] of form) if (value !== undefined) body.append(name, String(value));
    const response = await this.#fetch(url, {
      method: "POST",
      headers: {
        Authorization: this.#authorization,
        "Content-Type": "application/x-www-form-urlencoded",
        Accept: "application/json",
      },
      body: body.toString(),
    });
    const text = await response.text();
    const json = parseJson(text);
    if (!response.ok) throw apiError(response, json, text);
    if (!isObject(json) || typeof json.sid !== "string") {
      throw new TwilioApiError(`Twilio answered ${response.status} without a call resource: ${preview(text)}`, {
        code: 0,
        status: response.status,
      });
    }
    return json as unknown as TwilioCallResource;
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function preview(text: string): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat ? JSON.stringify(flat.length > 200 ? `${flat.slice(0, 200)}…` : flat) : "(empty body)";
}

function apiError(response: Response, json: unknown, text: string): TwilioApiError {
  if (isObject(json) && typeof json.code === "number" && typeof json.message === "string") {
    // Twilio's own sentence, unchanged: it names the field and is fit to show the user.
    return new TwilioApiError(json.message, {
      code: json.code,
      status: typeof json.status === "number" ? json.status : response.status,
      moreInfo: typeof json.more_info === "string" ? json.more_info : null,
    });
  }
  const reason = `${response.status}${response.statusText ? ` ${response.statusText}` : ""}`;
  return new TwilioApiError(`Twilio answered ${reason} without a Twilio error: ${preview(text)}`, { code: 0, status: response.status });
}
