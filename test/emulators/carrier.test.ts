import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { carrierApp } from "../../src/emulators/carrier/carrier-app";
import type { CallObservations } from "../../src/emulators/carrier/emulated-call";
import { EMULATOR_ACCOUNT_SID, emulatorAuthToken } from "../../src/emulators/credentials";

const CALLS = `/2010-04-01/Accounts/${EMULATOR_ACCOUNT_SID}/Calls`;
const STATUS_URL = "https://parley.test/twilio/status/call-1";
const ALL_EVENTS = ["initiated", "ringing", "answered", "completed"];
/** A call that is answered and then stays up (no stream) for ten minutes. */
const HOLD = '<Response><Pause length="600"/></Response>';

type Form = Record<string, string | string[]>;

async function carrier(path: string, form?: Form, options: { auth?: string | null; speed?: string; method?: string } = {}) {
  const body = new URLSearchParams();
  for (const [name, value] of Object.entries(form ?? {})) for (const v of [value].flat()) body.append(name, v);
  const headers = new Headers({ "content-type": "application/x-www-form-urlencoded" });
  const auth = options.auth === undefined ? `${EMULATOR_ACCOUNT_SID}:${await emulatorAuthToken(env)}` : options.auth;
  if (auth !== null) headers.set("authorization", `Basic ${btoa(auth)}`);
  const method = options.method ?? (form ? "POST" : "GET");
  const request = new Request(`https://carrier.emulator.parley${path}`, { method, headers, body: form ? body : undefined });
  const response = await carrierApp.fetch(request, { ...env, EMULATOR_SPEED: options.speed ?? "100" });
  return { status: response.status, headers: response.headers, body: (await response.json()) as any };
}

const dial = (fields: Form = {}, speed?: string) =>
  carrier(`${CALLS}.json`, { To: "+14155550101", From: "+14155550100", Twiml: HOLD, StatusCallback: STATUS_URL, StatusCallbackEvent: ALL_EVENTS, ...fields }, { speed });

const callObject = (sid: string) => env.EMULATED_CALL.get(env.EMULATED_CALL.idFromName(sid));

/** Polls the call's observations until `done` holds (the call runs on its own timers). */
async function until(sid: string, done: (o: CallObservations) => boolean): Promise<CallObservations> {
  for (let i = 0; i < 300; i++) {
    const seen = await callObject(sid).observations();
    if (done(seen)) return seen;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`call ${sid} never got there: ${JSON.stringify(await callObject(sid).observations())}`);
}
const ended = (o: CallObservations) => o.endedReason !== null;
const statuses = (o: CallObservations) => o.callbacks.filter((c) => c.kind === "status").map((c) => [c.status, c.sequence]);

describe("carrier emulator: authentication", () => {
  const refusal = { code: 20003, message: "Authenticate", more_info: "https://www.twilio.com/docs/errors/20003", status: 401 };

  it("refuses a request without credentials as Twilio does", async () => {
    const res = await carrier(`${CALLS}.json`, { To: "+14155550101" }, { auth: null });
    expect(res.status).toBe(401);
    expect(res.body).toEqual(refusal);
    expect(res.headers.get("www-authenticate")).toBe('Basic realm="Twilio API"');
  });

  it("refuses a wrong auth token", async () => {
    const res = await carrier(`${CALLS}.json`, { To: "+14155550101" }, { auth: `${EMULATOR_ACCOUNT_SID}:wrong` });
    expect(res).toMatchObject({ status: 401, body: refusal });
  });

  it("refuses the emulated account's credentials on another account's path", async () => {
    const res = await carrier(`/2010-04-01/Accounts/AC${"9".repeat(32)}/Calls.json`, { To: "+14155550101" });
    expect(res).toMatchObject({ status: 401, body: refusal });
  });
});

describe("carrier emulator: creating a call", () => {
  it("answers 201 with a queued call resource", async () => {
    const res = await dial({}, "1");
    expect(res.status).toBe(201);
    const sid: string = res.body.sid;
    expect(sid).toMatch(/^CA[0-9a-f]{32}$/);
    expect(res.body).toMatchObject({
      account_sid: EMULATOR_ACCOUNT_SID,
      to: "+14155550101",
      from: "+14155550100",
      status: "queued",
      direction: "outbound-api",
      answered_by: null,
      start_time: null,
      end_time: null,
      duration: null,
      api_version: "2010-04-01",
      uri: `${CALLS}/${sid}.json`,
    });
    expect(res.body.date_created).toMatch(/^\w{3}, \d{2} \w{3} \d{4} \d{2}:\d{2}:\d{2} \+0000$/);
    // The REST answer comes first: nothing has been reported yet.
    expect((await callObject(sid).observations()).callbacks).toEqual([]);
    expect((await carrier(`${CALLS}/${sid}.json`, { Status: "canceled" })).body.status).toBe("canceled");
  });

  it.each([
    ["no To", { To: "" }, 21201],
    ["no From", { From: "" }, 21603],
    ["a To that is not a phone number", { To: "12" }, 21211],
    ["the invalid magic number", { To: "+14155550110" }, 21211],
    ["a From that is not a phone number", { From: "nobody" }, 21212],
    ["neither Twiml nor Url", { Twiml: "" }, 21200],
    ["a Url that is not a URL", { Twiml: "", Url: "not a url" }, 21205],
    ["a StatusCallback that is not a URL", { StatusCallback: "nope" }, 21609],
    ["an unknown StatusCallbackEvent", { StatusCallbackEvent: ["answered", "exploded"] }, 21626],
    ["an unknown MachineDetection", { MachineDetection: "Maybe" }, 21200],
  ])("refuses %s with Twilio's error %s", async (_case, fields, code) => {
    const res = await dial(fields as Form);
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ code, message: expect.any(String), more_info: `https://www.twilio.com/docs/errors/${code}`, status: 400 });
  });
});

