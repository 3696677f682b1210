import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { type Account, api, expectError, signup, uniqueEmail } from "./helpers/api";

async function teammate(owner: Account, role: "admin" | "member") {
  const invite = await api("/api/v1/members/invitations", { token: owner.accessToken, body: { email: uniqueEmail(role), role } });
  const accepted = await api("/auth/invitations/accept", { body: { token: invite.body.token, password: "Teammate123!" } });
  return { token: accepted.body.access_token as string };
}

const keysPath = (account: Account, projectId = account.projectId) => `/api/v1/projects/${projectId}/api-keys`;
const createKey = (account: Account, body: Record<string, unknown> = { name: "server" }) => api(keysPath(account), { token: account.accessToken, body });
const listKeys = (account: Account) => api(keysPath(account), { token: account.accessToken });

/** Past authentication an unknown path is a plain 404, so this tells whether a key is accepted. */
async function keyWorks(key: string, headers: Record<string, string> = { "x-api-key": key }) {
  const res = await api("/api/v1/nonexistent-probe", { headers });
  if (res.status === 404) return true;
  expectError(res, 401, "invalid_api_key");
  return false;
}

describe("POST /api/v1/projects/{projectId}/api-keys", () => {
  it("creates a key, shows its secret once and stores only its hash", async () => {
    const account = await signup();
    const res = await createKey(account, { name: "production server" });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      id: expect.any(String),
      project_id: account.projectId,
      name: "production server",
      prefix: res.body.api_key.slice(0, 12),
      last_four: res.body.api_key.slice(-4),
      status: "active",
      expires_at: null,
      revoked_at: null,
      created_at: expect.any(String),
      api_key: expect.stringMatching(/^echo_[0-9a-f]{64}$/),
    });
    const row = await env.DB.prepare("SELECT * FROM api_keys WHERE id = ?").bind(res.body.id).first();
    expect(JSON.stringify(row)).not.toContain(res.body.api_key);
  });

  it("accepts the new key as x-api-key, Bearer token and Basic username", async () => {
    const account = await signup();
    const { api_key: key } = (await createKey(account)).body;
    expect(await keyWorks(key, { "x-api-key": key })).toBe(true);
    expect(await keyWorks(key, { authorization: `Bearer ${key}` })).toBe(true);
    expect(await keyWorks(key, { authorization: `Basic ${btoa(`${key}:`)}` })).toBe(true);
  });

  it("stores a future expires_at in UTC and stops the key when it passes", async () => {
    const account = await signup();
    const res = await createKey(account, { name: "temp", expires_at: "2099-01-01T01:00:00+01:00" });
    expect(res.status).toBe(201);
    expect(res.body.expires_at).toBe("2099-01-01T00:00:00.000Z");
  });

  it("stops a key the moment its expires_at passes", async () => {
    const account = await signup();
    const expiresAt = new Date(Date.now() + 1500);
    const res = await createKey(account, { name: "short-lived", expires_at: expiresAt.toISOString() });
    expect(res.status).toBe(201);
    expect(await keyWorks(res.body.api_key)).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, expiresAt.getTime() - Date.now() + 50));
    expect(await keyWorks(res.body.api_key)).toBe(false);
    const listed = (await listKeys(account)).body.data.find((k: { id: string }) => k.id === res.body.id);
    expect(listed.status).toBe("expired");
  });

  it("refuses an expires_at in the past or not a timestamp", async () => {
    const account = await signup();
    expectError(await createKey(account, { name: "old", expires_at: "2020-01-01T00:00:00Z" }), 400, "validation_failed", "expires_at");
    expectError(await createKey(account, { name: "bad", expires_at: "tomorrow" }), 400, "validation_failed", "expires_at");
  });

  it("refuses a missing name and read-only fields", async () => {
    const account = await signup();
    expectError(await createKey(account, {}), 400, "validation_failed", "name");
    expectError(await createKey(account, { name: "x", revoked_at: null }), 400, "unknown_field", "revoked_at");
  });

  it("answers 404 for another business's project and creates nothing there", async () => {
    const mine = await signup();
    const theirs = await signup();
    const res = await api(keysPath(mine, theirs.projectId), { token: mine.accessToken, body: { name: "intruder" } });
    expectError(res, 404, "not_found", "projectId");
    expect(await env.DB.prepare("SELECT count(*) AS n FROM api_keys WHERE project_id = ?").bind(theirs.projectId).first()).toEqual({ n: 1 });
  });
});

