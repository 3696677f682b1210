import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { fingerprint } from "../src/idempotency/sealed-response";
import { api, expectError, signup, uniqueEmail } from "./helpers/api";

const signupBody = () => ({ email: uniqueEmail(), password: "YourPassword123!", business_name: "Acme Inc" });
const countUsers = async (email: string) =>
  (await env.DB.prepare("SELECT COUNT(*) AS n FROM users WHERE email = ?").bind(email).first<{ n: number }>())!.n;

describe("Idempotency-Key", () => {
  it("replays the first response for the same key and body, and does the work once", async () => {
    const body = signupBody();
    const key = crypto.randomUUID();
    const first = await api("/auth/signup", { body, headers: { "idempotency-key": key } });
    const again = await api("/auth/signup", { body, headers: { "idempotency-key": key } });
    expect(first.status).toBe(201);
    expect(again.status).toBe(201);
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    expect(first.headers.get("idempotent-replayed")).toBeNull();
    expect(again.body).toEqual(first.body);
    expect(await countUsers(body.email)).toBe(1);
  });

  it("keeps the replayable response encrypted: the stored row does not contain the API key", async () => {
    const body = signupBody();
    const key = crypto.randomUUID();
    const first = await api("/auth/signup", { body, headers: { "idempotency-key": key } });
    const row = await env.DB.prepare("SELECT response_body FROM idempotency_keys WHERE key = ?").bind(key).first<{ response_body: string }>();
    expect(row?.response_body).toBeTruthy();
    expect(row!.response_body).not.toContain(first.body.default_project.api_key);
  });

  it("refuses the same key with a different body with 422", async () => {
    const key = crypto.randomUUID();
    await api("/auth/signup", { body: signupBody(), headers: { "idempotency-key": key } });
    const other = signupBody();
    expectError(await api("/auth/signup", { body: other, headers: { "idempotency-key": key } }), 422, "idempotency_key_reused", "Idempotency-Key");
    expect(await countUsers(other.email)).toBe(0);
  });

  it("answers 409 while the first request with the key is still running", async () => {
    const body = signupBody();
    const key = crypto.randomUUID();
    const raw = await new Response(JSON.stringify(body)).arrayBuffer();
    // The first request has claimed the key and not finished yet.
    await env.DB.prepare("INSERT INTO idempotency_keys (scope, key, request_hash, created_at, expires_at) VALUES (?, ?, ?, ?, ?)")
      .bind("anon:/auth/signup", key, await fingerprint("POST", "/auth/signup", raw), new Date().toISOString(), new Date(Date.now() + 86_400_000).toISOString())
      .run();
    const res = await api("/auth/signup", { body, headers: { "idempotency-key": key } });
    expectError(res, 409, "idempotency_key_in_use");
    expect(res.headers.get("retry-after")).toBe("1");
    expect(await countUsers(body.email)).toBe(0);
  });

  it("frees the key after a validation error so the corrected request can use it", async () => {
    const key = crypto.randomUUID();
    const body = signupBody();
    expectError(await api("/auth/signup", { body: { ...body, password: "short" }, headers: { "idempotency-key": key } }), 400, "validation_failed", "password");
    const fixed = await api("/auth/signup", { body, headers: { "idempotency-key": key } });
    expect(fixed.status).toBe(201);
  });

  it("forgets a key after 24 hours", async () => {
    const key = crypto.randomUUID();
    await api("/auth/signup", { body: signupBody(), headers: { "idempotency-key": key } });
    await env.DB.prepare("UPDATE idempotency_keys SET expires_at = ? WHERE key = ?").bind(new Date(Date.now() - 1000).toISOString(), key).run();
    const body = signupBody();
    const res = await api("/auth/signup", { body, headers: { "idempotency-key": key } });
    expect(res.status).toBe(201);
    expect(res.headers.get("idempotent-replayed")).toBeNull();
    expect(await countUsers(body.email)).toBe(1);
  });

  it("is scoped per project: two projects may use the same key independently", async () => {
    const a = await signup();
    const b = await signup();
    const key = crypto.randomUUID();
    const agent = { name: "Reminder", system_prompt: "You remind {{recipient_first_name}}." };
    const first = await api("/api/v1/agents", { key: a.apiKey, body: agent, headers: { "idempotency-key": key } });
    const second = await api("/api/v1/agents", { key: b.apiKey, body: agent, headers: { "idempotency-key": key } });
    expect(first.status).toBe(201);
    expect(second.status).toBe(201);
    expect(second.headers.get("idempotent-replayed")).toBeNull();
    expect(second.body.id).not.toBe(first.body.id);
  });

  it("refuses an empty or overlong key", async () => {
    expectError(await api("/auth/signup", { body: signupBody(), headers: { "idempotency-key": "x".repeat(256) } }), 400, "validation_failed", "Idempotency-Key");
  });
});
