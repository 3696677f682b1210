import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { type Account, api, expectError, signup, uniqueEmail } from "./helpers/api";

const invite = (account: Account | { accessToken: string }, email: string, role = "member") =>
  api("/api/v1/members/invitations", { token: account.accessToken, body: { email, role } });
const accept = (body: Record<string, unknown>) => api("/auth/invitations/accept", { body });

/** Invites a new person and signs them in through the invitation. */
async function teammate(owner: Account, role: "admin" | "member") {
  const email = uniqueEmail(role);
  const accepted = await accept({ token: (await invite(owner, email, role)).body.token, password: "Teammate123!" });
  return { email, accessToken: accepted.body.access_token as string, refreshToken: accepted.body.refresh_token as string, userId: accepted.body.user.id as string };
}

const roleOf = (businessId: string, userId: string) =>
  env.DB.prepare("SELECT role FROM memberships WHERE business_id = ? AND user_id = ?").bind(businessId, userId).first<{ role: string }>();
const patchRole = (token: string, userId: string, role: string) => api(`/api/v1/members/${userId}`, { method: "PATCH", token, body: { role } });
const remove = (token: string, userId: string) => api(`/api/v1/members/${userId}`, { method: "DELETE", token });

describe("invitations", () => {
  it("creates an invitation valid seven days, shows its token once and stores only its hash", async () => {
    const owner = await signup();
    const email = uniqueEmail("invitee");
    const res = await invite(owner, email.toUpperCase(), "admin");
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      id: expect.any(String),
      email,
      role: "admin",
      invited_by: owner.userId,
      expires_at: expect.any(String),
      created_at: expect.any(String),
      token: expect.stringMatching(/^inv_/),
    });
    expect(Date.parse(res.body.expires_at) - Date.parse(res.body.created_at)).toBe(7 * 24 * 3600 * 1000);
    const row = await env.DB.prepare("SELECT * FROM invitations WHERE id = ?").bind(res.body.id).first();
    expect(JSON.stringify(row)).not.toContain(res.body.token);
  });

  it("lists pending invitations without tokens, to admins only", async () => {
    const owner = await signup();
    const created = await invite(owner, uniqueEmail());
    const list = await api("/api/v1/members/invitations", { token: owner.accessToken });
    expect(list.status).toBe(200);
    expect(list.body.data.map((i: { id: string }) => i.id)).toEqual([created.body.id]);
    expect(JSON.stringify(list.body)).not.toContain(created.body.token);
    const member = await teammate(owner, "member");
    expectError(await api("/api/v1/members/invitations", { token: member.accessToken }), 403, "forbidden");
  });

  it("refuses role owner, an invalid email and unknown fields", async () => {
    const owner = await signup();
    expectError(await invite(owner, uniqueEmail(), "owner"), 400, "validation_failed", "role");
    expectError(await invite(owner, "not-an-email"), 400, "validation_failed", "email");
    const extra = await api("/api/v1/members/invitations", { token: owner.accessToken, body: { email: uniqueEmail(), role: "member", business_id: owner.businessId } });
    expectError(extra, 400, "unknown_field", "business_id");
  });

  it("refuses to invite someone who is already a member with 409", async () => {
    const owner = await signup();
    expectError(await invite(owner, owner.email), 409, "conflict", "email");
  });

  it("replaces a pending invitation to the same email: only the newest token works", async () => {
    const owner = await signup();
    const email = uniqueEmail();
    const first = await invite(owner, email);
    const second = await invite(owner, email);
    expectError(await accept({ token: first.body.token, password: "Teammate123!" }), 401, "invalid_token", "token");
    expect((await accept({ token: second.body.token, password: "Teammate123!" })).status).toBe(200);
  });

  it("refuses plain members with 403", async () => {
    const owner = await signup();
    const member = await teammate(owner, "member");
    expectError(await invite(member, uniqueEmail()), 403, "forbidden");
  });

  it("withdraws an invitation: its token stops working; another business's id answers 404", async () => {
    const owner = await signup();
    const other = await signup();
    const created = await invite(owner, uniqueEmail());
    const path = `/api/v1/members/invitations/${created.body.id}`;
    expectError(await api(path, { method: "DELETE", token: other.accessToken }), 404, "not_found", "invitationId");
    expect((await api(path, { method: "DELETE", token: owner.accessToken })).status).toBe(204);
    expectError(await accept({ token: created.body.token, password: "Teammate123!" }), 401, "invalid_token");
    expectError(await api(path, { method: "DELETE", token: owner.accessToken }), 404, "not_found");
  });
});