describe("GET /api/v1/projects/{projectId}/api-keys", () => {
  it("lists keys with their status and never their secrets", async () => {
    const account = await signup();
    const created = await createKey(account, { name: "second" });
    const res = await listKeys(account);
    expect(res.status).toBe(200);
    expect(res.body.data).toHaveLength(2);
    expect(res.body.data.map((k: { name: string }) => k.name).sort()).toEqual(["default", "second"]);
    const text = JSON.stringify(res.body);
    expect(text).not.toContain(account.apiKey);
    expect(text).not.toContain(created.body.api_key);
    for (const key of res.body.data) {
      expect(Object.keys(key).sort()).toEqual(["created_at", "expires_at", "id", "last_four", "name", "prefix", "project_id", "revoked_at", "status"]);
    }
  });

  it("answers 404 for another business's project", async () => {
    const mine = await signup();
    const theirs = await signup();
    expectError(await api(keysPath(mine, theirs.projectId), { token: mine.accessToken }), 404, "not_found", "projectId");
  });
});

describe("DELETE /api/v1/projects/{projectId}/api-keys/{keyId}", () => {
  it("revokes the key: it is refused with 401 at once and listed as revoked", async () => {
    const account = await signup();
    const created = await createKey(account);
    expect(await keyWorks(created.body.api_key)).toBe(true);
    const res = await api(`${keysPath(account)}/${created.body.id}`, { method: "DELETE", token: account.accessToken });
    expect(res.status).toBe(204);
    expect(await keyWorks(created.body.api_key)).toBe(false);
    const listed = (await listKeys(account)).body.data.find((k: { id: string }) => k.id === created.body.id);
    expect(listed).toMatchObject({ status: "revoked", revoked_at: expect.any(String) });
    expect(await keyWorks(account.apiKey)).toBe(true);
  });

  it("keeps the first revocation time when revoked again", async () => {
    const account = await signup();
    const created = await createKey(account);
    const path = `${keysPath(account)}/${created.body.id}`;
    await api(path, { method: "DELETE", token: account.accessToken });
    const first = await env.DB.prepare("SELECT revoked_at FROM api_keys WHERE id = ?").bind(created.body.id).first();
    expect((await api(path, { method: "DELETE", token: account.accessToken })).status).toBe(204);
    expect(await env.DB.prepare("SELECT revoked_at FROM api_keys WHERE id = ?").bind(created.body.id).first()).toEqual(first);
  });

  it("answers 404 for another business's key, even under the caller's own project, and the key keeps working", async () => {
    const mine = await signup();
    const theirs = await signup();
    const theirKey = await createKey(theirs);
    const viaTheirProject = `${keysPath(mine, theirs.projectId)}/${theirKey.body.id}`;
    const viaMyProject = `${keysPath(mine)}/${theirKey.body.id}`;
    expectError(await api(viaTheirProject, { method: "DELETE", token: mine.accessToken }), 404, "not_found", "projectId");
    expectError(await api(viaMyProject, { method: "DELETE", token: mine.accessToken }), 404, "not_found", "keyId");
    expect(await keyWorks(theirKey.body.api_key)).toBe(true);
  });

  it("answers 404 for a key of another project of the same business", async () => {
    const account = await signup();
    const other = await api("/api/v1/projects", { token: account.accessToken, body: { name: "other" } });
    const key = await createKey(account);
    expectError(await api(`${keysPath(account, other.body.id)}/${key.body.id}`, { method: "DELETE", token: account.accessToken }), 404, "not_found", "keyId");
    expect(await keyWorks(key.body.api_key)).toBe(true);
  });
});

