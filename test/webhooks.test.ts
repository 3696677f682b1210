import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { webhookUrlProblem } from "../src/delivery/url-policy";
import { type Account, api, expectError, signup } from "./helpers/api";

const path = (account: Account, rest = "") => `/api/v1/projects/${account.projectId}/webhooks${rest}`;
const register = (account: Account, body: Record<string, unknown>) => api(path(account), { key: account.apiKey, body });
const URL_OK = "https://your-server.com/webhooks/echo";

describe("webhook endpoints", () => {
  it("registers an endpoint as the seed's step 5 does and shows a whsec_ secret once, stored encrypted", async () => {
    const account = await signup();
    const res = await register(account, { url: URL_OK, events: ["call.summary"] });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ url: URL_OK, events: ["call.summary"], enabled: true, project_id: account.projectId });
    expect(res.body.signing_secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    const row = await env.DB.prepare("SELECT secret_sealed FROM webhook_endpoints WHERE id = ?").bind(res.body.id).first<string>("secret_sealed");
    expect(row).not.toContain(res.body.signing_secret.slice(6, 20));

    const read = await api(path(account, `/${res.body.id}`), { key: account.apiKey });
    expect(read.status).toBe(200);
    expect(read.body.signing_secret).toBeUndefined();
    const list = await api(path(account), { key: account.apiKey });
    expect(list.body.data.map((e: { id: string }) => e.id)).toEqual([res.body.id]);
    expect(list.body.data[0].signing_secret).toBeUndefined();
  });

  it("normalises Echo's underscore event names to the dotted ones", async () => {
    const account = await signup();
    const res = await register(account, { url: URL_OK, events: ["call_started", "call.started", "call_failed"] });
    expect(res.status).toBe(201);
    expect(res.body.events).toEqual(["call.started", "call.failed"]);
  });

  it("refuses unknown events and unknown fields", async () => {
    const account = await signup();
    expectError(await register(account, { url: URL_OK, events: ["call.exploded"] }), 400, "validation_failed");
    expectError(await register(account, { url: URL_OK, events: ["call.summary"], enabled: false, secret: "x" }), 400, "unknown_field");
  });

  it.each([
    ["http://your-server.com/hook", "https"],
    ["https://user:pass@your-server.com/hook", "credentials"],
    ["https://localhost/hook", "local name"],
    ["https://api.localhost/hook", "local name"],
    ["https://db.internal/hook", "local name"],
    ["https://printer.local/hook", "local name"],
    ["https://127.0.0.1/hook", "private"],
    ["https://10.1.2.3/hook", "private"],
    ["https://172.20.0.1/hook", "private"],
    ["https://192.168.1.1/hook", "private"],
    ["https://169.254.169.254/latest/meta-data", "private"],
    ["https://100.64.0.1/hook", "private"],
    ["https://0.0.0.0/hook", "private"],
    ["https://[::1]/hook", "private"],
    ["https://[fd00::1]/hook", "private"],
    ["https://[fe80::1]/hook", "private"],
    ["http://localhost:3000/hook", "https"],
  ])("refuses %s", async (url, reason) => {
    const account = await signup();
    const res = await register(account, { url, events: ["call.summary"] });
    expectError(res, 400, "validation_failed", "url");
    expect(res.body.error.message).toContain(reason);
    expect(await env.DB.prepare("SELECT COUNT(*) AS n FROM webhook_endpoints WHERE project_id = ?").bind(account.projectId).first("n")).toBe(0);
  });

  it("changes url, events, description and enabled with PATCH, checking the new URL", async () => {
    const account = await signup();
    const { body } = await register(account, { url: URL_OK, events: ["call.summary"] });
    const res = await api(path(account, `/${body.id}`), { key: account.apiKey, method: "PATCH", body: { url: "https://other.example.com/h", events: ["call_completed"], description: "New", enabled: false } });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ url: "https://other.example.com/h", events: ["call.completed"], description: "New", enabled: false });
    expect(res.body.signing_secret).toBeUndefined();
    expectError(await api(path(account, `/${body.id}`), { key: account.apiKey, method: "PATCH", body: { url: "https://10.0.0.1/x" } }), 400, "validation_failed", "url");
    expect((await api(path(account, `/${body.id}`), { key: account.apiKey })).body.url).toBe("https://other.example.com/h");
  });

  it("deletes an endpoint", async () => {
    const account = await signup();
    const { body } = await register(account, { url: URL_OK, events: ["call.summary"] });
    expect((await api(path(account, `/${body.id}`), { key: account.apiKey, method: "DELETE" })).status).toBe(204);
    expectError(await api(path(account, `/${body.id}`), { key: account.apiKey }), 404, "not_found", "id");
  });

  it("rotates the secret: a new one shown once, the old one kept until the overlap ends", async () => {
    const account = await signup();
    const { body } = await register(account, { url: URL_OK, events: ["call.summary"] });
    const res = await api(path(account, `/${body.id}/rotate`), { key: account.apiKey, body: { expires_in_seconds: 3600 } });
    expect(res.status).toBe(200);
    expect(res.body.signing_secret).toMatch(/^whsec_/);
    expect(res.body.signing_secret).not.toBe(body.signing_secret);
    const expires = Date.parse(res.body.previous_secret_expires_at);
    expect(Math.abs(expires - Date.now() - 3_600_000)).toBeLessThan(60_000);
    expectError(await api(path(account, `/${body.id}/rotate`), { key: account.apiKey, body: { expires_in_seconds: 604801 } }), 400, "validation_failed");
  });

  it("answers 404 for another project's endpoints and path, and changes nothing", async () => {
    const owner = await signup();
    const other = await signup();
    const { body } = await register(owner, { url: URL_OK, events: ["call.summary"] });
    // The other tenant's key on the owner's project path.
    expectError(await api(path(owner), { key: other.apiKey }), 404, "not_found", "projectId");
    expectError(await api(path(owner, `/${body.id}`), { key: other.apiKey, method: "DELETE" }), 404, "not_found", "projectId");
    // Its own project path with the owner's endpoint id.
    expectError(await api(path(other, `/${body.id}`), { key: other.apiKey, method: "PATCH", body: { enabled: false } }), 404, "not_found", "id");
    expectError(await api(path(other, `/${body.id}/rotate`), { key: other.apiKey, body: {} }), 404, "not_found", "id");
    const read = await api(path(owner, `/${body.id}`), { key: owner.apiKey });
    expect(read.body).toMatchObject({ enabled: true, previous_secret_expires_at: null });
  });

  it("needs an API key", async () => {
    const account = await signup();
    expectError(await api(path(account)), 401, "unauthenticated");
    expectError(await api(path(account), { token: account.accessToken }), 403, "forbidden");
  });

  it("allows http://localhost and 127.0.0.1 only when ALLOW_LOCALHOST_WEBHOOKS is on", () => {
    expect(webhookUrlProblem("http://localhost:3000/hook", true)).toBeNull();
    expect(webhookUrlProblem("http://127.0.0.1:3000/hook", true)).toBeNull();
    expect(webhookUrlProblem("http://10.0.0.1/hook", true)).toContain("https");
    expect(webhookUrlProblem("http://localhost:3000/hook", false)).toContain("https");
  });
});
