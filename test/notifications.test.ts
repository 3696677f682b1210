import { env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { type Account, api, expectError, signup } from "./helpers/api";

// A magic number the emulated carrier refuses (21211), so an immediate call fails at once, deterministically.
const REFUSED = "+14155550110";
const PROMPT =
  "You are a friendly assistant calling {{recipient_first_name}} on behalf of {{business_name}}. Confirm the appointment on {{appointment_time}} with {{doctor_name}}.";
const VARIABLES = { appointment_time: "Thursday March 20th at 2:00 PM", doctor_name: "Dr. Patel" };

async function setUp(phone = "+14155552671") {
  const account = await signup();
  const agent = await api("/api/v1/agents", { key: account.apiKey, body: { name: "Appointment Reminder", system_prompt: PROMPT } });
  const customer = await api("/api/v1/customers", { key: account.apiKey, body: { first_name: "John", last_name: "Smith", phone } });
  if (agent.status !== 201 || customer.status !== 201) throw new Error("setup failed");
  return { account, agentId: agent.body.id as string, customerId: customer.body.id as string };
}

const notify = (account: Account, body: Record<string, unknown>) => api("/api/v1/notifications", { key: account.apiKey, body });
const stored = (account: Account) =>
  env.DB.prepare("SELECT COUNT(*) AS n FROM notifications WHERE project_id = ?").bind(account.projectId).first<number>("n");
const row = (id: string) => env.DB.prepare("SELECT * FROM notifications WHERE id = ?").bind(id).first<Record<string, any>>();

describe("POST /api/v1/notifications, agent path", () => {
  it("accepts the quickstart's step 4 body, stores the call and, when placing fails, answers the failure", async () => {
    const { account, agentId, customerId } = await setUp(REFUSED);
    const step4 = `{
    "customer_id": "${customerId}",
    "agent_id": "${agentId}",
    "variables": {
      "appointment_time": "Thursday March 20th at 2:00 PM",
      "doctor_name": "Dr. Patel"
    }
  }`;
    const res = await api("/api/v1/notifications", { rawBody: step4, headers: { "x-api-key": account.apiKey, "Content-Type": "application/json" } });
    expect(res.status).toBe(201);
    expect(res.body.notification).toMatchObject({
      project_id: account.projectId,
      agent_id: agentId,
      customer_id: customerId,
      target_phone_e164: REFUSED,
      message: "",
      context: null,
      collect_feedback: false,
      max_duration_seconds: 180,
      status: "failed",
      call_result: null,
      attempts: 1,
      failure_reason: expect.any(String),
    });
    expect(res.body.call).toEqual({ callId: res.body.notification.last_call_id, status: "failed" });
    const call = await env.DB.prepare("SELECT * FROM calls WHERE id = ?").bind(res.body.call.callId).first<Record<string, any>>();
    expect(call).toMatchObject({ notification_id: res.body.notification.id, status: "failed", carrier: "emulator", to_number: REFUSED, from_number: "+14155550100" });
    expect(call?.ended_at).toEqual(expect.any(String));
  });

  it("stores the rendered script: the prompt with every variable filled", async () => {
    const { account, agentId, customerId } = await setUp();
    const res = await notify(account, { customer_id: customerId, agent_id: agentId, variables: VARIABLES, dispatch: "manual" });
    expect(res.status).toBe(201);
    expect(res.body.notification.instructions).toContain("calling John on behalf of Acme Inc. Confirm the appointment on Thursday March 20th at 2:00 PM with Dr. Patel.");
    expect(res.body.notification.variables).toEqual(VARIABLES);
    expect((await row(res.body.notification.id))?.instructions).toBe(res.body.notification.instructions);
  });

  it("refuses unfilled placeholders with 422 naming every missing variable, and stores nothing", async () => {
    const { account, agentId, customerId } = await setUp();
    const res = await notify(account, { customer_id: customerId, agent_id: agentId, variables: { agent_name: "Echo" } });
    const error = expectError(res, 422, "unprocessable", "variables");
    expect(error.message).toContain("Missing variables: appointment_time, doctor_name");
    expect(await stored(account)).toBe(0);
  });

  it("fills placeholders from the customer's custom fields and the business", async () => {
    const { account, customerId } = await setUp();
    const agent = await api("/api/v1/agents", { key: account.apiKey, body: { name: "Plan", system_prompt: "{{business_summary}} / {{industry}} / plan {{plan}}" } });
    await api(`/api/v1/customers/${customerId}`, { method: "PATCH", key: account.apiKey, body: { custom_fields: { plan: "gold" } } });
    const res = await notify(account, { customer_id: customerId, agent_id: agent.body.id, dispatch: "manual" });
    expect(res.status).toBe(201);
    expect(res.body.notification.instructions).toContain("A SaaS platform for project management / Software / plan gold");
  });

  it("answers 404 for another project's customer and stores nothing", async () => {
    const { account, agentId } = await setUp();
    const other = await setUp();
    const res = await notify(account, { customer_id: other.customerId, agent_id: agentId, variables: VARIABLES });
    expectError(res, 404, "not_found", "customer_id");
    expect(await stored(account)).toBe(0);
    expect(await stored(other.account)).toBe(0);
  });

  it("answers 404 for another business's agent and for a deleted agent", async () => {
    const { account, customerId } = await setUp();
    const other = await setUp();
    expectError(await notify(account, { customer_id: customerId, agent_id: other.agentId, variables: VARIABLES }), 404, "not_found", "agent_id");
    const agent = await api("/api/v1/agents", { key: account.apiKey, body: { name: "Gone", system_prompt: "Hello" } });
    expect((await api(`/api/v1/agents/${agent.body.id}`, { method: "DELETE", key: account.apiKey })).status).toBe(204);
    expectError(await notify(account, { customer_id: customerId, agent_id: agent.body.id }), 404, "not_found", "agent_id");
    expect(await stored(account)).toBe(0);
  });

  it("answers 409 for a disabled agent", async () => {
    const { account, agentId, customerId } = await setUp();
    await api(`/api/v1/agents/${agentId}`, { method: "PATCH", key: account.apiKey, body: { enabled: false } });
    expectError(await notify(account, { customer_id: customerId, agent_id: agentId, variables: VARIABLES }), 409, "conflict", "agent_id");
    expect(await stored(account)).toBe(0);
  });

  it("answers 422 when the customer has no active phone", async () => {
    const { account, agentId, customerId } = await setUp();
    await api(`/api/v1/customers/${customerId}`, { method: "PATCH", key: account.apiKey, body: { phones: [{ value: "+14155552671", status: "inactive" }] } });
    expectError(await notify(account, { customer_id: customerId, agent_id: agentId, variables: VARIABLES }), 422, "unprocessable", "customer_id");
    expect(await stored(account)).toBe(0);
  });
});

describe("POST /api/v1/notifications, LLM path", () => {
  it("requires a message when agent_id is omitted", async () => {
    const { account, customerId } = await setUp();
    expectError(await notify(account, { customer_id: customerId }), 400, "validation_failed", "message");
    expectError(await notify(account, { customer_id: customerId, message: "   " }), 400, "validation_failed", "message");
    expect(await stored(account)).toBe(0);
  });

  it("writes the agent's prompt from the message, context and business, with the template version", async () => {
    const { account, customerId } = await setUp();
    const res = await notify(account, {
      customer_id: customerId,
      message: "Your appointment tomorrow at 10 AM has been confirmed.",
      context: "Patient has been a client for 3 years.",
      collect_feedback: true,
      max_duration_seconds: 120,
      dispatch: "manual",
    });
    expect(res.status).toBe(201);
    expect(res.body.notification).toMatchObject({ agent_id: null, status: "pending", collect_feedback: true, max_duration_seconds: 120 });
    expect(res.body.call).toBeNull();
    const instructions: string = res.body.notification.instructions;
    expect(instructions).toContain("calling John Smith on behalf of Acme Inc.");
    expect(instructions).toContain("Your appointment tomorrow at 10 AM has been confirmed.");
    expect(instructions).toContain("Patient has been a client for 3 years.");
    expect(instructions).toMatch(/reschedule/);
    expect((await row(res.body.notification.id))?.prompt_template).toBe("llm-v1");
  });

  it("refuses a message with an unfilled placeholder", async () => {
    const { account, customerId } = await setUp();
    const res = await notify(account, { customer_id: customerId, message: "Order {{order_id}} ships {{ship_date}}." });
    expect(expectError(res, 422, "unprocessable").message).toContain("Missing variables: order_id, ship_date");
    expect(await stored(account)).toBe(0);
  });
});

describe("POST /api/v1/notifications, task fields and scheduling", () => {
  it("stores and returns the task fields", async () => {
    const { account, agentId, customerId } = await setUp();
    const body = {
      customer_id: customerId,
      agent_id: agentId,
      variables: VARIABLES,
      name: "Call customer",
      description: "Follow up call",
      starting_message: "Hello {{recipient_first_name}}, this is a call from our company",
      priority: 5,
      webhook_url: "https://your-app.com/webhooks",
      webhook_events: ["call_started", "call.summary"],
      dispatch: "manual",
    };
    const res = await notify(account, body);
    expect(res.status).toBe(201);
    expect(res.body.notification).toMatchObject({
      name: "Call customer",
      description: "Follow up call",
      starting_message: "Hello {{recipient_first_name}}, this is a call from our company",
      greeting: "Hello John, this is a call from our company",
      priority: 5,
      scheduled_at: null,
      webhook_url: "https://your-app.com/webhooks",
      webhook_events: ["call_started", "call.summary"],
      source: "notification",
      channel: "call",
    });
  });

  it("keeps a notification with a future scheduled_at as scheduled, places no call and wakes the project's dispatcher", async () => {
    const { account, agentId, customerId } = await setUp();
    const at = new Date(Date.now() + 3_600_000);
    const res = await notify(account, { customer_id: customerId, agent_id: agentId, variables: VARIABLES, scheduled_at: at.toISOString().replace(/\.\d+Z$/, "+00:00") });
    expect(res.status).toBe(201);
    expect(res.body.notification).toMatchObject({ status: "scheduled", scheduled_at: at.toISOString().replace(/\.\d+Z$/, ".000Z"), attempts: 0 });
    expect(res.body.call).toBeNull();
    expect(await env.DB.prepare("SELECT COUNT(*) AS n FROM calls WHERE notification_id = ?").bind(res.body.notification.id).first("n")).toBe(0);
    const stub = env.PROJECT_DISPATCHER.get(env.PROJECT_DISPATCHER.idFromName(account.projectId));
    const alarm = await runInDurableObject(stub, (_instance, state) => state.storage.getAlarm());
    expect(alarm).toBe(Math.floor(at.getTime() / 1000) * 1000);
  });

  it("refuses a scheduled_at in the past", async () => {
    const { account, agentId, customerId } = await setUp();
    const res = await notify(account, { customer_id: customerId, agent_id: agentId, variables: VARIABLES, scheduled_at: "2020-01-01T00:00:00Z" });
    expectError(res, 400, "validation_failed", "scheduled_at");
    expect(await stored(account)).toBe(0);
  });

  it("validates each field and names it", async () => {
    const { account, agentId, customerId } = await setUp();
    const base = { customer_id: customerId, agent_id: agentId, variables: VARIABLES };
    const cases: [Record<string, unknown>, string][] = [
      [{ max_duration_seconds: 29 }, "max_duration_seconds"],
      [{ max_duration_seconds: 601 }, "max_duration_seconds"],
      [{ webhook_url: "http://your-app.com/webhooks" }, "webhook_url"],
      [{ webhook_events: ["call_exploded"] }, "webhook_events.0"],
      [{ dispatch: "later" }, "dispatch"],
      [{ priority: 1.5 }, "priority"],
      [{ customer_id: "not-a-uuid" }, "customer_id"],
      [{ scheduled_at: "tomorrow" }, "scheduled_at"],
    ];
    for (const [change, param] of cases) expectError(await notify(account, { ...base, ...change }), 400, "validation_failed", param);
    expect(await stored(account)).toBe(0);
  });

  it("refuses unknown and read-only fields", async () => {
    const { account, agentId, customerId } = await setUp();
    for (const field of ["status", "project_id", "attempts", "instructions"]) {
      expectError(await notify(account, { customer_id: customerId, agent_id: agentId, variables: VARIABLES, [field]: "x" }), 400, "unknown_field", field);
    }
    expect(await stored(account)).toBe(0);
  });
});

describe("POST /api/v1/notifications, access", () => {
  it("answers 503 for a live project on a deployment without carrier credentials, and stores nothing", async () => {
    const { account, agentId, customerId } = await setUp();
    const patched = await api(`/api/v1/projects/${account.projectId}`, { method: "PATCH", token: account.accessToken, body: { environment: "live" } });
    expect(patched.status).toBe(200);
    expectError(await notify(account, { customer_id: customerId, agent_id: agentId, variables: VARIABLES, dispatch: "manual" }), 503, "service_unavailable");
    expect(await stored(account)).toBe(0);
  });

  it("needs the project's API key", async () => {
    const { account, customerId } = await setUp();
    expectError(await api("/api/v1/notifications", { body: { customer_id: customerId, message: "Hi" } }), 401, "unauthenticated");
    expectError(await api("/api/v1/notifications", { token: account.accessToken, body: { customer_id: customerId, message: "Hi" } }), 403, "forbidden");
    expect(await stored(account)).toBe(0);
  });
});
