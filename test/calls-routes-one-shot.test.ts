import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { type Account, api, expectError, signup } from "./helpers/api";

// The emulated carrier refuses this number (21211): the call fails at once, deterministically.
const REFUSED = "+14155550110";

/** Elemente's documented body (shared/seeds/003), with a real agent id and a callable number. */
const elementeBody = (agentId: string, phone = REFUSED) => ({
  agentId,
  agentOverride: {
    name: "John Doe",
    phone: "+12673624524",
    imageURL: "https://example.com/image.jpg",
    language: "en-US",
    voiceStability: 0.5,
    voiceSpeed: 1.5,
    prompt: {
      initialMessage: "Hello {{firstName}}, My name is {{aiName}}. I am calling you about your order ID {{Order ID}}",
      prompt:
        "Your sponsibility is to notify the customer: {{firstName}} about his  order ID {{Order ID}} and the total cost  of {{Order Amount}}  with delivery date {{Delivery Date}}. That is all",
      routingConditions: { priority: "high" },
    },
  },
  channel: "call",
  skillId: "123e4567-e89b-12d3-a456-426614174000",
  customerOverride: {
    firstName: "John",
    lastName: "Doe",
    phoneNumber: phone,
    email: "admin@email.com",
    language: "en-US",
    customFields: [
      { name: "Order ID", value: "12345" },
      { name: "Order Date", value: "2025-03-12" },
      { name: "Order Amount", value: 150.75 },
      { name: "Active Status", value: true },
    ],
  },
  customerName: "John Does",
  customerPhone: phone,
  customerEmail: "customer@email.com",
});

type Body = ReturnType<typeof elementeBody>;
const withDeliveryDate = (body: Body): Body => ({
  ...body,
  customerOverride: { ...body.customerOverride, customFields: [...body.customerOverride.customFields, { name: "Delivery Date", value: "2025-03-20" }] },
});

async function setUp() {
  const account = await signup();
  const agent = await api("/api/v1/agents", { key: account.apiKey, body: { name: "Orders", system_prompt: "You help {{recipient_first_name}} with orders." } });
  return { account, agentId: agent.body.id as string };
}

const oneShot = (account: Account, body: unknown) => api("/api/v1/calls", { key: account.apiKey, body });
const count = (account: Account, table: "customers" | "notifications") =>
  env.DB.prepare(`SELECT COUNT(*) AS n FROM ${table} WHERE project_id = ?`).bind(account.projectId).first<number>("n");

