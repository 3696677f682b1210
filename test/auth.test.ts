import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { api, expectError, signup, uniqueEmail } from "./helpers/api";

describe("POST /auth/signup", () => {
  it("answers the documented body: tokens, user, business and a default project with its API key", async () => {
    const email = uniqueEmail();
    const res = await api("/auth/signup", {
      body: { email, password: "YourPassword123!", first_name: "Jane", last_name: "Doe", business_name: "Acme Inc", business_summary: "A SaaS platform for project management", industry: "Software" },
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      access_token: expect.any(String),
      refresh_token: expect.any(String),
      user: { id: expect.any(String), email },
      business: { id: expect.any(String), name: "Acme Inc" },
      default_project: { id: expect.any(String), name: "default", api_key: expect.stringMatching(/^echo_[0-9a-f]{64}$/) },
    });
    const stored = await env.DB.prepare("SELECT summary, industry FROM businesses WHERE id = ?").bind(res.body.business.id).first();
    expect(stored).toEqual({ summary: "A SaaS platform for project management", industry: "Software" });
  });

  it("stores the API key only as a hash and the password as a PBKDF2 string", async () => {
    const account = await signup();
    const key = await env.DB.prepare("SELECT * FROM api_keys WHERE project_id = ?").bind(account.projectId).first<Record<string, string>>();
    expect(JSON.stringify(key)).not.toContain(account.apiKey);
    const user = await env.DB.prepare("SELECT password_hash FROM users WHERE id = ?").bind(account.userId).first<{ password_hash: string }>();
    expect(user?.password_hash).toMatch(/^pbkdf2-sha256\$100000\$[\w-]+\$[\w-]+$/);
  });

  it("refuses a second account with the same email (any case) with 409", async () => {
    const account = await signup();
    const res = await api("/auth/signup", { body: { email: account.email.toUpperCase(), password: "Another123!", business_name: "Other" } });
    expectError(res, 409, "email_taken", "email");
  });

  it("names the invalid field and creates nothing", async () => {
    const email = uniqueEmail();
    const res = await api("/auth/signup", { body: { email, password: "short", business_name: "Acme" } });
    expectError(res, 400, "validation_failed", "password");
    expect(await env.DB.prepare("SELECT id FROM users WHERE email = ?").bind(email).first()).toBeNull();
  });

  it("refuses unknown fields instead of ignoring them", async () => {
    const res = await api("/auth/signup", { body: { email: uniqueEmail(), password: "YourPassword123!", business_name: "Acme", role: "owner" } });
    expectError(res, 400, "unknown_field", "role");
  });

  it("answers malformed JSON with 400, never 500", async () => {
    const res = await api("/auth/signup", { rawBody: '{"email": ', headers: { "content-type": "application/json" } });
    expectError(res, 400, "malformed_json");
  });
});

describe("POST /auth/login", () => {
  it("signs in with the right password and refuses a wrong one the same way as an unknown email", async () => {
    const account = await signup();
    const ok = await api("/auth/login", { body: { email: account.email, password: account.password } });
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ user: { id: account.userId }, business: { id: account.businessId }, role: "owner" });

    const wrong = await api("/auth/login", { body: { email: account.email, password: "Wrong-password-1" } });
    const unknown = await api("/auth/login", { body: { email: uniqueEmail(), password: "Wrong-password-1" } });
    expect(expectError(wrong, 401, "invalid_credentials").message).toBe(expectError(unknown, 401, "invalid_credentials").message);
  });
});

describe("POST /auth/refresh", () => {
  it("rotates the refresh token on each use", async () => {
    const account = await signup();
    const first = await api("/auth/refresh", { body: { refresh_token: account.refreshToken } });
    expect(first.status).toBe(200);
    expect(first.body.refresh_token).not.toBe(account.refreshToken);
    const second = await api("/auth/refresh", { body: { refresh_token: first.body.refresh_token } });
    expect(second.status).toBe(200);
  });

  it("revokes the whole session when a rotated token is presented again", async () => {
    const account = await signup();
    const rotated = await api("/auth/refresh", { body: { refresh_token: account.refreshToken } });
    expect(rotated.status).toBe(200);

    // Someone replays the old token: it fails, and so does everything issued after it.
    expectError(await api("/auth/refresh", { body: { refresh_token: account.refreshToken } }), 401, "invalid_token");
    expectError(await api("/auth/refresh", { body: { refresh_token: rotated.body.refresh_token } }), 401, "invalid_token");
    expectError(await api("/api/v1/business", { token: rotated.body.access_token }), 401, "invalid_token");
  });

  it("refuses an unknown refresh token", async () => {
    expectError(await api("/auth/refresh", { body: { refresh_token: "rt_forged" } }), 401, "invalid_token", "refresh_token");
  });
});

describe("POST /auth/logout", () => {
  it("ends the session: its access and refresh tokens stop working at once", async () => {
    const account = await signup();
    expect((await api("/api/v1/business", { token: account.accessToken })).status).toBe(200);
    const res = await api("/auth/logout", { body: { refresh_token: account.refreshToken } });
    expect(res.status).toBe(204);
    expectError(await api("/api/v1/business", { token: account.accessToken }), 401, "invalid_token");
    expectError(await api("/auth/refresh", { body: { refresh_token: account.refreshToken } }), 401, "invalid_token");
  });
});

describe("session tokens", () => {
  it("refuses forged and expired access tokens", async () => {
    const account = await signup();
    const [header, payload] = account.accessToken.split(".");
    expectError(await api("/api/v1/business", { token: `${header}.${payload}.forgedsignature` }), 401, "invalid_token");

    const { sign } = await import("hono/jwt");
    const past = Math.floor(Date.now() / 1000) - 3600;
    const claims = JSON.parse(atob(payload!.replace(/-/g, "+").replace(/_/g, "/")));
    const expired = await sign({ ...claims, iat: past - 900, exp: past }, env.JWT_SECRET, "HS256");
    expectError(await api("/api/v1/business", { token: expired }), 401, "invalid_token");
  });
});
