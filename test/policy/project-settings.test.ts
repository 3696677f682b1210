import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { type Account, api, expectError, signup } from "../helpers/api";

const WINDOW = { start: "09:00", end: "20:00", days: ["mon", "tue", "wed", "thu", "fri"] };
const DEFAULT_RETRY = { max_attempts: 3, retry_on: ["no_answer", "busy", "voicemail"], intervals_seconds: [300, 3600] };

const patch = (account: Account, projectId: string, body: unknown) => api(`/api/v1/projects/${projectId}`, { method: "PATCH", token: account.accessToken, body });
const storedPolicy = (id: string) =>
  env.DB.prepare("SELECT max_concurrent_calls, retry_policy, calling_window FROM projects WHERE id = ?").bind(id).first<Record<string, unknown>>();

describe("project calling policy", () => {
  it("is set at creation, stored, and read back as set and as it applies", async () => {
    const account = await signup();
    const created = await api("/api/v1/projects", {
      token: account.accessToken,
      body: { name: "reminders", max_concurrent_calls: 25, retry_policy: { max_attempts: 5 }, calling_window: { start: "09:00", end: "20:00" } },
    });
    expect(created.status).toBe(201);
    const everyDay = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
    expect(created.body).toMatchObject({
      max_concurrent_calls: 25,
      retry_policy: { max_attempts: 5 },
      calling_window: { start: "09:00", end: "20:00", days: everyDay },
      effective_calling_policy: {
        max_concurrent_calls: 25,
        retry_policy: { ...DEFAULT_RETRY, max_attempts: 5 },
        calling_window: { start: "09:00", end: "20:00", days: everyDay },
      },
    });
    const read = await api(`/api/v1/projects/${created.body.id}`, { token: account.accessToken });
    expect(read.body).toEqual(created.body);
    expect(await storedPolicy(created.body.id)).toEqual({
      max_concurrent_calls: 25,
      retry_policy: JSON.stringify({ max_attempts: 5 }),
      calling_window: JSON.stringify({ start: "09:00", end: "20:00", days: everyDay }),
    });
  });

  it("is changed by PATCH, field by field, and null returns each setting to its default", async () => {
    const account = await signup();
    const set = await patch(account, account.projectId, { max_concurrent_calls: 3, retry_policy: { retry_on: ["busy"], intervals_seconds: [60] }, calling_window: WINDOW });
    expect(set.status).toBe(200);
    expect(set.body.effective_calling_policy).toEqual({
      max_concurrent_calls: 3,
      retry_policy: { max_attempts: 3, retry_on: ["busy"], intervals_seconds: [60] },
      calling_window: WINDOW,
    });
    // A field left out is unchanged.
    const renamed = await patch(account, account.projectId, { name: "renamed" });
    expect(renamed.body).toMatchObject({ max_concurrent_calls: 3, calling_window: WINDOW });

    const reset = await patch(account, account.projectId, { max_concurrent_calls: null, retry_policy: null, calling_window: null });
    expect(reset.body).toMatchObject({
      max_concurrent_calls: null,
      retry_policy: null,
      calling_window: null,
      effective_calling_policy: { max_concurrent_calls: 10, retry_policy: DEFAULT_RETRY, calling_window: null },
    });
    expect(await storedPolicy(account.projectId)).toEqual({ max_concurrent_calls: null, retry_policy: null, calling_window: null });
  });

  it("names the invalid field and stores nothing", async () => {
    const account = await signup();
    const cases: [unknown, string][] = [
      [{ max_concurrent_calls: 0 }, "max_concurrent_calls"],
      [{ max_concurrent_calls: 1001 }, "max_concurrent_calls"],
      [{ retry_policy: { max_attempts: 11 } }, "retry_policy.max_attempts"],
      [{ retry_policy: { retry_on: ["completed"] } }, "retry_policy.retry_on.0"],
      [{ retry_policy: { intervals_seconds: [30] } }, "retry_policy.intervals_seconds.0"],
      [{ retry_policy: { intervals_seconds: Array(10).fill(600) } }, "retry_policy.intervals_seconds"],
      [{ calling_window: { start: "9am", end: "20:00" } }, "calling_window.start"],
      [{ calling_window: { start: "20:00", end: "09:00" } }, "calling_window.end"],
      [{ calling_window: { start: "09:00", end: "20:00", days: ["funday"] } }, "calling_window.days.0"],
      [{ calling_window: { start: "09:00", end: "20:00", days: [] } }, "calling_window.days"],
    ];
    for (const [body, param] of cases) expectError(await patch(account, account.projectId, body), 400, "validation_failed", param);
    expect(await storedPolicy(account.projectId)).toEqual({ max_concurrent_calls: null, retry_policy: null, calling_window: null });
  });

  it("refuses unknown fields inside the policy objects", async () => {
    const account = await signup();
    expectError(await patch(account, account.projectId, { retry_policy: { max_attempts: 2, backoff: "exponential" } }), 400, "unknown_field", "retry_policy.backoff");
    expectError(await patch(account, account.projectId, { calling_window: { start: "09:00", end: "17:00", timezone: "UTC" } }), 400, "unknown_field", "calling_window.timezone");
  });

  it("cannot be changed on another business's project", async () => {
    const mine = await signup();
    const theirs = await signup();
    expectError(await patch(mine, theirs.projectId, { max_concurrent_calls: 1 }), 404, "not_found", "projectId");
    expect(await storedPolicy(theirs.projectId)).toEqual({ max_concurrent_calls: null, retry_policy: null, calling_window: null });
  });
});
