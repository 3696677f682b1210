import { describe, expect, it } from "vitest";
import { type DialRequest, readDialRequest } from "../../src/emulators/carrier/call-request";
import { CallbackSender } from "../../src/emulators/carrier/status-callbacks";
import { handshakeUrl, readTwiml, rfc2822, signTwilioRequest, streamUrlProblem } from "../../src/emulators/carrier/twilio-wire";

describe("carrier emulator: X-Twilio-Signature", () => {
  it("matches Twilio's documented example", async () => {
    const params = { CallSid: "CA1234567890ABCDE", Caller: "+12349013030", Digits: "1234", From: "+12349013030", To: "+18005551212" };
    expect(await signTwilioRequest("12345", "https://mycompany.com/myapp.php?foo=1&bar=2", params)).toBe("0/KCTR6DLpKmkAf8muzZqo1nDgQ=");
  });

  // Expected values computed with the official twilio package's getExpectedTwilioSignature.
  it("matches twilio-node for repeated parameters and for a handshake URL without parameters", async () => {
    const url = "https://parley.test/twilio/status/abc";
    expect(await signTwilioRequest("12345", url, { CallStatus: "completed", SequenceNumber: "3", Multi: ["b", "a"] })).toBe(
      "jBMrDjbpeMAC4MmQV3XH6Xk5pX4=",
    );
    expect(await signTwilioRequest("12345", "wss://parley.test/media/abc", {})).toBe("z9N4YXyT8R2hTCLO6DzdBWyDlok=");
  });
});

