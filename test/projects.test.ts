import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { type Account, api, expectError, signup, uniqueEmail } from "./helpers/api";

async function teammate(owner: Account, role: "admin" | "member") {
  const invite = await api("/api/v1/members/invitations", { token: owner.accessToken, body: { email: uniqueEmail(role), role } });
  const accepted = await api("/auth/invitations/accept", { body: { token: invite.body.token, password: "Teammate123!" } });
  return { token: accepted.body.access_token as string };
}

const createProject = (account: Account, body: Record<string, unknown>) => api("/api/v1/projects", { token: account.accessToken, body });
const storedProject = (id: string) => env.DB.prepare("SELECT name, environment, rate_limit_per_minute FROM projects WHERE id = ?").bind(id).first();

describe("POST /api/v1/projects", () => {
  it("creates a project with the documented fields and no API key", async () => {
    const account = await signup();
    const res = await createProject(account, { name: "staging", environment: "sandbox", rate_limit_per_minute: 600 });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      id: expect.any(String),
      business_id: account.businessId,
      name: "staging",
      environment: "sandbox",
      rate_limit_per_minute: 600,
      max_concurrent_calls: null,
      retry_policy: null,
      calling_window: null,
      effective_calling_policy: {
        max_concurrent_calls: 10,
        retry_policy: { max_attempts: 3, retry_on: ["no_answer", "busy", "voicemail"], intervals_seconds: [300, 3600] },
        calling_window: null,
      },
      created_at: expect.any(String),
      updated_at: expect.any(String),
    });
    expect(await storedProject(res.body.id)).toEqual({ name: "staging", environment: "sandbox", rate_limit_per_minute: 600 });
    const keys = await env.DB.prepare("SELECT count(*) AS n FROM api_keys WHERE project_id = ?").bind(res.body.id).first();
    expect(keys).toEqual({ n: 0 });
  });

  it("defaults the environment as signup does and the rate limit to the deployment's", async () => {
    const account = await signup();
    const defaultProject = await api(`/api/v1/projects/${account.projectId}`, { token: account.accessToken });
    const res = await createProject(account, { name: "second" });
    expect(res.status).toBe(201);
    expect(res.body.environment).toBe(defaultProject.body.environment);
    expect(res.body.rate_limit_per_minute).toBeNull();
  });

  it("names the invalid field", async () => {
    const account = await signup();
    expectError(await createProject(account, { name: "x", environment: "production" }), 400, "validation_failed", "environment");
    expectError(await createProject(account, { name: "x", rate_limit_per_minute: 0 }), 400, "validation_failed", "rate_limit_per_minute");
    expectError(await createProject(account, { name: "x", rate_limit_per_minute: 100_001 }), 400, "validation_failed", "rate_limit_per_minute");
    expectError(await createProject(account, {}), 400, "validation_failed", "name");
  });

  it("refuses read-only fields such as business_id", async () => {
    const account = await signup();
    const other = await signup();
    expectError(await createProject(account, { name: "x", business_id: other.businessId }), 400, "unknown_field", "business_id");
    const count = await env.DB.prepare("SELECT count(*) AS n FROM projects WHERE business_id = ?").bind(other.businessId).first();
    expect(count).toEqual({ n: 1 });
  });

  it("refuses a plain member with 403", async () => {
    const owner = await signup();
    const member = await teammate(owner, "member");
    expectError(await api("/api/v1/projects", { token: member.token, body: { name: "x" } }), 403, "forbidden");
  });

  it("refuses an API key with 403 and no credentials with 401", async () => {
    const account = await signup();
    expectError(await api("/api/v1/projects", { key: account.apiKey, body: { name: "x" } }), 403, "forbidden");
    expectError(await api("/api/v1/projects", { body: { name: "x" } }), 401, "unauthenticated");
  });
});

describe("GET /api/v1/projects", () => {
  it("lists only the business's projects, newest first, and pages with a cursor", async () => {
    const account = await signup();
    await signup(); // another business's projects must not show up
    const two = await createProject(account, { name: "two" });
    const three = await createProject(account, { name: "three" });
    // Distinct creation times, so the expected order does not hang on a millisecond.
    for (const [id, at] of [[account.projectId, "2026-01-01"], [two.body.id, "2026-01-02"], [three.body.id, "2026-01-03"]]) {
      await env.DB.prepare("UPDATE projects SET created_at = ? WHERE id = ?").bind(`${at}T00:00:00.000Z`, id).run();
    }
    const first = await api("/api/v1/projects?limit=2", { token: account.accessToken });
    expect(first.status).toBe(200);
    expect(first.body.data.map((p: { name: string }) => p.name)).toEqual(["three", "two"]);
    expect(first.body.has_more).toBe(true);
    const second = await api(`/api/v1/projects?limit=2&cursor=${first.body.next_cursor}`, { token: account.accessToken });
    expect(second.body).toMatchObject({ data: [{ id: account.projectId, name: "default" }], has_more: false, next_cursor: null });
  });

  it("lets a plain member read projects", async () => {
    const owner = await signup();
    const member = await teammate(owner, "member");
    const list = await api("/api/v1/projects", { token: member.token });
    expect(list.body.data.map((p: { id: string }) => p.id)).toEqual([owner.projectId]);
    expect((await api(`/api/v1/projects/${owner.projectId}`, { token: member.token })).status).toBe(200);
  });
});

