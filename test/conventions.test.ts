import { env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { apiKeyGate } from "../src/auth/api-key-gate";
import { hashApiKey, hashPresentedKey } from "../src/auth/credentials";
import { api, expectError, signup, uniqueEmail } from "./helpers/api";

describe("every response", () => {
  it("carries an X-Request-Id, and errors quote the same id", async () => {
    const ok = await api("/health");
    expect(ok.headers.get("x-request-id")).toMatch(/^req_[0-9a-f]{32}$/);
    const missing = await api("/no/such/route");
    expectError(missing, 404, "not_found");
    expect(missing.headers.get("x-request-id")).not.toBe(ok.headers.get("x-request-id"));
  });

  it("answers a body over the size limit with 413 and creates nothing", async () => {
    const email = uniqueEmail();
    const huge = { email, password: "YourPassword123!", business_name: "Acme", business_summary: "x".repeat(Number(env.MAX_BODY_BYTES)) };
    expectError(await api("/auth/signup", { body: huge }), 413, "body_too_large");
    expect(await env.DB.prepare("SELECT id FROM users WHERE email = ?").bind(email).first()).toBeNull();
  });

  it("answers a body that is not JSON with 415", async () => {
    const res = await api("/auth/signup", { rawBody: "email=a@b.c", headers: { "content-type": "application/x-www-form-urlencoded" } });
    expectError(res, 415, "unsupported_media_type");
  });
});

describe("API key authentication", () => {
  it("accepts the key as x-api-key, as a Bearer token and as the Basic username", async () => {
    const { apiKey } = await signup();
    const probes: Record<string, string>[] = [
      { "x-api-key": apiKey },
      { authorization: `Bearer ${apiKey}` },
      { authorization: `Basic ${btoa(`${apiKey}:`)}` },
    ];
    for (const headers of probes) {
      // Past authentication, an unknown path is a plain 404: the key was accepted.
      expectError(await api("/api/v1/no-such-resource", { headers }), 404, "not_found");
    }
  });

  it("remembers recent keys' hashes correctly, and still after a flood of other keys pushed them out", async () => {
    const key = `echo_${"a".repeat(64)}`;
    const expected = await hashApiKey(key);
    expect(await hashPresentedKey(key)).toBe(expected);
    expect(await hashPresentedKey(key)).toBe(expected);
    for (let i = 0; i < 1_100; i++) await hashPresentedKey(`echo_${i.toString(16).padStart(64, "0")}`);
    expect(await hashPresentedKey(key)).toBe(expected);
    expect(await hashPresentedKey(`echo_${"b".repeat(64)}`)).toBe(await hashApiKey(`echo_${"b".repeat(64)}`));
  });

  it("refuses a missing, malformed or unknown key with 401", async () => {
    expectError(await api("/api/v1/agents"), 401, "unauthenticated");
    expectError(await api("/api/v1/agents", { key: "echo_123" }), 401, "invalid_api_key");
    expectError(await api("/api/v1/agents", { key: `echo_${"0".repeat(64)}` }), 401, "invalid_api_key");
    expectError(await api("/api/v1/agents", { headers: { authorization: "Basic !!!notbase64" } }), 401, "invalid_api_key");
  });
});

describe("rate limits", () => {
  it("counts per key, reports X-RateLimit-* on every answer and refuses with 429 and Retry-After past the limit", async () => {
    const account = await signup();
    expect((await api("/api/v1/agents", { key: account.apiKey })).headers.get("x-ratelimit-limit")).toBe("1000");
    // A new project limit applies from the very next request.
    const patched = await api(`/api/v1/projects/${account.projectId}`, { method: "PATCH", token: account.accessToken, body: { rate_limit_per_minute: 3 } });
    expect(patched.status).toBe(200);

    const remaining: string[] = [];
    for (let i = 0; i < 2; i++) {
      const res = await api("/api/v1/agents", { key: account.apiKey });
      expect(res.headers.get("x-ratelimit-limit")).toBe("3");
      expect(Number(res.headers.get("x-ratelimit-reset"))).toBeGreaterThan(Date.now() / 1000);
      remaining.push(res.headers.get("x-ratelimit-remaining")!);
    }
    // The window began with the first request, which counts against the new limit too.
    expect(remaining).toEqual(["1", "0"]);

    const refused = await api("/api/v1/agents", { key: account.apiKey });
    expectError(refused, 429, "rate_limited");
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    expect(refused.headers.get("x-ratelimit-remaining")).toBe("0");

    // Another business's key has its own allowance.
    const other = await signup();
    expect((await api("/api/v1/agents", { key: other.apiKey })).headers.get("x-ratelimit-remaining")).toBe("999");
  });

  it("keeps a key's spent allowance when the object counting it restarts", async () => {
    const account = await signup();
    await api(`/api/v1/projects/${account.projectId}`, { method: "PATCH", token: account.accessToken, body: { rate_limit_per_minute: 3 } });
    for (let i = 0; i < 3; i++) expect((await api("/api/v1/agents", { key: account.apiKey })).status).toBe(200);
    expectError(await api("/api/v1/agents", { key: account.apiKey }), 429, "rate_limited");

    // The gate loses its memory (a deploy, an eviction): the count it wrote when the key ran out holds.
    const hash = await hashApiKey(account.apiKey);
    await runInDurableObject(apiKeyGate(env, hash), (_instance, state) => state.abort("simulated reset")).catch((error: unknown) => {
      if (!String(error).includes("simulated reset")) throw error;
    });
    const after = await api("/api/v1/agents", { key: account.apiKey });
    expectError(after, 429, "rate_limited");
    expect(after.headers.get("x-ratelimit-remaining")).toBe("0");
  });

  it("applies to error answers too, so a client hammering a bad request still sees its budget", async () => {
    const account = await signup();
    const res = await api("/api/v1/no-such-resource", { key: account.apiKey });
    expect(res.status).toBe(404);
    expect(res.headers.get("x-ratelimit-limit")).toBe("1000");
  });
});
