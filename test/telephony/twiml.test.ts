import { describe, expect, it } from "vitest";
import { connectStreamTwiml, dialTwiml, hangupTwiml } from "../../src/telephony/twiml";

describe("connectStreamTwiml", () => {
  it("connects the call to the media stream and passes parameters", () => {
    expect(connectStreamTwiml("wss://parley.test/media/c1", { token: "s3cret" })).toBe(
      '<Response><Connect><Stream url="wss://parley.test/media/c1"><Parameter name="token" value="s3cret"/></Stream></Connect></Response>',
    );
  });

  it("writes an empty stream element when there are no parameters", () => {
    expect(connectStreamTwiml("wss://parley.test/media/c1", {})).toBe(
      '<Response><Connect><Stream url="wss://parley.test/media/c1"></Stream></Connect></Response>',
    );
  });

  it("escapes values so they cannot add attributes or verbs", () => {
    const twiml = connectStreamTwiml("wss://parley.test/media/a&b", { 'x"y': `"/><Hangup/><Parameter name='z` });
    expect(twiml).toBe(
      '<Response><Connect><Stream url="wss://parley.test/media/a&amp;b">' +
        '<Parameter name="x&quot;y" value="&quot;/&gt;&lt;Hangup/&gt;&lt;Parameter name=&apos;z"/></Stream></Connect></Response>',
    );
    expect(twiml).not.toContain("<Hangup/>");
  });

  it("keeps line breaks and tabs in values as character references", () => {
    expect(connectStreamTwiml("wss://parley.test/m", { note: "a\nb\tc\rd" })).toContain('value="a&#10;b&#9;c&#13;d"');
  });

  it("keeps unicode values as they are", () => {
    expect(connectStreamTwiml("wss://parley.test/m", { name: "Zoë 東京 🚀" })).toContain('value="Zoë 東京 🚀"');
  });

  it("accepts ws:// for local development", () => {
    expect(connectStreamTwiml("ws://localhost:8787/media/c1", {})).toContain('url="ws://localhost:8787/media/c1"');
  });

  it("refuses a stream URL with a query string, which Twilio rejects", () => {
    expect(() => connectStreamTwiml("wss://parley.test/media/c1?token=s3cret", {})).toThrow(/query string/);
    expect(() => connectStreamTwiml("wss://parley.test/media/c1?", {})).toThrow(/query string/);
  });

  it("refuses a stream URL with a fragment", () => {
    expect(() => connectStreamTwiml("wss://parley.test/media/c1#x", {})).toThrow(/fragment/);
  });

  it("refuses a stream URL that is not a WebSocket URL", () => {
    expect(() => connectStreamTwiml("https://parley.test/media/c1", {})).toThrow("The media stream URL must use wss:// (or ws://), not https://.");
    expect(() => connectStreamTwiml("javascript:alert(1)", {})).toThrow(/must use wss:\/\//);
  });

  it("refuses a stream URL that does not parse", () => {
    expect(() => connectStreamTwiml("parley.test/media/c1", {})).toThrow(/not a valid URL/);
  });

  it("refuses characters XML cannot carry", () => {
    expect(() => connectStreamTwiml("wss://parley.test/m", { token: "a\u0000b" })).toThrow('The parameter "token" contains a character XML cannot carry.');
    expect(() => connectStreamTwiml("wss://parley.test/m", { token: "\uD800" })).toThrow(/XML cannot carry/);
    expect(() => connectStreamTwiml("wss://parley.test/m", { "\u0007": "x" })).toThrow(/parameter name/);
  });

  it("refuses a document longer than the 4000 characters Twilio accepts inline", () => {
    const overhead = connectStreamTwiml("wss://parley.test/m", { token: "" }).length;
    expect(connectStreamTwiml("wss://parley.test/m", { token: "x".repeat(4000 - overhead) })).toHaveLength(4000);
    expect(() => connectStreamTwiml("wss://parley.test/m", { token: "x".repeat(4001 - overhead) })).toThrow(
      "The TwiML is 4001 characters; Twilio accepts at most 4000.",
    );
  });
});

describe("hangupTwiml", () => {
  it("hangs up", () => {
    expect(hangupTwiml()).toBe("<Response><Hangup/></Response>");
  });
});

describe("dialTwiml", () => {
  it("puts the call through to an E.164 number", () => {
    expect(dialTwiml("+14155550199")).toBe("<Response><Dial>+14155550199</Dial></Response>");
  });

  it("refuses anything that is not an E.164 number, so nothing can be injected", () => {
    for (const bad of ["4155550199", "+1415<Hangup/>", "", "+0123456789"]) expect(() => dialTwiml(bad)).toThrow(/E\.164/);
  });
});
