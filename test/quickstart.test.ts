import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { type Account, api, uniqueEmail } from "./helpers/api";
import { waitForCallEnd } from "./helpers/calls";

const account = (apiKey: string) => ({ apiKey }) as Account;

/**
 * Steps 1–3 of Echo's quickstart (shared/seeds/001), with the documented bodies sent byte for
 * byte and the documented headers; only the host (and, so reruns do not collide, the email) differ.
 */
const step1 = (email: string) => `{
    "email": "${email}",
    "password": "YourPassword123!",
    "first_name": "Jane",
    "last_name": "Doe",
    "business_name": "Acme Inc",
    "business_summary": "A SaaS platform for project management",
    "industry": "Software"
  }`;

const step2 = `{
    "name": "Appointment Reminder",
    "system_prompt": "You are a friendly assistant calling {{recipient_first_name}} on behalf of {{business_name}}. Start the call by saying: \\"Hi, is this {{recipient_first_name}}? Great — I'm calling from {{business_name}} to confirm your appointment on {{appointment_time}} with {{doctor_name}}. Does that time still work for you?\\" If they need to reschedule, collect a preferred time and end the call warmly. Do not discuss anything else.",
    "output_schema": {
      "type": "object",
      "required": ["confirmed"],
      "properties": {
        "confirmed": {
          "type": "boolean",
          "description": "Whether the patient confirmed the appointment"
        },
        "reschedule_request": {
          "type": "string",
          "description": "Preferred reschedule time if they want to change it"
        }
      }
    }
  }`;

const step3 = `{
    "external_id": "user_12345",
    "first_name": "John",
    "last_name": "Smith",
    "phone": "+14155552671"
  }`;

const step4 = (customerId: string, agentId: string) => `{
    "customer_id": "${customerId}",
    "agent_id": "${agentId}",
    "variables": {
      "appointment_time": "Thursday March 20th at 2:00 PM",
      "doctor_name": "Dr. Patel"
    }
  }`;

const json = { "Content-Type": "application/json" };

describe("Echo quickstart, verbatim", () => {
  it("signs up, creates the documented agent and the documented customer with the returned key", async () => {
    const email = uniqueEmail("you");
    const signup = await api("/auth/signup", { method: "POST", rawBody: step1(email), headers: json });
    expect(signup.status).toBe(201);
    expect(signup.body).toMatchObject({
      access_token: expect.any(String),
      refresh_token: expect.any(String),
      user: { id: expect.any(String), email },
      business: { id: expect.any(String), name: "Acme Inc" },
      default_project: { id: expect.any(String), name: "default", api_key: expect.stringMatching(/^echo_[0-9a-f]{64}$/) },
    });
    const apiKey: string = signup.body.default_project.api_key;

    const agent = await api("/api/v1/agents", { method: "POST", rawBody: step2, headers: { "x-api-key": apiKey, ...json } });
    expect(agent.status).toBe(201);
    expect(agent.body).toMatchObject({ id: expect.stringMatching(/^[0-9a-f-]{36}$/), name: "Appointment Reminder", status: "active", created_at: expect.any(String) });
    expect(new Date(agent.body.created_at).toISOString()).toBe(agent.body.created_at);
    expect(agent.body.variables).toEqual(["appointment_time", "business_name", "doctor_name", "recipient_first_name"]);

    const customer = await api("/api/v1/customers", { method: "POST", rawBody: step3, headers: { "x-api-key": apiKey, ...json } });
    expect(customer.status).toBe(201);
    expect(customer.body).toMatchObject({
      id: expect.any(String),
      project_id: signup.body.default_project.id,
      external_id: "user_12345",
      first_name: "John",
      last_name: "Smith",
      phones: [{ value: "+14155552671", is_primary: true, status: "active" }],
    });

    // What the later steps rely on is stored: the agent business-wide, the customer in the project.
    const agentRow = await env.DB.prepare("SELECT business_id FROM agents WHERE id = ?").bind(agent.body.id).first();
    expect(agentRow).toEqual({ business_id: signup.body.business.id });
    const customerRow = await env.DB.prepare("SELECT project_id FROM customers WHERE id = ?").bind(customer.body.id).first();
    expect(customerRow).toEqual({ project_id: signup.body.default_project.id });

    // Step 4: the notification answers the documented body, and the call really happens.
    const sent = await api("/api/v1/notifications", { method: "POST", rawBody: step4(customer.body.id, agent.body.id), headers: { "x-api-key": apiKey, ...json } });
    expect(sent.status).toBe(201);
    expect(sent.body).toMatchObject({
      notification: { id: expect.any(String), status: "in_progress", target_phone_e164: "+14155552671" },
      call: { callId: expect.any(String), status: "queued" },
    });
    const call = await waitForCallEnd(account(apiKey), sent.body.call.callId);
    expect(call.status).toBe("completed");
    expect(call.transcript.map((line: { speaker: string }) => line.speaker)).toEqual(expect.arrayContaining(["agent", "customer"]));
  }, 40_000);
});