describe("POST /auth/invitations/accept", () => {
  it("creates the account with the given password and answers a session in the business", async () => {
    const owner = await signup({ business_name: "Acme Dental" });
    const email = uniqueEmail("new");
    const created = await invite(owner, email, "admin");
    const res = await accept({ token: created.body.token, password: "Teammate123!", first_name: "Sam", last_name: "Lee" });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      access_token: expect.any(String),
      refresh_token: expect.any(String),
      token_type: "Bearer",
      user: { id: expect.any(String), email, first_name: "Sam", last_name: "Lee" },
      business: { id: owner.businessId, name: "Acme Dental" },
      role: "admin",
    });
    expect((await api("/api/v1/business", { token: res.body.access_token })).body.id).toBe(owner.businessId);
    expect((await api("/auth/login", { body: { email, password: "Teammate123!" } })).status).toBe(200);
    expect(await roleOf(owner.businessId, res.body.user.id)).toEqual({ role: "admin" });
  });

  it("adds an existing account when its current password is given, and refuses a wrong one", async () => {
    const owner = await signup();
    const existing = await signup({ business_name: "Their Own Co" });
    const created = await invite(owner, existing.email);
    expectError(await accept({ token: created.body.token, password: "Wrong-password-1" }), 401, "invalid_credentials");
    expect(await roleOf(owner.businessId, existing.userId)).toBeNull();
    const res = await accept({ token: created.body.token, password: existing.password });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ user: { id: existing.userId }, business: { id: owner.businessId }, role: "member" });
    expect(await roleOf(existing.businessId, existing.userId)).toEqual({ role: "owner" });
  });

  it("refuses a used, expired or unknown token with 401", async () => {
    const owner = await signup();
    const used = await invite(owner, uniqueEmail());
    await accept({ token: used.body.token, password: "Teammate123!" });
    expectError(await accept({ token: used.body.token, password: "Teammate123!" }), 401, "invalid_token", "token");

    const email = uniqueEmail();
    const expired = await invite(owner, email);
    await env.DB.prepare("UPDATE invitations SET expires_at = ? WHERE id = ?").bind(new Date(Date.now() - 1000).toISOString(), expired.body.id).run();
    expectError(await accept({ token: expired.body.token, password: "Teammate123!" }), 401, "invalid_token");
    expect(await env.DB.prepare("SELECT id FROM users WHERE email = ?").bind(email).first()).toBeNull();

    expectError(await accept({ token: "inv_forged", password: "Teammate123!" }), 401, "invalid_token");
  });

  it("refuses a short password for a new account and unknown fields", async () => {
    const owner = await signup();
    const created = await invite(owner, uniqueEmail());
    expectError(await accept({ token: created.body.token, password: "short" }), 400, "validation_failed", "password");
    expectError(await accept({ token: created.body.token, password: "Teammate123!", role: "owner" }), 400, "unknown_field", "role");
  });
});

describe("GET /api/v1/members", () => {
  it("lists the business's members with their roles, to any member", async () => {
    const owner = await signup({ first_name: "Olive", last_name: "Owner" });
    await signup(); // someone in another business
    const member = await teammate(owner, "member");
    const res = await api("/api/v1/members", { token: member.accessToken });
    expect(res.status).toBe(200);
    const byId = Object.fromEntries(res.body.data.map((m: { id: string }) => [m.id, m]));
    expect(Object.keys(byId).sort()).toEqual([owner.userId, member.userId].sort());
    expect(byId[owner.userId]).toEqual({ id: owner.userId, email: owner.email, first_name: "Olive", last_name: "Owner", role: "owner", joined_at: expect.any(String) });
    expect(byId[member.userId]).toMatchObject({ email: member.email, role: "member" });
  });
});

