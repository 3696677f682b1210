import { describe, expect, it } from "vitest";
import { bytesToBase64, silence } from "../../src/audio/mulaw";
import { type CarrierMessage, clearMessage, MAX_FRAME_BYTES, markMessage, mediaMessage, parseCarrierMessage } from "../../src/telephony/media-stream";

// The frames of protocols.md, as Twilio sends them.
const SID = "MZ0123456789abcdef0123456789abcdef";
const FRAMES = {
  connected: { event: "connected", protocol: "Call", version: "1.0.0" },
  start: {
    event: "start",
    sequenceNumber: "1",
    streamSid: SID,
    start: {
      accountSid: "AC1",
      streamSid: SID,
      callSid: "CA1",
      tracks: ["inbound"],
      customParameters: { token: "s3cret" },
      mediaFormat: { encoding: "audio/x-mulaw", sampleRate: 8000, channels: 1 },
    },
  },
  media: { event: "media", sequenceNumber: "2", streamSid: SID, media: { track: "inbound", chunk: "1", timestamp: "5", payload: bytesToBase64(silence(20)) } },
  mark: { event: "mark", sequenceNumber: "4", streamSid: SID, mark: { name: "item_1:20" } },
  dtmf: { event: "dtmf", sequenceNumber: "5", streamSid: SID, dtmf: { track: "inbound_track", digit: "1" } },
  stop: { event: "stop", sequenceNumber: "6", streamSid: SID, stop: { accountSid: "AC1", callSid: "CA1" } },
} as const;

const parse = (frame: unknown) => parseCarrierMessage(JSON.stringify(frame));
const errorOf = (result: CarrierMessage | { error: string }) => ("error" in result ? result.error : null);

/** A copy of a frame with one field, at a dotted path, replaced (or removed when undefined). */
function withField(frame: object, path: string, value: unknown): unknown {
  const copy = structuredClone(frame) as Record<string, any>;
  const keys = path.split(".");
  const last = keys.pop()!;
  const parent = keys.reduce((o, k) => o[k], copy);
  if (value === undefined) delete parent[last];
  else parent[last] = value;
  return copy;
}

describe("parseCarrierMessage reads every Twilio event", () => {
  for (const [event, frame] of Object.entries(FRAMES)) {
    it(`reads ${event}`, () => {
      expect(parse(frame)).toEqual(frame);
    });
  }

  it("ignores fields it does not use, so Twilio can add some", () => {
    expect(parse({ ...FRAMES.mark, added: { by: "Twilio" } })).toMatchObject(FRAMES.mark);
  });

  it("ignores added fields on media frames too, at the envelope and inside media", () => {
    const added = { ...FRAMES.media, added: 1, media: { ...FRAMES.media.media, extra: "x" } };
    expect(parse(added)).toMatchObject(FRAMES.media);
  });

  it("reads a start without customParameters as having none", () => {
    const result = parse(withField(FRAMES.start, "start.customParameters", undefined));
    expect("event" in result && result.event === "start" && result.start.customParameters).toEqual({});
  });

  it("reads media of any length, including none", () => {
    expect(errorOf(parse(withField(FRAMES.media, "media.payload", bytesToBase64(silence(7)))))).toBeNull();
    expect(errorOf(parse(withField(FRAMES.media, "media.payload", "")))).toBeNull();
  });

  it("keeps a __proto__ custom parameter as plain data", () => {
    const result = parseCarrierMessage(JSON.stringify(FRAMES.start).replace('"token":', '"__proto__":"x","token":'));
    expect(errorOf(result)).toBeNull();
    expect(Object.getPrototypeOf((result as { start: { customParameters: object } }).start.customParameters)).toBe(Object.prototype);
  });
});