describe("carrier emulator: TwiML", () => {
  it("reads the stream URL and its parameters, unescaping XML", () => {
    const plan = readTwiml(
      `<?xml version="1.0"?><Response><Connect><Stream url="wss://parley.test/media/c1"><Parameter name="token" value="a&amp;b&lt;c"/><Parameter name='call' value='c1' /></Stream></Connect></Response>`,
    );
    expect(plan.stream).toEqual({ url: "wss://parley.test/media/c1", parameters: { token: "a&b<c", call: "c1" } });
    expect(plan.hangup).toBe(false);
  });

  it("reads <Hangup/> and <Pause> lengths, and no stream outside <Connect>", () => {
    expect(readTwiml("<Response><Pause length=\"3\"/><Pause/><Hangup/></Response>")).toEqual({ stream: null, pauseSeconds: 4, hangup: true, dial: null });
    expect(readTwiml('<Response><Start><Stream url="wss://x.test/a"/></Start></Response>').stream).toBeNull();
  });

  it("reads the number a <Dial> puts the call through to, bare or in <Number>", () => {
    expect(readTwiml("<Response><Say>One moment.</Say><Dial> +14155550199 </Dial></Response>").dial).toBe("+14155550199");
    expect(readTwiml('<Response><Dial callerId="+1415"><Number>+442071234567</Number></Dial></Response>').dial).toBe("+442071234567");
    expect(readTwiml("<Response><Hangup/></Response>").dial).toBeNull();
  });

  it("refuses stream URLs Twilio refuses and maps the handshake to https", () => {
    expect(streamUrlProblem("wss://parley.test/media/c1")).toBeNull();
    expect(streamUrlProblem("wss://parley.test/media/c1?token=x")).toMatch(/query string/);
    expect(streamUrlProblem("https://parley.test/media/c1")).toMatch(/wss:\/\//);
    expect(handshakeUrl("wss://parley.test/media/c1")).toBe("https://parley.test/media/c1");
    expect(handshakeUrl("ws://localhost:8787/media/c1")).toBe("http://localhost:8787/media/c1");
  });

  it("writes dates in RFC 2822 like Twilio", () => {
    expect(rfc2822(new Date(Date.UTC(2010, 7, 31, 20, 36, 28)))).toBe("Tue, 31 Aug 2010 20:36:28 +0000");
  });
});

const ids = { callSid: `CA${"a".repeat(32)}`, accountSid: `AC${"b".repeat(32)}`, speed: 1, now: "Tue, 31 Aug 2010 20:36:28 +0000" };

function dialWith(fields: Record<string, string | string[]>): DialRequest {
  const form = new URLSearchParams();
  for (const [name, value] of Object.entries({ To: "+14155550101", From: "+14155550100", Twiml: "<Response/>", ...fields })) {
    for (const v of [value].flat()) form.append(name, v);
  }
  const dial = readDialRequest(form, ids);
  if ("code" in dial) throw new Error(dial.message);
  return dial;
}

describe("carrier emulator: status callbacks", () => {
  const statusUrl = "https://parley.test/twilio/status/call-1";

  function sender(dial: DialRequest) {
    const requests: Request[] = [];
    const callbacks = new CallbackSender(dial, "token-1", async (request) => {
      requests.push(request);
      return new Response(null, { status: 204 });
    });
    return { callbacks, requests };
  }

  it("posts signed, numbered callbacks for the requested events only", async () => {
    const dial = dialWith({ StatusCallback: statusUrl, StatusCallbackEvent: ["ringing", "answered", "completed"] });
    const { callbacks, requests } = sender(dial);
    callbacks.status("initiated");
    callbacks.status("ringing");
    callbacks.status("in-progress");
    callbacks.status("completed", { duration: 12, answeredBy: "human" });
    await callbacks.settled();

    expect(callbacks.records.map((r) => [r.status, r.sequence, r.responseStatus])).toEqual([
      ["ringing", 0, 204],
      ["in-progress", 1, 204],
      ["completed", 2, 204],
    ]);
    const last = requests[2]!;
    const params = Object.fromEntries(new URLSearchParams(new TextDecoder().decode(await last.arrayBuffer())));
    expect(last.method).toBe("POST");
    expect(last.url).toBe(statusUrl);
    expect(last.headers.get("content-type")).toBe("application/x-www-form-urlencoded");
    expect(last.headers.get("i-twilio-idempotency-token")).toMatch(/^[0-9a-f-]{36}$/);
    expect(params).toMatchObject({
      CallSid: ids.callSid,
      AccountSid: ids.accountSid,
      CallStatus: "completed",
      CallDuration: "12",
      AnsweredBy: "human",
      SequenceNumber: "2",
      CallbackSource: "call-progress-events",
      Direction: "outbound-api",
      To: "+14155550101",
      From: "+14155550100",
    });
    expect(params.Timestamp).toMatch(/^\w{3}, \d{2} \w{3} \d{4} \d{2}:\d{2}:\d{2} \+0000$/);
    expect(last.headers.get("x-twilio-signature")).toBe(await signTwilioRequest("token-1", statusUrl, params));
  });

  it("reports only the end of the call when no events were named", async () => {
    const { callbacks } = sender(dialWith({ StatusCallback: statusUrl }));
    callbacks.status("initiated");
    callbacks.status("no-answer", { duration: 0 });
    await callbacks.settled();
    expect(callbacks.records.map((r) => [r.status, r.sequence])).toEqual([["no-answer", 0]]);
  });

  it("signs a GET callback over the URL with its query string", async () => {
    const { callbacks, requests } = sender(dialWith({ StatusCallback: statusUrl, StatusCallbackMethod: "GET" }));
    callbacks.status("completed", { duration: 3 });
    await callbacks.settled();
    const request = requests[0]!;
    expect(request.method).toBe("GET");
    expect(new URL(request.url).searchParams.get("CallStatus")).toBe("completed");
    expect(request.headers.get("x-twilio-signature")).toBe(await signTwilioRequest("token-1", request.url, {}));
  });

  it("sends the AMD result to AsyncAmdStatusCallback, signed over that URL", async () => {
    const amdUrl = "https://parley.test/twilio/amd/call-1";
    const { callbacks, requests } = sender(dialWith({ MachineDetection: "DetectMessageEnd", AsyncAmd: "true", AsyncAmdStatusCallback: amdUrl }));
    callbacks.amd("machine_end_beep", 7100);
    await callbacks.settled();
    const params = Object.fromEntries(new URLSearchParams(new TextDecoder().decode(await requests[0]!.arrayBuffer())));
    expect(params).toEqual({ AccountSid: ids.accountSid, CallSid: ids.callSid, AnsweredBy: "machine_end_beep", MachineDetectionDuration: "7100" });
    expect(requests[0]!.headers.get("x-twilio-signature")).toBe(await signTwilioRequest("token-1", amdUrl, params));
  });

  it("records an unreachable Parley without failing the call", async () => {
    const callbacks = new CallbackSender(dialWith({ StatusCallback: statusUrl }), "token-1", async () => {
      throw new Error("down");
    });
    callbacks.status("completed", { duration: 1 });
    await callbacks.settled();
    expect(callbacks.records[0]!.responseStatus).toBeNull();
  });
});