describe("carrier emulator: call progress", () => {
  it("reports a busy line: initiated, then busy", async () => {
    const { body } = await dial({ To: "+14155550104" });
    const seen = await until(body.sid, ended);
    expect(statuses(seen)).toEqual([["initiated", 0], ["busy", 1]]);
    expect(seen).toMatchObject({ scenario: "busy", status: "busy", endedReason: "busy", stream: null });
  });

  it("rings out after Timeout: initiated, ringing, no-answer", async () => {
    const { body } = await dial({ To: "+14155550105", Timeout: "5" });
    const seen = await until(body.sid, ended);
    expect(statuses(seen)).toEqual([["initiated", 0], ["ringing", 1], ["no-answer", 2]]);
    expect((await carrier(`${CALLS}/${body.sid}.json`)).body).toMatchObject({ status: "no-answer", duration: "0" });
  });

  it("answers, plays the TwiML and reports every requested event with its duration", async () => {
    const { body } = await dial({ Twiml: '<Response><Pause length="4"/><Hangup/></Response>' });
    const seen = await until(body.sid, ended);
    expect(statuses(seen)).toEqual([["initiated", 0], ["ringing", 1], ["in-progress", 2], ["completed", 3]]);
    expect(seen.endedReason).toBe("twiml_hangup");
    const call = (await carrier(`${CALLS}/${body.sid}.json`)).body;
    expect(call).toMatchObject({ status: "completed", answered_by: null });
    expect(Number(call.duration)).toBeGreaterThanOrEqual(4);
    expect(call.start_time).toMatch(/\+0000$/);
  });

  it("reports only the end of the call when no events were asked for", async () => {
    const { body } = await dial({ StatusCallbackEvent: [], Twiml: "<Response><Hangup/></Response>" });
    expect(statuses(await until(body.sid, ended))).toEqual([["completed", 0]]);
  });

  it("sends the async AMD result: human for a person", async () => {
    const { body } = await dial({ MachineDetection: "Enable", AsyncAmd: "true", AsyncAmdStatusCallback: "https://parley.test/twilio/amd/call-1" });
    const seen = await until(body.sid, (o) => o.answeredBy !== null);
    expect(seen.callbacks.filter((c) => c.kind === "amd")).toEqual([
      { kind: "amd", status: "human", sequence: null, url: "https://parley.test/twilio/amd/call-1", responseStatus: expect.any(Number) },
    ]);
    await carrier(`${CALLS}/${body.sid}.json`, { Status: "completed" });
  });

  it("sends machine_end_beep for the voicemail number once its greeting has ended", async () => {
    const { body } = await dial({ To: "+14155550106", MachineDetection: "Enable", AsyncAmd: "true", AsyncAmdStatusCallback: STATUS_URL });
    const seen = await until(body.sid, (o) => o.answeredBy !== null);
    expect(seen).toMatchObject({ scenario: "voicemail", answeredBy: "machine_end_beep", status: "in-progress" });
    await carrier(`${CALLS}/${body.sid}.json`, { Status: "completed" });
  });

  it("runs synchronous AMD before the TwiML, with no AMD callback", async () => {
    const { body } = await dial({ To: "+14155550106", MachineDetection: "DetectMessageEnd" });
    const seen = await until(body.sid, (o) => o.answeredBy !== null);
    expect(seen).toMatchObject({ answeredBy: "machine_end_beep", status: "in-progress" });
    expect(seen.callbacks.some((c) => c.kind === "amd")).toBe(false);
    await carrier(`${CALLS}/${body.sid}.json`, { Status: "completed" });
  });

  it("ends the call when its Url does not answer with TwiML", async () => {
    const { body } = await dial({ Twiml: "", Url: "https://parley.test/no-such-twiml" });
    const seen = await until(body.sid, ended);
    expect(seen).toMatchObject({ endedReason: "twiml_unavailable", errors: [expect.stringMatching(/^11200/)] });
  });

  it("ends the call at TimeLimit", async () => {
    const { body } = await dial({ TimeLimit: "2" });
    const seen = await until(body.sid, ended);
    expect(seen.endedReason).toBe("time_limit");
    expect(seen.callbacks.at(-1)).toMatchObject({ status: "completed" });
  });

  it("starts once: a repeated start answers the same call without dialling again", async () => {
    const { body } = await dial({ To: "+14155550104" });
    const seen = await until(body.sid, ended);
    const again = await callObject(body.sid).start({} as never);
    expect(again).toMatchObject({ sid: body.sid, status: "busy" });
    expect((await callObject(body.sid).observations()).callbacks).toHaveLength(seen.callbacks.length);
  });
});