describe("parseCarrierMessage answers an error, never throws, for hostile frames", () => {
  it("binary frames", () => {
    expect(errorOf(parseCarrierMessage(new TextEncoder().encode(JSON.stringify(FRAMES.media)).buffer as ArrayBuffer))).toBe(
      "Binary frames are not part of the Media Streams protocol (31950).",
    );
  });

  it("frames over 64 KiB, counted in UTF-8 bytes", () => {
    const payload = "A".repeat(MAX_FRAME_BYTES);
    expect(errorOf(parse(withField(FRAMES.media, "media.payload", payload)))).toBe("The frame is larger than 65536 bytes.");
    const multibyte = JSON.stringify({ ...FRAMES.mark, pad: "é".repeat(MAX_FRAME_BYTES / 2) }); // under 64 Ki units, over 64 KiB
    expect(multibyte.length).toBeLessThan(MAX_FRAME_BYTES);
    expect(errorOf(parseCarrierMessage(multibyte))).toBe("The frame is larger than 65536 bytes.");
  });

  it("a frame of exactly 64 KiB is still read", () => {
    const base = JSON.stringify({ ...FRAMES.mark, pad: "" });
    const frame = JSON.stringify({ ...FRAMES.mark, pad: "x".repeat(MAX_FRAME_BYTES - base.length) });
    expect(frame.length).toBe(MAX_FRAME_BYTES);
    expect(errorOf(parseCarrierMessage(frame))).toBeNull();
  });

  it("invalid JSON", () => {
    for (const frame of ["", "{", "not json", '{"event":"media",}', "\u0000"]) {
      expect(errorOf(parseCarrierMessage(frame))).toBe("The frame is not valid JSON.");
    }
  });

  it("JSON that is not an object", () => {
    for (const frame of ["null", "42", '"media"', "[]", '[{"event":"media"}]', "true"]) {
      expect(errorOf(parseCarrierMessage(frame))).toBe("The frame is not a JSON object.");
    }
  });

  it("an unknown or missing event", () => {
    expect(errorOf(parse({ event: "clear", streamSid: SID }))).toBe('Unknown event "clear".');
    expect(errorOf(parse({ event: "MEDIA" }))).toBe('Unknown event "MEDIA".');
    expect(errorOf(parse({ event: "toString" }))).toBe('Unknown event "toString".');
    expect(errorOf(parse({ streamSid: SID }))).toBe("Unknown event null.");
    expect(errorOf(parse({ event: 7 }))).toBe("Unknown event 7.");
    expect(errorOf(parse({ event: { x: "y".repeat(100) } }))).toBe(`Unknown event ${'{"x":"yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy'}.`);
  });

  it("a missing payload, named as missing", () => {
    expect(errorOf(parse(withField(FRAMES.media, "media.payload", undefined)))).toBe("media.payload: Invalid input: expected string, received undefined.");
  });

  it("a payload that is not base64", () => {
    for (const payload of ["not base64!", "AAA", "AA=A", "////=", "ÿÿÿÿ", " AAAA"]) {
      expect(errorOf(parse(withField(FRAMES.media, "media.payload", payload)))).toBe("media.payload: Not base64.");
    }
  });

  it("a start whose two stream sids differ", () => {
    expect(errorOf(parse(withField(FRAMES.start, "start.streamSid", "MZother")))).toBe("start.streamSid: Differs from streamSid.");
  });

  // Every field the session reads, missing or of the wrong type.
  const required: [keyof typeof FRAMES, string, unknown][] = [
    ["connected", "protocol", 1],
    ["connected", "version", null],
    ["start", "streamSid", 1],
    ["start", "sequenceNumber", 1],
    ["start", "start", "x"],
    ["start", "start.callSid", ["CA1"]],
    ["start", "start.accountSid", {}],
    ["start", "start.tracks", "inbound"],
    ["start", "start.tracks", [1]],
    ["start", "start.mediaFormat", null],
    ["start", "start.mediaFormat.sampleRate", "8000"],
    ["start", "start.mediaFormat.channels", "1"],
    ["start", "start.mediaFormat.encoding", 0],
    ["media", "streamSid", null],
    ["media", "sequenceNumber", 2],
    ["media", "media", "payload"],
    ["media", "media.payload", 12],
    ["media", "media.track", 0],
    ["media", "media.chunk", 1],
    ["media", "media.timestamp", 5],
    ["mark", "mark", null],
    ["mark", "mark.name", 3],
    ["dtmf", "dtmf.digit", 1],
    ["dtmf", "dtmf.track", false],
    ["stop", "stop", []],
    ["stop", "stop.callSid", 1],
    ["stop", "stop.accountSid", null],
  ];
  for (const [event, path, wrong] of required) {
    it(`${event} with ${path} missing or ${JSON.stringify(wrong)}`, () => {
      // The error names the field, or the element inside it that is wrong.
      const named = new RegExp(`^${path.replace(/\./g, "\\.")}[.:]`);
      expect(errorOf(parse(withField(FRAMES[event], path, undefined)))).toMatch(named);
      expect(errorOf(parse(withField(FRAMES[event], path, wrong)))).toMatch(named);
    });
  }

  it("custom parameters that are not a map of strings", () => {
    for (const wrong of [{ token: 1 }, ["s3cret"], "token", null]) {
      expect(errorOf(parse(withField(FRAMES.start, "start.customParameters", wrong)))).toMatch(/^start\.customParameters[.:]/);
    }
  });

  it("anything else thrown at it", () => {
    const junk: unknown[] = [null, undefined, 42, {}, [], new Uint8Array(4), Symbol("x")];
    for (const data of junk) expect(() => parseCarrierMessage(data as string)).not.toThrow();
    expect(errorOf(parseCarrierMessage(null as unknown as string))).toMatch(/Binary frames/);
    expect(errorOf(parseCarrierMessage("[".repeat(60_000)))).toBe("The frame is not valid JSON.");
    expect(errorOf(parseCarrierMessage(`${'{"a":'.repeat(10_000)}1${"}".repeat(10_000)}`))).toBe("Unknown event null.");
  });
});

describe("messages to Twilio", () => {
  it("sends audio as a media message", () => {
    expect(JSON.parse(mediaMessage(SID, "//8="))).toEqual({ event: "media", streamSid: SID, media: { payload: "//8=" } });
  });

  it("sends a mark to learn when the audio before it has played", () => {
    expect(JSON.parse(markMessage(SID, 'item"1:20'))).toEqual({ event: "mark", streamSid: SID, mark: { name: 'item"1:20' } });
  });

  it("sends clear to flush audio not yet played", () => {
    expect(JSON.parse(clearMessage(SID))).toEqual({ event: "clear", streamSid: SID });
  });
});