describe("POST /api/v1/projects/{projectId}/api-keys/{keyId}/roll", () => {
  const roll = (account: Account, keyId: string, body?: Record<string, unknown>) =>
    api(`${keysPath(account)}/${keyId}/roll`, { method: "POST", token: account.accessToken, body });
  const defaultKeyId = async (account: Account) => (await listKeys(account)).body.data[0].id as string;

  it("makes a new key with the same name and stops the old one at once by default", async () => {
    const account = await signup();
    const oldId = await defaultKeyId(account);
    const res = await roll(account, oldId);
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ name: "default", status: "active", expires_at: null, api_key: expect.stringMatching(/^echo_[0-9a-f]{64}$/) });
    expect(res.body.id).not.toBe(oldId);
    expect(res.body.rolled_key).toMatchObject({ id: oldId, status: "expired", expires_at: expect.any(String) });
    expect(await keyWorks(account.apiKey)).toBe(false);
    expect(await keyWorks(res.body.api_key)).toBe(true);
  });

  it("keeps the old key working for the requested overlap", async () => {
    const account = await signup();
    const before = Date.now();
    const res = await roll(account, await defaultKeyId(account), { expires_in_seconds: 3600 });
    expect(res.status).toBe(201);
    expect(res.body.rolled_key.status).toBe("active");
    expect(Date.parse(res.body.rolled_key.expires_at) - before).toBeGreaterThanOrEqual(3600_000 - 1000);
    expect(Date.parse(res.body.rolled_key.expires_at) - before).toBeLessThanOrEqual(3600_000 + 5000);
    expect(await keyWorks(account.apiKey)).toBe(true);
    expect(await keyWorks(res.body.api_key)).toBe(true);
  });

  it("never lengthens the old key's life", async () => {
    const account = await signup();
    const soon = new Date(Date.now() + 60_000).toISOString();
    const created = await createKey(account, { name: "short", expires_at: soon });
    const res = await roll(account, created.body.id, { expires_in_seconds: 3600 });
    expect(res.body.rolled_key.expires_at).toBe(soon);
  });

  it("refuses to roll a revoked key with 409 and makes no new key", async () => {
    const account = await signup();
    const created = await createKey(account);
    await api(`${keysPath(account)}/${created.body.id}`, { method: "DELETE", token: account.accessToken });
    expectError(await roll(account, created.body.id), 409, "conflict", "keyId");
    expect((await listKeys(account)).body.data).toHaveLength(2);
  });

  it("refuses an overlap beyond seven days and unknown fields", async () => {
    const account = await signup();
    const id = await defaultKeyId(account);
    expectError(await roll(account, id, { expires_in_seconds: 604_801 }), 400, "validation_failed", "expires_in_seconds");
    expectError(await roll(account, id, { expires_in_seconds: -1 }), 400, "validation_failed", "expires_in_seconds");
    expectError(await roll(account, id, { name: "renamed" }), 400, "unknown_field", "name");
    expect(await keyWorks(account.apiKey)).toBe(true);
  });

  it("answers 404 for another business's key and leaves it working", async () => {
    const mine = await signup();
    const theirs = await signup();
    const theirKeyId = await defaultKeyId(theirs);
    expectError(await roll(mine, theirKeyId), 404, "not_found", "keyId");
    const viaTheirProject = await api(`${keysPath(mine, theirs.projectId)}/${theirKeyId}/roll`, { method: "POST", token: mine.accessToken });
    expectError(viaTheirProject, 404, "not_found", "projectId");
    expect(await keyWorks(theirs.apiKey)).toBe(true);
    expect(await env.DB.prepare("SELECT count(*) AS n FROM api_keys WHERE project_id = ?").bind(theirs.projectId).first()).toEqual({ n: 1 });
  });
});

describe("who may manage API keys", () => {
  it("refuses plain members with 403 on every key route", async () => {
    const owner = await signup();
    const member = await teammate(owner, "member");
    const keyId = (await listKeys(owner)).body.data[0].id;
    const path = keysPath(owner);
    expectError(await api(path, { token: member.token }), 403, "forbidden");
    expectError(await api(path, { token: member.token, body: { name: "x" } }), 403, "forbidden");
    expectError(await api(`${path}/${keyId}`, { method: "DELETE", token: member.token }), 403, "forbidden");
    expectError(await api(`${path}/${keyId}/roll`, { method: "POST", token: member.token }), 403, "forbidden");
    expect(await keyWorks(owner.apiKey)).toBe(true);
  });

  it("lets an admin create keys", async () => {
    const owner = await signup();
    const admin = await teammate(owner, "admin");
    const res = await api(keysPath(owner), { token: admin.token, body: { name: "by admin" } });
    expect(res.status).toBe(201);
  });

  it("refuses a project API key with 403: keys are managed by signed-in people", async () => {
    const account = await signup();
    expectError(await api(keysPath(account), { key: account.apiKey, body: { name: "self-made" } }), 403, "forbidden");
    expectError(await api(keysPath(account)), 401, "unauthenticated");
  });
});
