import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { type Account, api, expectError, signup, uniqueEmail } from "../helpers/api";
import { secretPath } from "./helpers";

const WHSEC = /^whsec_[A-Za-z0-9+/]{43}=$/;
/** A teammate with a plain member's role, signed in through an invitation. */
async function member(owner: Account): Promise<string> {
  const invitation = await api("/api/v1/members/invitations", { token: owner.accessToken, body: { email: uniqueEmail("member"), role: "member" } });
  const accepted = await api("/auth/invitations/accept", { body: { token: invitation.body.token, password: "Teammate123!" } });
  return accepted.body.access_token;
}

const sealedOf = (projectId: string) => env.DB.prepare("SELECT webhook_secret_sealed AS s FROM projects WHERE id = ?").bind(projectId).first<string | null>("s");

describe("the project webhook secret (for notifications' webhook_url)", () => {
  it("is made on first read, stored sealed, and the same on every read", async () => {
    const account = await signup();
    expect(await sealedOf(account.projectId)).toBeNull();
    const first = await api(secretPath(account), { token: account.accessToken });
    expect(first.status).toBe(200);
    expect(first.body).toEqual({ project_id: account.projectId, signing_secret: expect.stringMatching(WHSEC), previous_secret_expires_at: null });
    const sealed = await sealedOf(account.projectId);
    expect(sealed).toEqual(expect.any(String));
    expect(sealed).not.toContain(first.body.signing_secret.slice(6, 20));
    const again = await api(secretPath(account), { token: account.accessToken });
    expect(again.body.signing_secret).toBe(first.body.signing_secret);
  });

  it("rotates to a new secret, the old one overlapping for a day by default", async () => {
    const account = await signup();
    const before = await api(secretPath(account), { token: account.accessToken });
    const rotated = await api(secretPath(account, "/rotate"), { token: account.accessToken, method: "POST" });
    expect(rotated.status).toBe(200);
    expect(rotated.body.signing_secret).toMatch(WHSEC);
    expect(rotated.body.signing_secret).not.toBe(before.body.signing_secret);
    expect(Math.abs(Date.parse(rotated.body.previous_secret_expires_at) - Date.now() - 86_400_000)).toBeLessThan(60_000);
    expect((await api(secretPath(account), { token: account.accessToken })).body).toEqual(rotated.body);
  });

  it("retires the old secret at once with expires_in_seconds 0", async () => {
    const account = await signup();
    const rotated = await api(secretPath(account, "/rotate"), { token: account.accessToken, body: { expires_in_seconds: 0 } });
    expect(rotated.status).toBe(200);
    expect(rotated.body).toMatchObject({ signing_secret: expect.stringMatching(WHSEC), previous_secret_expires_at: null });
  });

  it("refuses an unknown field or an overlap over a week", async () => {
    const account = await signup();
    expectError(await api(secretPath(account, "/rotate"), { token: account.accessToken, body: { secret: "whsec_mine" } }), 400, "unknown_field");
    expectError(await api(secretPath(account, "/rotate"), { token: account.accessToken, body: { expires_in_seconds: 604_801 } }), 400, "validation_failed");
    expect(await sealedOf(account.projectId)).toBeNull();
  });

  it("answers 404 for another business's project and changes nothing", async () => {
    const owner = await signup();
    const other = await signup();
    const secret = (await api(secretPath(owner), { token: owner.accessToken })).body.signing_secret;
    const sealed = await sealedOf(owner.projectId);
    expectError(await api(secretPath(owner), { token: other.accessToken }), 404, "not_found", "projectId");
    expectError(await api(secretPath(owner, "/rotate"), { token: other.accessToken, method: "POST" }), 404, "not_found", "projectId");
    expect(await sealedOf(owner.projectId)).toBe(sealed);
    expect((await api(secretPath(owner), { token: owner.accessToken })).body.signing_secret).toBe(secret);
  });

  it("is for signed-in admins: an API key is refused with 403, no credentials with 401", async () => {
    const account = await signup();
    expectError(await api(secretPath(account), { key: account.apiKey }), 403, "forbidden");
    expectError(await api(secretPath(account, "/rotate"), { key: account.apiKey, method: "POST" }), 403, "forbidden");
    expectError(await api(secretPath(account)), 401, "unauthenticated");
    expect(await sealedOf(account.projectId)).toBeNull();
  });

  it("is refused to a plain member with 403", async () => {
    const owner = await signup();
    const token = await member(owner);
    expectError(await api(secretPath(owner), { token }), 403, "forbidden");
    expectError(await api(secretPath(owner, "/rotate"), { token, method: "POST" }), 403, "forbidden");
    expect(await sealedOf(owner.projectId)).toBeNull();
  });
});