describe("PATCH /api/v1/members/{userId}", () => {
  it("changes a member's role, which applies to their next request", async () => {
    const owner = await signup();
    const member = await teammate(owner, "member");
    expectError(await api("/api/v1/projects", { token: member.accessToken, body: { name: "x" } }), 403, "forbidden");
    const res = await patchRole(owner.accessToken, member.userId, "admin");
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: member.userId, role: "admin" });
    expect((await api("/api/v1/projects", { token: member.accessToken, body: { name: "x" } })).status).toBe(201);
  });

  it("lets only an owner grant or take away the owner role", async () => {
    const owner = await signup();
    const admin = await teammate(owner, "admin");
    const member = await teammate(owner, "member");
    expectError(await patchRole(admin.accessToken, member.userId, "owner"), 403, "forbidden");
    expectError(await patchRole(admin.accessToken, owner.userId, "member"), 403, "forbidden");
    expect(await roleOf(owner.businessId, owner.userId)).toEqual({ role: "owner" });
    expect((await patchRole(owner.accessToken, member.userId, "owner")).status).toBe(200);
    expect(await roleOf(owner.businessId, member.userId)).toEqual({ role: "owner" });
  });

  it("refuses to demote the last owner with 409", async () => {
    const owner = await signup();
    expectError(await patchRole(owner.accessToken, owner.userId, "admin"), 409, "conflict");
    expect(await roleOf(owner.businessId, owner.userId)).toEqual({ role: "owner" });
  });

  it("refuses plain members, unknown roles and another business's user", async () => {
    const owner = await signup();
    const other = await signup();
    const member = await teammate(owner, "member");
    expectError(await patchRole(member.accessToken, member.userId, "admin"), 403, "forbidden");
    expectError(await patchRole(owner.accessToken, member.userId, "superuser"), 400, "validation_failed", "role");
    expectError(await patchRole(owner.accessToken, other.userId, "member"), 404, "not_found", "userId");
    expect(await roleOf(other.businessId, other.userId)).toEqual({ role: "owner" });
  });
});

describe("DELETE /api/v1/members/{userId}", () => {
  it("removes a member and ends their sessions for the business at once", async () => {
    const owner = await signup();
    const member = await teammate(owner, "member");
    expect((await remove(owner.accessToken, member.userId)).status).toBe(204);
    expect(await roleOf(owner.businessId, member.userId)).toBeNull();
    expectError(await api("/api/v1/business", { token: member.accessToken }), 401, "invalid_token");
    expectError(await api("/auth/refresh", { body: { refresh_token: member.refreshToken } }), 401, "invalid_token");
  });

  it("leaves the removed person's sessions in their other businesses alone", async () => {
    const owner = await signup();
    const elsewhere = await signup();
    const accepted = await accept({ token: (await invite(owner, elsewhere.email)).body.token, password: elsewhere.password });
    expect((await remove(owner.accessToken, elsewhere.userId)).status).toBe(204);
    expectError(await api("/api/v1/business", { token: accepted.body.access_token }), 401, "invalid_token");
    expect((await api("/api/v1/business", { token: elsewhere.accessToken })).body.id).toBe(elsewhere.businessId);
    expect((await api("/auth/refresh", { body: { refresh_token: elsewhere.refreshToken } })).status).toBe(200);
  });

  it("keeps admins from removing owners and anyone from removing the last owner", async () => {
    const owner = await signup();
    const admin = await teammate(owner, "admin");
    expectError(await remove(admin.accessToken, owner.userId), 403, "forbidden");
    expectError(await remove(owner.accessToken, owner.userId), 409, "conflict");
    expect(await roleOf(owner.businessId, owner.userId)).toEqual({ role: "owner" });
    expect((await api("/api/v1/business", { token: owner.accessToken })).status).toBe(200);
  });

  it("refuses plain members and answers 404 for another business's user", async () => {
    const owner = await signup();
    const other = await signup();
    const member = await teammate(owner, "member");
    expectError(await remove(member.accessToken, owner.userId), 403, "forbidden");
    expectError(await remove(owner.accessToken, other.userId), 404, "not_found", "userId");
    expect(await roleOf(other.businessId, other.userId)).toEqual({ role: "owner" });
    expect((await api("/api/v1/business", { token: other.accessToken })).status).toBe(200);
  });
});
