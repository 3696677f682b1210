import querystring from "node:querystring";
import twilio from "twilio";
import { describe, expect, it } from "vitest";
import { computeTwilioSignature, type SignedParams, verifyTwilioSignature } from "../../src/telephony/twilio-signature";

// Holds Parley's Web Crypto signer to the official twilio-node helpers, which only run in Node.

const TOKEN = "12345678901234567890123456789012";
const OTHER_TOKEN = "abcdefabcdefabcdefabcdefabcdefab";

const STATUS_CALLBACK: SignedParams = {
  CallSid: "CA1234567890abcdef1234567890abcdef",
  AccountSid: "AC1234567890abcdef1234567890abcdef",
  From: "+14155550100",
  To: "+14155550101",
  CallStatus: "in-progress",
  Direction: "outbound-api",
  Timestamp: "Tue, 07 Jul 2026 10:00:00 +0000",
  SequenceNumber: "2",
  CallbackSource: "call-progress-events",
};

const PARAMS: Record<string, SignedParams> = {
  "a status callback": STATUS_CALLBACK,
  "no parameters": {},
  "unicode names and values": { Body: "Grüße, 東京 🚀 — ça va?", "Näme": "ß", Emoji: "👋🏽" },
  "empty values": { Digits: "", Body: "" },
  "names that differ only in case": { a: "1", A: "2", b: "3", B: "4", _: "5" },
  "characters that form-encoding would escape": { Url: "https://x.test/a?b=c&d=e", Plus: "1+1 = 2", Pct: "100%" },
  "repeated names, unsorted and duplicated": { StatusCallbackEvent: ["ringing", "answered", "initiated", "answered"], To: "+1" },
  "a repeated name with one value": { Tag: ["only"] },
  "a repeated name with no values": { Tag: [], Other: "x" },
  "repeated unicode values": { Tag: ["ü", "u", "z", "Z", "é"] },
};

const URLS = [
  "https://parley.example/twilio/status/8a1f4c9e-0b3a-4c55-9d0e-1234567890ab",
  "https://parley.example:443/twilio/status/abc",
  "https://parley.example:8443/twilio/status/abc",
  "http://localhost:8787/twilio/status/abc",
  "http://localhost/twilio/status/abc",
  "https://parley.example/twilio/status/abc?attempt=2&source=twilio",
  "https://parley.example/twilio/status/abc?b=2&a=1&a=3",
  "https://parley.example/twilio/status/abc?note=it's%20fine&x=a+b",
  "https://parley.example/twilio/status/abc?q=caf%C3%A9&empty=&flag",
  "https://user:pass@parley.example:443/hook?x=1",
  "https://[2001:db8::1]:8443/hook?x=1",
  "wss://parley.example/media/abc",
];

describe("computeTwilioSignature", () => {
  for (const [label, params] of Object.entries(PARAMS)) {
    it(`equals twilio's getExpectedTwilioSignature for ${label}`, async () => {
      for (const url of URLS) {
        expect(await computeTwilioSignature(TOKEN, url, params)).toBe(twilio.getExpectedTwilioSignature(TOKEN, url, params));
      }
    });
  }

  it("matches the published vector of twilio-node's own test suite", async () => {
    const params = { CallSid: "CA1234567890ABCDE", Caller: "+14158675309", Digits: "1234", From: "+14158675309", To: "+18005551212" };
    const signature = await computeTwilioSignature("12345", "https://mycompany.com/myapp.php?foo=1&bar=2", params);
    expect(signature).toBe("RSOYDt4T1cUTdK1PDd93/VVr8B8=");
  });

  it("signs a repeated name once per distinct value, values sorted, as twilio-node does", async () => {
    const url = URLS[0]!;
    const repeated = await computeTwilioSignature(TOKEN, url, { E: ["b", "a", "b"], D: "x" });
    expect(repeated).toBe(await computeTwilioSignature(TOKEN, `${url}DxEaEb`, {}));
    expect(repeated).toBe(twilio.getExpectedTwilioSignature(TOKEN, url, { E: ["b", "a", "b"], D: "x" }));
  });
});