describe("POST /api/v1/calls (Elemente one-shot)", () => {
  it("refuses the documented body as is, because {{Delivery Date}} has no value, and stores nothing", async () => {
    const { account, agentId } = await setUp();
    const res = await oneShot(account, elementeBody(agentId));
    const error = expectError(res, 422, "unprocessable", "customerOverride.customFields");
    expect(error.message).toContain("Missing variables: Delivery Date");
    expect(await count(account, "customers")).toBe(0);
    expect(await count(account, "notifications")).toBe(0);
  });

  it("creates the customer, renders the overrides with the custom fields and answers in Elemente's shape", async () => {
    const { account, agentId } = await setUp();
    const res = await oneShot(account, withDeliveryDate(elementeBody(agentId)));
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      id: expect.any(String),
      status: "failed",
      agentPhone: "+14155550100",
      agentEmail: null,
      customerPhone: REFUSED,
      customerEmail: "admin@email.com",
      agentId,
      customerId: expect.any(String),
      skillId: "123e4567-e89b-12d3-a456-426614174000",
      customerName: "John Doe",
      transcription: "",
      recordingUrl: null,
      messages: [],
      duration: 0,
      call_id: expect.any(String),
    });

    const customer = await api(`/api/v1/customers/${res.body.customerId}`, { key: account.apiKey });
    expect(customer.body).toMatchObject({
      first_name: "John",
      last_name: "Doe",
      email: "admin@email.com",
      language: "en-US",
      phones: [{ value: REFUSED, is_primary: true, status: "active" }],
      custom_fields: { "Order ID": "12345", "Order Amount": 150.75, "Active Status": true, "Delivery Date": "2025-03-20" },
    });

    const notification = await api(`/api/v1/notifications/${res.body.id}`, { key: account.apiKey });
    expect(notification.body).toMatchObject({ source: "one_shot", agent_id: agentId, customer_id: res.body.customerId, last_call_id: res.body.call_id });
    expect(notification.body.greeting).toBe("Hello John, My name is John Doe. I am calling you about your order ID 12345");
    expect(notification.body.instructions).toContain("notify the customer: John about his  order ID 12345 and the total cost  of 150.75  with delivery date 2025-03-20.");
    expect(notification.body.instructions).not.toContain("You help");
    const overrides = await env.DB.prepare("SELECT overrides FROM notifications WHERE id = ?").bind(res.body.id).first<string>("overrides");
    expect(JSON.parse(overrides!)).toMatchObject({ speed: 1.5, language: "en-US" });
    expect((await api(`/api/v1/calls/${res.body.call_id}`, { key: account.apiKey })).body).toMatchObject({ notification_id: res.body.id, to: REFUSED });
  });

  it("reuses the project's customer who has the number", async () => {
    const { account, agentId } = await setUp();
    const existing = await api("/api/v1/customers", { key: account.apiKey, body: { first_name: "Johnny", phones: [{ value: "+14155552671" }, { value: REFUSED }] } });
    const res = await oneShot(account, withDeliveryDate(elementeBody(agentId)));
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ customerId: existing.body.id, customerPhone: REFUSED });
    expect(await count(account, "customers")).toBe(1);
  });

  it("uses the agent's own prompt when there is no override, and the top-level customer fields", async () => {
    const { account, agentId } = await setUp();
    const body = { agentId, channel: "call", customerOverride: {}, customerName: "Ana Lucia Perez", customerPhone: REFUSED };
    const res = await oneShot(account, body);
    expect(res.status).toBe(201);
    const customer = await api(`/api/v1/customers/${res.body.customerId}`, { key: account.apiKey });
    expect(customer.body).toMatchObject({ first_name: "Ana", last_name: "Lucia Perez" });
    const notification = await api(`/api/v1/notifications/${res.body.id}`, { key: account.apiKey });
    expect(notification.body.instructions).toContain("You help Ana with orders.");
  });

  it("answers 422 naming channel for the channels not supported yet", async () => {
    const { account, agentId } = await setUp();
    for (const channel of ["sms", "whatsapp", "email", "webchat"]) {
      const error = expectError(await oneShot(account, { ...withDeliveryDate(elementeBody(agentId)), channel }), 422, "unprocessable", "channel");
      expect(error.message).toContain("not supported yet");
    }
    expectError(await oneShot(account, { ...elementeBody(agentId), channel: "fax" }), 400, "validation_failed", "channel");
    expect(await count(account, "customers")).toBe(0);
  });

  it("requires a valid number to call", async () => {
    const { account, agentId } = await setUp();
    const body = withDeliveryDate(elementeBody(agentId));
    const { phoneNumber: _, ...noPhone } = body.customerOverride;
    expectError(await oneShot(account, { ...body, customerOverride: noPhone, customerPhone: undefined }), 400, "validation_failed", "customerOverride.phoneNumber");
    expectError(await oneShot(account, elementeBody(agentId, "+1234567890")), 400, "validation_failed", "customerOverride.phoneNumber");
    expect(await count(account, "customers")).toBe(0);
  });

  it("answers 404 for another business's agent and 409 for a disabled one, storing nothing", async () => {
    const { account, agentId } = await setUp();
    const other = await setUp();
    expectError(await oneShot(account, withDeliveryDate(elementeBody(other.agentId))), 404, "not_found", "agentId");
    await api(`/api/v1/agents/${agentId}`, { method: "PATCH", key: account.apiKey, body: { enabled: false } });
    expectError(await oneShot(account, withDeliveryDate(elementeBody(agentId))), 409, "conflict", "agentId");
    expect(await count(account, "customers")).toBe(0);
    expect(await count(account, "notifications")).toBe(0);
  });

  it("refuses unknown fields", async () => {
    const { account, agentId } = await setUp();
    expectError(await oneShot(account, { ...withDeliveryDate(elementeBody(agentId)), status: "completed" }), 400, "unknown_field", "status");
    const body = withDeliveryDate(elementeBody(agentId));
    expectError(await oneShot(account, { ...body, customerOverride: { ...body.customerOverride, id: "x" } }), 400, "unknown_field", "customerOverride.id");
  });

  it("answers 503 for a live project on a deployment without carrier credentials, storing nothing", async () => {
    const { account, agentId } = await setUp();
    await api(`/api/v1/projects/${account.projectId}`, { method: "PATCH", token: account.accessToken, body: { environment: "live" } });
    expectError(await oneShot(account, withDeliveryDate(elementeBody(agentId))), 503, "service_unavailable");
    expect(await count(account, "customers")).toBe(0);
  });
});