describe("GET /api/v1/projects/{projectId}", () => {
  it("answers 404 for another business's project", async () => {
    const mine = await signup();
    const theirs = await signup();
    expectError(await api(`/api/v1/projects/${theirs.projectId}`, { token: mine.accessToken }), 404, "not_found", "projectId");
  });

  it("answers 400 for an id that is not a UUID", async () => {
    const account = await signup();
    expectError(await api("/api/v1/projects/not-an-id", { token: account.accessToken }), 400, "validation_failed", "projectId");
  });
});

describe("PATCH /api/v1/projects/{projectId}", () => {
  it("changes only the fields sent; null returns the rate limit to the default", async () => {
    const account = await signup();
    const created = await createProject(account, { name: "staging", environment: "sandbox", rate_limit_per_minute: 50 });
    const path = `/api/v1/projects/${created.body.id}`;
    const renamed = await api(path, { method: "PATCH", token: account.accessToken, body: { name: "production", environment: "live" } });
    expect(renamed.status).toBe(200);
    expect(renamed.body).toMatchObject({ name: "production", environment: "live", rate_limit_per_minute: 50 });
    const reset = await api(path, { method: "PATCH", token: account.accessToken, body: { rate_limit_per_minute: null } });
    expect(reset.body.rate_limit_per_minute).toBeNull();
    expect(await storedProject(created.body.id)).toEqual({ name: "production", environment: "live", rate_limit_per_minute: null });
  });

  it("applies a new rate limit to the project's API keys", async () => {
    const account = await signup();
    await api(`/api/v1/projects/${account.projectId}`, { method: "PATCH", token: account.accessToken, body: { rate_limit_per_minute: 7 } });
    const res = await api("/api/v1/nonexistent-probe", { key: account.apiKey });
    expect(res.headers.get("x-ratelimit-limit")).toBe("7");
  });

  it("answers 404 for another business's project and changes nothing", async () => {
    const mine = await signup();
    const theirs = await signup();
    const res = await api(`/api/v1/projects/${theirs.projectId}`, { method: "PATCH", token: mine.accessToken, body: { name: "stolen" } });
    expectError(res, 404, "not_found", "projectId");
    expect(await storedProject(theirs.projectId)).toMatchObject({ name: "default" });
  });

  it("refuses unknown fields and a plain member", async () => {
    const owner = await signup();
    const path = `/api/v1/projects/${owner.projectId}`;
    expectError(await api(path, { method: "PATCH", token: owner.accessToken, body: { id: owner.businessId } }), 400, "unknown_field", "id");
    const member = await teammate(owner, "member");
    expectError(await api(path, { method: "PATCH", token: member.token, body: { name: "x" } }), 403, "forbidden");
    expect(await storedProject(owner.projectId)).toMatchObject({ name: "default" });
  });
});

describe("DELETE /api/v1/projects/{projectId}", () => {
  it("deletes the project and its API keys stop working at once", async () => {
    const account = await signup();
    const second = await createProject(account, { name: "second" });
    const res = await api(`/api/v1/projects/${account.projectId}`, { method: "DELETE", token: account.accessToken });
    expect(res.status).toBe(204);
    expect(await storedProject(account.projectId)).toBeNull();
    expectError(await api("/api/v1/nonexistent-probe", { key: account.apiKey }), 401, "invalid_api_key");
    expectError(await api(`/api/v1/projects/${account.projectId}`, { token: account.accessToken }), 404, "not_found");
    expect((await api(`/api/v1/projects/${second.body.id}`, { token: account.accessToken })).status).toBe(200);
  });

  it("refuses to delete the business's last project with 409", async () => {
    const account = await signup();
    const res = await api(`/api/v1/projects/${account.projectId}`, { method: "DELETE", token: account.accessToken });
    expectError(res, 409, "conflict", "projectId");
    expect(await storedProject(account.projectId)).not.toBeNull();
  });

  it("answers 404 for another business's project and deletes nothing", async () => {
    const mine = await signup();
    const theirs = await signup();
    await api("/api/v1/projects", { token: theirs.accessToken, body: { name: "spare" } });
    expectError(await api(`/api/v1/projects/${theirs.projectId}`, { method: "DELETE", token: mine.accessToken }), 404, "not_found");
    expect(await storedProject(theirs.projectId)).not.toBeNull();
  });

  it("refuses a plain member with 403", async () => {
    const owner = await signup();
    const spare = await createProject(owner, { name: "spare" });
    const member = await teammate(owner, "member");
    expectError(await api(`/api/v1/projects/${spare.body.id}`, { method: "DELETE", token: member.token }), 403, "forbidden");
    expect(await storedProject(spare.body.id)).not.toBeNull();
  });
});
