import { describe, expect, it } from "vitest";
import { TwilioApiError, TwilioClient, type TwilioCallResource } from "../../src/telephony/twilio-client";

const ACCOUNT_SID = "AC0123456789abcdef0123456789abcdef";
const AUTH_TOKEN = "token-0123456789abcdef0123456789";
const CALL_SID = "CAfedcba9876543210fedcba9876543210";

const callResource = (status: string): TwilioCallResource => ({
  sid: CALL_SID,
  account_sid: ACCOUNT_SID,
  to: "+14155550101",
  from: "+14155550100",
  status,
  direction: "outbound-api",
  answered_by: null,
  start_time: null,
  end_time: null,
  duration: null,
  date_created: "Tue, 07 Jul 2026 10:00:00 +0000",
  uri: `/2010-04-01/Accounts/${ACCOUNT_SID}/Calls/${CALL_SID}.json`,
});

/** A stand-in for Twilio that records each request and answers with the given response. */
function fakeTwilio(answer: () => Response) {
  const requests: Request[] = [];
  const fetch: typeof globalThis.fetch = async (input, init) => {
    requests.push(new Request(input, init));
    return answer();
  };
  const client = new TwilioClient({ accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN, baseUrl: "https://api.twilio.test/", fetch });
  return { client, requests };
}

const json = (body: unknown, status: number) => new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } });

async function formOf(request: Request): Promise<URLSearchParams> {
  expect(request.headers.get("Content-Type")).toBe("application/x-www-form-urlencoded");
  return new URLSearchParams(await request.text());
}

describe("TwilioClient.createCall", () => {
  const request = {
    to: "+14155550101",
    from: "+14155550100",
    twiml: '<Response><Connect><Stream url="wss://parley.test/media/c1"/></Connect></Response>',
    statusCallback: "https://parley.test/twilio/status/c1",
    statusCallbackEvents: ["initiated", "ringing", "answered", "completed"] as const,
    timeoutSeconds: 30,
    timeLimitSeconds: 600,
    machineDetection: "DetectMessageEnd" as const,
    asyncAmd: true,
    asyncAmdStatusCallback: "https://parley.test/twilio/amd/c1",
  };

  it("posts the call as a form to the account's Calls.json with Basic auth", async () => {
    const twilio = fakeTwilio(() => json(callResource("queued"), 201));
    await twilio.client.createCall({ ...request, statusCallbackEvents: [...request.statusCallbackEvents] });

    const [sent] = twilio.requests;
    expect(twilio.requests).toHaveLength(1);
    expect(sent!.method).toBe("POST");
    expect(sent!.url).toBe(`https://api.twilio.test/2010-04-01/Accounts/${ACCOUNT_SID}/Calls.json`);
    expect(sent!.headers.get("Authorization")).toBe(`Basic ${btoa(`${ACCOUNT_SID}:${AUTH_TOKEN}`)}`);
    const form = await formOf(sent!);
    expect(Object.fromEntries([...form.keys()].map((k) => [k, form.getAll(k)]))).toEqual({
      To: ["+14155550101"],
      From: ["+14155550100"],
      Twiml: [request.twiml],
      StatusCallback: ["https://parley.test/twilio/status/c1"],
      StatusCallbackMethod: ["POST"],
      StatusCallbackEvent: ["initiated", "ringing", "answered", "completed"],
      Timeout: ["30"],
      TimeLimit: ["600"],
      MachineDetection: ["DetectMessageEnd"],
      AsyncAmd: ["true"],
      AsyncAmdStatusCallback: ["https://parley.test/twilio/amd/c1"],
      AsyncAmdStatusCallbackMethod: ["POST"],
    });
  });

  it("repeats the StatusCallbackEvent key once per event, as Twilio reads lists", async () => {
    const twilio = fakeTwilio(() => json(callResource("queued"), 201));
    await twilio.client.createCall({ ...request, statusCallbackEvents: ["ringing", "completed"] });
    const raw = await twilio.requests[0]!.text();
    expect(raw).toContain("StatusCallbackEvent=ringing&StatusCallbackEvent=completed");
  });

  it("leaves out options the caller did not give, so Twilio's defaults apply", async () => {
    const twilio = fakeTwilio(() => json(callResource("queued"), 201));
    await twilio.client.createCall({ to: request.to, from: request.from, twiml: request.twiml, statusCallback: request.statusCallback });
    const form = await formOf(twilio.requests[0]!);
    expect([...new Set(form.keys())]).toEqual(["To", "From", "Twiml", "StatusCallback", "StatusCallbackMethod"]);
  });

  it("answers the call resource Twilio created", async () => {
    const twilio = fakeTwilio(() => json(callResource("queued"), 201));
    expect(await twilio.client.createCall({ ...request, statusCallbackEvents: undefined })).toEqual(callResource("queued"));
  });

  it("turns a Twilio error body into a TwilioApiError carrying its code, status and link", async () => {
    const body = {
      code: 21211,
      message: "The 'To' number +14155550110 is not a valid phone number.",
      more_info: "https://www.twilio.com/docs/errors/21211",
      status: 400,
    };
    const twilio = fakeTwilio(() => json(body, 400));
    const error = await twilio.client.createCall({ ...request, to: "+14155550110", statusCallbackEvents: undefined }).catch((e) => e);
    expect(error).toBeInstanceOf(TwilioApiError);
    expect(error).toBeInstanceOf(Error);
    expect({ name: error.name, message: error.message, code: error.code, status: error.status, moreInfo: error.moreInfo }).toEqual({
      name: "TwilioApiError",
      message: body.message,
      code: 21211,
      status: 400,
      moreInfo: "https://www.twilio.com/docs/errors/21211",
    });
  });

  it("turns a 5xx that is not JSON into a TwilioApiError naming the status and the body", async () => {
    const twilio = fakeTwilio(() => new Response("<html><body>502 Bad Gateway</body></html>", { status: 502, statusText: "Bad Gateway" }));
    const error = await twilio.client.createCall({ ...request, statusCallbackEvents: undefined }).catch((e) => e);
    expect(error).toBeInstanceOf(TwilioApiError);
    expect({ code: error.code, status: error.status, moreInfo: error.moreInfo }).toEqual({ code: 0, status: 502, moreInfo: null });
    expect(error.message).toBe('Twilio answered 502 Bad Gateway without a Twilio error: "<html><body>502 Bad Gateway</body></html>"');
  });

  it("refuses a success answer that is not a call resource", async () => {
    const twilio = fakeTwilio(() => new Response("", { status: 201 }));
    const error = await twilio.client.createCall({ ...request, statusCallbackEvents: undefined }).catch((e) => e);
    expect(error).toBeInstanceOf(TwilioApiError);
    expect(error.message).toBe("Twilio answered 201 without a call resource: (empty body)");
  });

  it("calls the given fetch as a plain function, so the Workers global fetch can be passed", async () => {
    let receiver: unknown = "not called";
    const fetch = function (this: unknown) {
      receiver = this;
      return Promise.resolve(json(callResource("queued"), 201));
    } as typeof globalThis.fetch;
    await new TwilioClient({ accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN, baseUrl: "https://api.twilio.test", fetch }).createCall(request as never);
    expect(receiver).toBeUndefined();
  });
});