describe("carrier emulator: the media stream's connection", () => {
  it("ends the call when Parley does not upgrade the stream, keeping the TwiML parameters it read", async () => {
    const twiml = '<Response><Connect><Stream url="wss://parley.test/no-such-route/c1"><Parameter name="token" value="t-1"/></Stream></Connect></Response>';
    const { body } = await dial({ Twiml: twiml });
    const seen = await until(body.sid, ended);
    expect(seen.endedReason).toBe("stream_failed");
    expect(seen.stream).toEqual({ url: "wss://parley.test/no-such-route/c1", customParameters: { token: "t-1" }, error: expect.stringMatching(/^31920: .*HTTP 404/) });
    expect(seen.callbacks.at(-1)).toMatchObject({ status: "completed" });
  });

  it("refuses a stream URL with a query string without dialling Parley", async () => {
    const { body } = await dial({ Twiml: '<Response><Connect><Stream url="wss://parley.test/media/c1?token=x"/></Connect></Response>' });
    const seen = await until(body.sid, ended);
    expect(seen.stream?.error).toMatch(/^31920: .*query string/);
  });
});

describe("carrier emulator: updating a call", () => {
  it("hangs up an answered call on Status=completed", async () => {
    const { body } = await dial();
    await until(body.sid, (o) => o.status === "in-progress");
    const res = await carrier(`${CALLS}/${body.sid}.json`, { Status: "completed" });
    expect(res).toMatchObject({ status: 200, body: { sid: body.sid, status: "completed" } });
    const seen = await until(body.sid, ended);
    expect(seen.endedReason).toBe("hung_up_by_api");
    expect(statuses(seen).at(-1)).toEqual(["completed", 3]);
  });

  it("cancels a call that is still queued", async () => {
    const { body } = await dial({}, "1");
    const res = await carrier(`${CALLS}/${body.sid}.json`, { Status: "canceled" });
    expect(res).toMatchObject({ status: 200, body: { status: "canceled" } });
    expect(statuses(await until(body.sid, ended))).toEqual([["canceled", 0]]);
  });

  it("cancels a call that is not answered yet on Status=completed too", async () => {
    const { body } = await dial({}, "1");
    expect((await carrier(`${CALLS}/${body.sid}.json`, { Status: "completed" })).body.status).toBe("canceled");
    expect((await until(body.sid, ended)).endedReason).toBe("canceled_by_api");
  });

  it("leaves an answered call alone on Status=canceled", async () => {
    const { body } = await dial();
    await until(body.sid, (o) => o.status === "in-progress");
    expect((await carrier(`${CALLS}/${body.sid}.json`, { Status: "canceled" })).body.status).toBe("in-progress");
    await carrier(`${CALLS}/${body.sid}.json`, { Status: "completed" });
  });

  it("ends the call when new TwiML hangs up", async () => {
    const { body } = await dial();
    await until(body.sid, (o) => o.status === "in-progress");
    const res = await carrier(`${CALLS}/${body.sid}.json`, { Twiml: "<Response><Hangup/></Response>" });
    expect(res.body.status).toBe("completed");
    expect((await until(body.sid, ended)).endedReason).toBe("twiml_hangup");
  });

  it("refuses new TwiML for a call that is over (21220)", async () => {
    const { body } = await dial({ To: "+14155550104" });
    await until(body.sid, ended);
    const res = await carrier(`${CALLS}/${body.sid}.json`, { Twiml: "<Response><Hangup/></Response>" });
    expect(res).toMatchObject({ status: 400, body: { code: 21220, status: 400 } });
  });

  it("refuses an unknown Status", async () => {
    const res = await carrier(`${CALLS}/CA${"0".repeat(32)}.json`, { Status: "paused" });
    expect(res).toMatchObject({ status: 400, body: { code: 21200 } });
  });

  it("answers 404 (20404) for a call that does not exist", async () => {
    const path = `${CALLS}/CA${"f".repeat(32)}.json`;
    const expected = { code: 20404, message: `The requested resource ${path} was not found`, more_info: "https://www.twilio.com/docs/errors/20404", status: 404 };
    expect(await carrier(path, { Status: "completed" })).toMatchObject({ status: 404, body: expected });
    expect(await carrier(path)).toMatchObject({ status: 404, body: expected });
  });
});
