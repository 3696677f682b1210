import { env } from "cloudflare:test";
import { type Account, api, signup } from "./api";

/** The Echo quickstart's agent: a prompt with variables and an output schema. */
export const REMINDER_AGENT = {
  name: "Appointment Reminder",
  system_prompt:
    "You are a friendly assistant calling {{recipient_first_name}} on behalf of {{business_name}} to confirm the appointment on {{appointment_time}} with {{doctor_name}}.",
  starting_message: "Hi {{recipient_first_name}}, this is {{business_name}} calling to confirm your appointment on {{appointment_time}} with {{doctor_name}}. Does that still work?",
  output_schema: {
    type: "object",
    required: ["confirmed"],
    properties: { confirmed: { type: "boolean" }, reschedule_request: { type: "string" } },
  },
};

export interface CallSetup {
  account: Account;
  agentId: string;
  customerId: string;
}

/** A business with the reminder agent and one customer reachable at `phone` (a magic number picks the callee's behaviour). */
export async function setUpCall(phone: string, agent: Record<string, unknown> = REMINDER_AGENT): Promise<CallSetup> {
  const account = await signup();
  const created = await api("/api/v1/agents", { key: account.apiKey, body: agent });
  if (created.status !== 201) throw new Error(`agent: ${created.status} ${JSON.stringify(created.body)}`);
  const customer = await api("/api/v1/customers", { key: account.apiKey, body: { first_name: "John", last_name: "Smith", phone } });
  if (customer.status !== 201) throw new Error(`customer: ${customer.status} ${JSON.stringify(customer.body)}`);
  return { account, agentId: created.body.id, customerId: customer.body.id };
}

export async function notify(setup: CallSetup, extra: Record<string, unknown> = {}) {
  return api("/api/v1/notifications", {
    key: setup.account.apiKey,
    body: {
      customer_id: setup.customerId,
      agent_id: setup.agentId,
      variables: { appointment_time: "Thursday March 20th at 2:00 PM", doctor_name: "Dr. Patel" },
      ...extra,
    },
  });
}

const TERMINAL = ["completed", "busy", "no_answer", "failed", "canceled", "voicemail", "transferred"];

/** Waits until the call has ended (as its API shows it) and returns it. */
export async function waitForCallEnd(account: Account, callId: string, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await api(`/api/v1/calls/${callId}`, { key: account.apiKey });
    if (res.status === 200 && TERMINAL.includes(res.body.status)) return res.body;
    if (Date.now() > deadline) throw new Error(`call ${callId} still ${res.body?.status} after ${timeoutMs} ms: ${JSON.stringify(res.body)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Waits until the call reaches `status` (for tests that act mid-call). */
export async function waitForCallStatus(account: Account, callId: string, status: string, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await api(`/api/v1/calls/${callId}`, { key: account.apiKey });
    if (res.body?.status === status) return res.body;
    if (Date.now() > deadline) throw new Error(`call ${callId} never reached ${status}: ${JSON.stringify(res.body)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export const storedCall = (callId: string) => env.DB.prepare("SELECT * FROM calls WHERE id = ?").bind(callId).first<Record<string, unknown>>();

/** What the emulated carrier saw of a call (its EmulatedCall object is named by the call's sid). */
export async function carrierObservations(callId: string) {
  const row = await storedCall(callId);
  const sid = row?.carrier_call_sid as string;
  return env.EMULATED_CALL.get(env.EMULATED_CALL.idFromName(sid)).observations();
}

/** What the emulated model saw of the call whose instructions contain `marker`. */
export async function modelObservations(marker: string) {
  const { listDurableObjectIds } = await import("cloudflare:test");
  for (const id of await listDurableObjectIds(env.MODEL_SESSION)) {
    const seen = await env.MODEL_SESSION.get(id).observations();
    if (JSON.stringify(seen.session).includes(marker)) return seen;
  }
  throw new Error(`no model session was configured with ${marker}`);
}
