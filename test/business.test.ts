import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { type Account, api, expectError, signup, uniqueEmail } from "./helpers/api";

/** Brings a teammate with the given role into the owner's business, through an invitation. */
async function teammate(owner: Account, role: "admin" | "member") {
  const invite = await api("/api/v1/members/invitations", { token: owner.accessToken, body: { email: uniqueEmail(role), role } });
  const accepted = await api("/auth/invitations/accept", { body: { token: invite.body.token, password: "Teammate123!" } });
  return { token: accepted.body.access_token as string, userId: accepted.body.user.id as string };
}

describe("GET /api/v1/business", () => {
  it("answers the signed-in business", async () => {
    const account = await signup({ business_name: "Acme Dental" });
    const res = await api("/api/v1/business", { token: account.accessToken });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      id: account.businessId,
      name: "Acme Dental",
      summary: "A SaaS platform for project management",
      industry: "Software",
      created_at: expect.any(String),
      updated_at: expect.any(String),
    });
  });

  it("lets a plain member read it", async () => {
    const owner = await signup();
    const member = await teammate(owner, "member");
    const res = await api("/api/v1/business", { token: member.token });
    expect(res.status).toBe(200);
    expect(res.body.id).toBe(owner.businessId);
  });

  it("refuses a project API key with 403: account management needs a session", async () => {
    const account = await signup();
    expectError(await api("/api/v1/business", { key: account.apiKey }), 403, "forbidden");
  });

  it("refuses a request without credentials with 401", async () => {
    expectError(await api("/api/v1/business"), 401, "unauthenticated");
  });
});

describe("PATCH /api/v1/business", () => {
  it("changes only the fields sent and stores them", async () => {
    const account = await signup();
    const res = await api("/api/v1/business", { method: "PATCH", token: account.accessToken, body: { name: "Acme Health", industry: "Healthcare" } });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ name: "Acme Health", industry: "Healthcare", summary: "A SaaS platform for project management" });
    const stored = await env.DB.prepare("SELECT name, industry, summary, updated_at FROM businesses WHERE id = ?").bind(account.businessId).first();
    expect(stored).toEqual({ name: "Acme Health", industry: "Healthcare", summary: "A SaaS platform for project management", updated_at: res.body.updated_at });
  });

  it("clears summary and industry with null", async () => {
    const account = await signup();
    const res = await api("/api/v1/business", { method: "PATCH", token: account.accessToken, body: { summary: null, industry: null } });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ summary: null, industry: null });
  });

  it("refuses an empty name with 400 naming the field", async () => {
    const account = await signup();
    expectError(await api("/api/v1/business", { method: "PATCH", token: account.accessToken, body: { name: "  " } }), 400, "validation_failed", "name");
  });

  it("refuses read-only and unknown fields instead of ignoring them", async () => {
    const account = await signup();
    const res = await api("/api/v1/business", { method: "PATCH", token: account.accessToken, body: { name: "Renamed", id: "11111111-1111-4111-8111-111111111111" } });
    expectError(res, 400, "unknown_field", "id");
    const stored = await env.DB.prepare("SELECT name FROM businesses WHERE id = ?").bind(account.businessId).first();
    expect(stored).toEqual({ name: "Acme Inc" });
  });

  it("refuses a plain member with 403 and changes nothing", async () => {
    const owner = await signup();
    const member = await teammate(owner, "member");
    expectError(await api("/api/v1/business", { method: "PATCH", token: member.token, body: { name: "Hijacked" } }), 403, "forbidden");
    const stored = await env.DB.prepare("SELECT name FROM businesses WHERE id = ?").bind(owner.businessId).first();
    expect(stored).toEqual({ name: "Acme Inc" });
  });

  it("lets an admin update it", async () => {
    const owner = await signup();
    const admin = await teammate(owner, "admin");
    const res = await api("/api/v1/business", { method: "PATCH", token: admin.token, body: { name: "Acme by Admin" } });
    expect(res.status).toBe(200);
    expect(res.body.name).toBe("Acme by Admin");
  });

  it("only ever touches the caller's own business", async () => {
    const mine = await signup();
    const theirs = await signup({ business_name: "Other Co" });
    await api("/api/v1/business", { method: "PATCH", token: mine.accessToken, body: { name: "Mine" } });
    const stored = await env.DB.prepare("SELECT name FROM businesses WHERE id = ?").bind(theirs.businessId).first();
    expect(stored).toEqual({ name: "Other Co" });
  });
});
