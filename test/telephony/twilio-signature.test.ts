import { describe, expect, it } from "vitest";
import { computeTwilioSignature, verifyTwilioSignature } from "../../src/telephony/twilio-signature";

// The Node project holds these functions to the twilio package itself; these tests prove the
// same code gives the same answers on Web Crypto inside workerd.

const VECTOR = {
  token: "12345",
  url: "https://mycompany.com/myapp.php?foo=1&bar=2",
  params: { CallSid: "CA1234567890ABCDE", Caller: "+14158675309", Digits: "1234", From: "+14158675309", To: "+18005551212" },
  signature: "RSOYDt4T1cUTdK1PDd93/VVr8B8=",
};

const TOKEN = "12345678901234567890123456789012";
const URL_ = "https://parley.test/twilio/status/c1";
const CALLBACK = { CallSid: "CA1", CallStatus: "ringing", To: "+14155550101", Body: "Grüße 🚀" };

describe("computeTwilioSignature in workerd", () => {
  it("matches the published twilio-node vector", async () => {
    expect(await computeTwilioSignature(VECTOR.token, VECTOR.url, VECTOR.params)).toBe(VECTOR.signature);
  });

  it("does not depend on the order parameters were given in", async () => {
    const reversed = Object.fromEntries(Object.entries(VECTOR.params).reverse());
    expect(await computeTwilioSignature(VECTOR.token, VECTOR.url, reversed)).toBe(VECTOR.signature);
  });
});

describe("verifyTwilioSignature in workerd", () => {
  it("accepts the published vector", async () => {
    expect(await verifyTwilioSignature(VECTOR.token, VECTOR.url, VECTOR.params, VECTOR.signature)).toBe(true);
  });

  it("accepts a signature it computed, with unicode and repeated values", async () => {
    const params = { ...CALLBACK, Event: ["ringing", "answered"] };
    expect(await verifyTwilioSignature(TOKEN, URL_, params, await computeTwilioSignature(TOKEN, URL_, params))).toBe(true);
  });

  it("refuses a forged signature", async () => {
    const forged = btoa("x".repeat(20));
    expect(await verifyTwilioSignature(TOKEN, URL_, CALLBACK, forged)).toBe(false);
  });

  it("refuses a signature made with another token", async () => {
    const signature = await computeTwilioSignature("another-token", URL_, CALLBACK);
    expect(await verifyTwilioSignature(TOKEN, URL_, CALLBACK, signature)).toBe(false);
  });

  it("refuses parameters changed after signing", async () => {
    const signature = await computeTwilioSignature(TOKEN, URL_, CALLBACK);
    expect(await verifyTwilioSignature(TOKEN, URL_, { ...CALLBACK, CallStatus: "completed" }, signature)).toBe(false);
    expect(await verifyTwilioSignature(TOKEN, URL_, { ...CALLBACK, Extra: "" }, signature)).toBe(false); // the name alone is signed
  });

  it("refuses a callback replayed to another call's URL", async () => {
    const signature = await computeTwilioSignature(TOKEN, URL_, CALLBACK);
    expect(await verifyTwilioSignature(TOKEN, "https://parley.test/twilio/status/c2", CALLBACK, signature)).toBe(false);
  });

  it("refuses a missing signature and an empty token", async () => {
    expect(await verifyTwilioSignature(TOKEN, URL_, CALLBACK, null)).toBe(false);
    expect(await verifyTwilioSignature(TOKEN, URL_, CALLBACK, undefined)).toBe(false);
    expect(await verifyTwilioSignature(TOKEN, URL_, CALLBACK, "")).toBe(false);
    expect(await verifyTwilioSignature("", URL_, CALLBACK, await computeTwilioSignature("x", URL_, CALLBACK))).toBe(false);
  });

  it("accepts the URL signed with or without the default port", async () => {
    const signature = await computeTwilioSignature(TOKEN, "https://parley.test:443/twilio/status/c1", CALLBACK);
    expect(await verifyTwilioSignature(TOKEN, URL_, CALLBACK, signature)).toBe(true);
  });
});
