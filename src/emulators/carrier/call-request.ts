import { toE164 } from "../../domain/phone-numbers";
import { scenarioFor } from "./scenarios";
import { API_VERSION, isHttpUrl, type TwilioErrorBody, twilioError } from "./twilio-wire";

/** Everything the emulated carrier needs to play one call, read from a `Calls.json` request. */
export interface DialRequest {
  callSid: string;
  accountSid: string;
  to: string;
  from: string;
  twiml: string | null;
  url: string | null;
  method: "GET" | "POST";
  statusCallback: string | null;
  statusCallbackMethod: "GET" | "POST";
  statusCallbackEvents: string[];
  timeoutSeconds: number;
  /** Twilio's default and maximum: four hours. */
  timeLimitSeconds: number;
  machineDetection: "Enable" | "DetectMessageEnd" | null;
  asyncAmd: boolean;
  asyncAmdStatusCallback: string | null;
  asyncAmdStatusCallbackMethod: "GET" | "POST";
  /** How much faster than real time the call runs (EMULATOR_SPEED, or a test's own). */
  speed: number;
  /** RFC 2822. */
  dateCreated: string;
}

/** The Call resource as Twilio's REST API answers it. */
export interface CallResource {
  sid: string;
  account_sid: string;
  to: string;
  to_formatted: string;
  from: string;
  from_formatted: string;
  status: string;
  direction: "outbound-api";
  answered_by: string | null;
  start_time: string | null;
  end_time: string | null;
  duration: string | null;
  price: string | null;
  price_unit: "USD";
  date_created: string;
  date_updated: string;
  parent_call_sid: null;
  caller_name: null;
  queue_time: string;
  api_version: string;
  uri: string;
}

const EVENTS = ["initiated", "ringing", "answered", "completed"];
const FOUR_HOURS = 4 * 60 * 60;

const integer = (value: string | null, fallback: number, min: number, max: number): number | null => {
  if (value === null || value === "") return fallback;
  const n = Number(value);
  return Number.isInteger(n) && n >= min ? Math.min(n, max) : null;
};

const method = (value: string | null): "GET" | "POST" | null => {
  const upper = (value ?? "POST").toUpperCase();
  return upper === "GET" || upper === "POST" ? upper : null;
};

/** Reads and validates a create-call form the way Twilio does, with Twilio's error codes. */
export function readDialRequest(
  form: URLSearchParams,
  ids: { callSid: string; accountSid: string; speed: number; now: string },
): DialRequest | TwilioErrorBody {
  const rawTo = form.get("To");
  const rawFrom = form.get("From");
  if (!rawTo) return twilioError(400, 21201, "No 'To' number is specified");
  if (!rawFrom) return twilioError(400, 21603, "A 'From' phone number is required.");
  const to = toE164(rawTo);
  if (!to || scenarioFor(to).outcome === "invalid") return twilioError(400, 21211, `Invalid 'To' Phone Number: ${rawTo}`);
  const from = toE164(rawFrom);
  if (!from) return twilioError(400, 21212, `Invalid 'From' Phone Number: ${rawFrom}`);

  const twiml = form.get("Twiml");
  const url = form.get("Url");
  if (!twiml && !url) return twilioError(400, 21200, "Either a 'Url' or 'Twiml' must be provided to place a call.");
  if (!twiml && url && !isHttpUrl(url)) return twilioError(400, 21205, `Url is not a valid URL: ${url}`);
  if (twiml && twiml.length > 4000) return twilioError(400, 21200, "Twiml must be 4000 characters or fewer.");

  const statusCallback = form.get("StatusCallback");
  if (statusCallback && !isHttpUrl(statusCallback)) return twilioError(400, 21609, `Invalid StatusCallback url: ${statusCallback}`);
  const asyncAmdStatusCallback = form.get("AsyncAmdStatusCallback");
  if (asyncAmdStatusCallback && !isHttpUrl(asyncAmdStatusCallback)) {
    return twilioError(400, 21609, `Invalid AsyncAmdStatusCallback url: ${asyncAmdStatusCallback}`);
  }
  const events = form.getAll("StatusCallbackEvent").flatMap((e) => e.split(/[\s,]+/)).filter(Boolean);
  const unknownEvent = events.find((e) => !EVENTS.includes(e));
  if (unknownEvent) return twilioError(400, 21626, `Invalid StatusCallbackEvent: ${unknownEvent}`);

  const timeoutSeconds = integer(form.get("Timeout"), 60, 1, 600);
  if (timeoutSeconds === null) return twilioError(400, 21200, "Timeout must be a whole number of seconds.");
  const timeLimitSeconds = integer(form.get("TimeLimit"), FOUR_HOURS, 1, FOUR_HOURS);
  if (timeLimitSeconds === null) return twilioError(400, 21200, "TimeLimit must be a whole number of seconds.");
  const methods = [method(form.get("Method")), method(form.get("StatusCallbackMethod")), method(form.get("AsyncAmdStatusCallbackMethod"))];
  if (methods.includes(null)) return twilioError(400, 21200, "Methods must be GET or POST.");
  const machineDetection = form.get("MachineDetection");
  if (machineDetection && machineDetection !== "Enable" && machineDetection !== "DetectMessageEnd") {
    return twilioError(400, 21200, `Invalid MachineDetection: ${machineDetection}. Use Enable or DetectMessageEnd.`);
  }

  return {
    ...ids,
    dateCreated: ids.now,
    to,
    from,
    twiml: twiml || null,
    url: twiml ? null : url,
    method: methods[0]!,
    statusCallback: statusCallback || null,
    statusCallbackMethod: methods[1]!,
    // Without StatusCallbackEvent, Twilio reports only the end of the call.
    statusCallbackEvents: events.length ? [...new Set(events)] : ["completed"],
    timeoutSeconds,
    timeLimitSeconds,
    machineDetection: (machineDetection as DialRequest["machineDetection"]) || null,
    asyncAmd: form.get("AsyncAmd") === "true",
    asyncAmdStatusCallback: asyncAmdStatusCallback || null,
    asyncAmdStatusCallbackMethod: methods[2]!,
  };
}

export function initialResource(dial: DialRequest): CallResource {
  return {
    sid: dial.callSid,
    account_sid: dial.accountSid,
    to: dial.to,
    to_formatted: dial.to,
    from: dial.from,
    from_formatted: dial.from,
    status: "queued",
    direction: "outbound-api",
    answered_by: null,
    start_time: null,
    end_time: null,
    duration: null,
    price: null,
    price_unit: "USD",
    date_created: dial.dateCreated,
    date_updated: dial.dateCreated,
    parent_call_sid: null,
    caller_name: null,
    queue_time: "0",
    api_version: API_VERSION,
    uri: `/${API_VERSION}/Accounts/${dial.accountSid}/Calls/${dial.callSid}.json`,
  };
}