describe("TwilioClient call updates", () => {
  const callUrl = `https://api.twilio.test/2010-04-01/Accounts/${ACCOUNT_SID}/Calls/${CALL_SID}.json`;

  it("hangs up by posting Status=completed to the call", async () => {
    const twilio = fakeTwilio(() => json(callResource("completed"), 200));
    expect((await twilio.client.hangUp(CALL_SID)).status).toBe("completed");
    expect(twilio.requests[0]!.url).toBe(callUrl);
    expect(twilio.requests[0]!.method).toBe("POST");
    expect(twilio.requests[0]!.headers.get("Authorization")).toBe(`Basic ${btoa(`${ACCOUNT_SID}:${AUTH_TOKEN}`)}`);
    expect((await formOf(twilio.requests[0]!)).toString()).toBe("Status=completed");
  });

  it("cancels by posting Status=canceled to the call", async () => {
    const twilio = fakeTwilio(() => json(callResource("canceled"), 200));
    expect((await twilio.client.cancel(CALL_SID)).status).toBe("canceled");
    expect(twilio.requests[0]!.url).toBe(callUrl);
    expect((await formOf(twilio.requests[0]!)).toString()).toBe("Status=canceled");
  });

  it("replaces the call's TwiML by posting Twiml to the call", async () => {
    const twilio = fakeTwilio(() => json(callResource("in-progress"), 200));
    await twilio.client.updateTwiml(CALL_SID, "<Response><Hangup/></Response>");
    expect(twilio.requests[0]!.url).toBe(callUrl);
    expect((await formOf(twilio.requests[0]!)).getAll("Twiml")).toEqual(["<Response><Hangup/></Response>"]);
  });

  it("keeps a call sid from reaching another path", async () => {
    const twilio = fakeTwilio(() => json(callResource("completed"), 200));
    await twilio.client.hangUp("../../Messages");
    expect(twilio.requests[0]!.url).toBe(`https://api.twilio.test/2010-04-01/Accounts/${ACCOUNT_SID}/Calls/..%2F..%2FMessages.json`);
  });

  it("reports a refused cancel as a TwilioApiError", async () => {
    const body = { code: 21220, message: "Call is not in-progress. Cannot redirect.", more_info: "https://www.twilio.com/docs/errors/21220", status: 400 };
    const twilio = fakeTwilio(() => json(body, 400));
    await expect(twilio.client.cancel(CALL_SID)).rejects.toMatchObject({ code: 21220, status: 400, message: body.message });
  });
});
