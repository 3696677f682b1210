import { createScheduledController, createExecutionContext, env, waitOnExecutionContext } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import worker from "../src/index";
import { api, signup } from "./helpers/api";

describe("the minute cron", () => {
  it("forgets idempotency records older than 24 hours and keeps fresh ones", async () => {
    const headers = (key: string) => ({ "idempotency-key": key });
    const body = () => ({ email: `cron.${crypto.randomUUID()}@example.com`, password: "YourPassword123!", business_name: "Cron" });
    const old = crypto.randomUUID();
    const fresh = crypto.randomUUID();
    await api("/auth/signup", { body: body(), headers: headers(old) });
    await api("/auth/signup", { body: body(), headers: headers(fresh) });
    await env.DB.prepare("UPDATE idempotency_keys SET expires_at = ? WHERE key = ?").bind(new Date(Date.now() - 1).toISOString(), old).run();

    const ctx = createExecutionContext();
    await worker.scheduled(createScheduledController({ cron: "* * * * *" }), env, ctx);
    await waitOnExecutionContext(ctx);

    const keys = await env.DB.prepare("SELECT key FROM idempotency_keys WHERE key IN (?, ?)").bind(old, fresh).all<{ key: string }>();
    expect(keys.results.map((r) => r.key)).toEqual([fresh]);
  });

  it("starts a scheduled notification whose dispatcher was never woken", async () => {
    const account = await signup();
    const agent = await api("/api/v1/agents", { key: account.apiKey, body: { name: "A", system_prompt: "Remind {{recipient_first_name}}." } });
    const customer = await api("/api/v1/customers", { key: account.apiKey, body: { first_name: "Ann", phone: "+14155550110" } });
    const created = await api("/api/v1/notifications", {
      key: account.apiKey,
      body: { customer_id: customer.body.id, agent_id: agent.body.id, scheduled_at: new Date(Date.now() + 3_600_000).toISOString() },
    });
    expect(created.body.notification.status).toBe("scheduled");
    // Its time comes, but the wake-up was lost: only the sweep can start it.
    await env.DB.prepare("UPDATE notifications SET scheduled_at = ? WHERE id = ?").bind(new Date(Date.now() - 1000).toISOString(), created.body.notification.id).run();

    const ctx = createExecutionContext();
    await worker.scheduled(createScheduledController({ cron: "* * * * *" }), env, ctx);
    await waitOnExecutionContext(ctx);

    // The attempt passes through in_progress before the carrier's refusal lands: wait for the end.
    const unfinished = ["scheduled", "pending", "in_progress"];
    const deadline = Date.now() + 20_000;
    let status = "scheduled";
    while (unfinished.includes(status) && Date.now() < deadline) {
      status = (await api(`/api/v1/notifications/${created.body.notification.id}`, { key: account.apiKey })).body.status;
      if (unfinished.includes(status)) await new Promise((r) => setTimeout(r, 100));
    }
    // +14155550110 is the emulated carrier's invalid number: the attempt was made and refused.
    expect(status).toBe("failed");
    const calls = await env.DB.prepare("SELECT status, end_reason, error_code FROM calls WHERE notification_id = ?").bind(created.body.notification.id).all();
    expect(calls.results).toEqual([{ status: "failed", end_reason: "carrier_refused", error_code: "21211" }]);
  });
});