describe("verifyTwilioSignature agrees with twilio.validateRequest", () => {
  const cases: { name: string; token: string; url: string; params: SignedParams; signature: string }[] = [];
  for (const [label, params] of Object.entries(PARAMS)) {
    for (const url of URLS) {
      const genuine = twilio.getExpectedTwilioSignature(TOKEN, url, params);
      const flipped = genuine.slice(0, 5) + (genuine[5] === "A" ? "B" : "A") + genuine.slice(6);
      cases.push(
        { name: `genuine, ${label}, ${url}`, token: TOKEN, url, params, signature: genuine },
        { name: `wrong token, ${label}, ${url}`, token: OTHER_TOKEN, url, params, signature: genuine },
        { name: `one character forged, ${label}, ${url}`, token: TOKEN, url, params, signature: flipped },
        { name: `truncated, ${label}, ${url}`, token: TOKEN, url, params, signature: genuine.slice(0, -1) },
        { name: `empty, ${label}, ${url}`, token: TOKEN, url, params, signature: "" },
        { name: `other URL's, ${label}, ${url}`, token: TOKEN, url, params, signature: twilio.getExpectedTwilioSignature(TOKEN, `${url}x`, params) },
        { name: `extra param, ${label}, ${url}`, token: TOKEN, url, params: { ...params, Injected: "1" }, signature: genuine },
      );
    }
  }

  it("on genuine, forged, truncated and wrong-token signatures across many fixtures", async () => {
    let accepted = 0;
    for (const c of cases) {
      const expected = twilio.validateRequest(c.token, c.signature, c.url, c.params);
      expect({ name: c.name, valid: await verifyTwilioSignature(c.token, c.url, c.params, c.signature) }).toEqual({ name: c.name, valid: expected });
      if (expected) accepted++;
    }
    expect(accepted).toBe(Object.keys(PARAMS).length * URLS.length); // exactly the genuine ones
  });

  it("accepts a signature made over the URL with or without the default port", async () => {
    const params = STATUS_CALLBACK;
    const withPort = twilio.getExpectedTwilioSignature(TOKEN, "https://parley.example:443/twilio/status/abc", params);
    const withoutPort = twilio.getExpectedTwilioSignature(TOKEN, "https://parley.example/twilio/status/abc", params);
    for (const [url, signature] of [
      ["https://parley.example/twilio/status/abc", withPort],
      ["https://parley.example:443/twilio/status/abc", withoutPort],
    ] as const) {
      expect(twilio.validateRequest(TOKEN, signature, url, params)).toBe(true);
      expect(await verifyTwilioSignature(TOKEN, url, params, signature)).toBe(true);
    }
  });

  it("accepts the normalized and legacy re-encoded query forms twilio-node accepts", async () => {
    const url = "https://parley.example/hook?note=it's fine&b=1&a=2&b=3";
    const normalized = new URL(url).toString();
    const legacy = `${normalized.split("?")[0]}?${querystring.stringify(querystring.parse(normalized.split("?")[1]!))}`;
    for (const signedUrl of [normalized, legacy]) {
      const signature = twilio.getExpectedTwilioSignature(TOKEN, signedUrl, STATUS_CALLBACK);
      expect(twilio.validateRequest(TOKEN, signature, url, STATUS_CALLBACK)).toBe(true);
      expect(await verifyTwilioSignature(TOKEN, url, STATUS_CALLBACK, signature)).toBe(true);
    }
  });

  it("on a query longer than the 1000 pieces Node's querystring reads", async () => {
    const query = Array.from({ length: 1010 }, (_, i) => (i % 3 === 0 ? "" : `k${i}=%27${i}`)).join("&");
    const url = `https://parley.example/hook?${query}`;
    const legacy = `https://parley.example/hook?${querystring.stringify(querystring.parse(query))}`;
    const signature = twilio.getExpectedTwilioSignature(TOKEN, legacy, STATUS_CALLBACK);
    expect(twilio.validateRequest(TOKEN, signature, url, STATUS_CALLBACK)).toBe(true);
    expect(await verifyTwilioSignature(TOKEN, url, STATUS_CALLBACK, signature)).toBe(true);
  });

  it("on randomly built URLs and signatures over their variants", async () => {
    const random = mulberry32(20260707);
    const pick = <T>(xs: readonly T[]) => xs[Math.floor(random() * xs.length)]!;
    const pieces = ["a", "B", "1", "=", "&", "+", "%", "%20", "%zz", "%E9", "%C3%A9", "'", "é", "🚀", " ", "__proto__", "2", "#", "~", "*"];
    const text = (n: number) => Array.from({ length: n }, () => pick(pieces)).join("");
    const variants = [
      (u: string) => u,
      (u: string) => u.replace("parley.example", "parley.example:443"),
      (u: string) => new URL(u).toString(),
      (u: string) => {
        const n = new URL(u).toString();
        const q = n.indexOf("?");
        return q === -1 ? n : `${n.slice(0, q)}?${querystring.stringify(querystring.parse(n.slice(q + 1)))}`;
      },
      (u: string) => `${u}&tampered=1`,
    ];
    const outcomes = { accepted: 0, refused: 0 };
    for (let i = 0; i < 400; i++) {
      const url = `https://parley.example/hook/${text(3)}?${text(1 + Math.floor(random() * 12))}`;
      const params: SignedParams = { [text(2)]: text(4), Multi: [text(2), text(2), text(2)] };
      const token = random() < 0.2 ? OTHER_TOKEN : TOKEN;
      const signature = twilio.getExpectedTwilioSignature(TOKEN, pick(variants)(url), params);
      const expected = twilio.validateRequest(token, signature, url, params);
      expect({ url, params, token, valid: await verifyTwilioSignature(token, url, params, signature) }).toEqual({ url, params, token, valid: expected });
      outcomes[expected ? "accepted" : "refused"]++;
    }
    // Both answers must be common, or the comparison proves little.
    expect(outcomes.accepted).toBeGreaterThan(100);
    expect(outcomes.refused).toBeGreaterThan(100);
  });
});

describe("verifyTwilioSignature refuses", () => {
  const url = URLS[0]!;

  it("a missing signature", async () => {
    expect(await verifyTwilioSignature(TOKEN, url, STATUS_CALLBACK, null)).toBe(false);
    expect(await verifyTwilioSignature(TOKEN, url, STATUS_CALLBACK, undefined)).toBe(false);
  });

  it("anything when the auth token is empty, even a signature made with the empty token", async () => {
    const signature = twilio.getExpectedTwilioSignature("", url, STATUS_CALLBACK);
    expect(await verifyTwilioSignature("", url, STATUS_CALLBACK, signature)).toBe(false);
  });

  it("a URL that does not parse, where twilio-node would throw", async () => {
    expect(await verifyTwilioSignature(TOKEN, "not a url", {}, "x")).toBe(false);
  });

  it("a signature over the same parameters posted to another call's URL", async () => {
    const signature = await computeTwilioSignature(TOKEN, "https://parley.example/twilio/status/other-call", STATUS_CALLBACK);
    expect(await verifyTwilioSignature(TOKEN, url, STATUS_CALLBACK, signature)).toBe(false);
  });
});

/** A small seeded generator, so a failing random case can be replayed. */
function mulberry32(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
