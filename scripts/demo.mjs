#!/usr/bin/env node
// `npm run demo`: Echo's quickstart (shared/seeds/001) end to end against a running `npm start`,
// printing each step — sign up, agent, customer, a local receiver registered as the webhook, the
// notification — then the live transcript as it is spoken, the signed call.summary webhook (checked
// with the seed's own receiver code) and the call's recording. PARLEY_URL picks the server.
import { createHmac } from "node:crypto";
import { createServer } from "node:http";
import WebSocket from "ws";

const BASE = (process.env.PARLEY_URL ?? "http://localhost:8787").replace(/\/+$/, "");
const TIMEOUT_MS = Number(process.env.DEMO_TIMEOUT_SECONDS ?? 180) * 1000;
// The seed's customer has +14155552671; US law keeps that to 08:00–21:00 in the callee's time, so
// the demo calls the emulator's "confirms" number in the fictional 555-01xx range, callable any hour.
const PHONE = "+14155550101";

class DemoError extends Error {}

const step = (n, title) => console.log(`\n── Step ${n} — ${title}`);
const show = (label, value) => console.log(`   ${label}: ${typeof value === "string" ? value : JSON.stringify(value)}`);

async function request(path, { method, body, apiKey, token } = {}) {
  const headers = { ...(body ? { "content-type": "application/json" } : {}), ...(apiKey ? { "x-api-key": apiKey } : {}), ...(token ? { authorization: `Bearer ${token}` } : {}) };
  let res;
  try {
    res = await fetch(`${BASE}${path}`, { method: method ?? (body ? "POST" : "GET"), headers, body: body ? JSON.stringify(body) : undefined });
  } catch (error) {
    throw new DemoError(`Cannot reach Parley at ${BASE} (${error.cause?.code ?? error.message}). Start Parley first with npm start (or point PARLEY_URL at it).`);
  }
  const text = await res.text();
  let parsed = text;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    // not JSON: keep the text for the message
  }
  return { status: res.status, body: parsed };
}

async function ok(what, promise) {
  const res = await promise;
  if (res.status < 200 || res.status >= 300) throw new DemoError(`${what} failed with ${res.status}: ${JSON.stringify(res.body)}`);
  return res.body;
}

/** The seed's receiver (step 5), unchanged but for where the secret comes from. */
function verifiedBySeedCode(rawBody, headers, signingSecret) {
  const sig = createHmac("sha256", signingSecret)
    .update(rawBody) // raw Buffer — not parsed JSON
    .digest("hex");
  return `sha256=${sig}` === headers["x-echo-signature"];
}

/** A webhook receiver on 127.0.0.1; `next(name)` resolves with the first verified event of that name. */
async function startReceiver() {
  const state = { secret: null, events: [], waiters: [] };
  const server = createServer((req, res) => {
    if (req.method !== "POST" || req.url !== "/webhooks/echo") return res.writeHead(404).end();
    const chunks = [];
    req.on("data", (chunk) => chunks.push(chunk));
    req.on("end", () => {
      const raw = Buffer.concat(chunks);
      if (!state.secret || !verifiedBySeedCode(raw, req.headers, state.secret)) {
        console.log("   ✗ webhook with an invalid X-Echo-Signature refused (401)");
        return res.writeHead(401).end("Invalid signature");
      }
      const event = JSON.parse(raw);
      console.log(`   ✓ webhook ${event.event_name} received, X-Echo-Signature verified`);
      state.events.push(event);
      for (const waiter of state.waiters.filter((w) => w.name === event.event_name)) waiter.resolve(event);
      res.writeHead(200).end("OK");
    });
  });
  await new Promise((resolve, reject) => server.once("error", reject).listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}/webhooks/echo`,
    useSecret: (secret) => (state.secret = secret),
    next: (name) => new Promise((resolve) => {
      const seen = state.events.find((e) => e.event_name === name);
      if (seen) resolve(seen);
      else state.waiters.push({ name, resolve });
    }),
    close: () => server.close(),
  };
}

/** Prints the transcript as it is spoken; resolves when the call has ended and the socket closed. */
function watchLive(live) {
  return new Promise((resolve) => {
    const ws = new WebSocket(`${live.websocket_url}?session_token=${encodeURIComponent(live.temp_token)}`);
    const say = (line) => console.log(`   ${line.speaker === "agent" ? "Agent   " : "Customer"} │ ${line.text}`);
    ws.on("message", (data) => {
      const message = JSON.parse(String(data));
      if (message.type === "connected") {
        console.log(`   (connected; call ${message.data.status})`);
        for (const line of message.data.transcript ?? []) say(line);
      } else if (message.type === "transcript_update") say(message.data);
      else if (message.type === "call_status_update") console.log(`   (call ${message.data.status})`);
      else if (message.type === "error") console.log(`   (socket error: ${JSON.stringify(message.error ?? message.data)})`);
    });
    ws.on("error", (error) => console.log(`   (live transcript unavailable: ${error.message})`));
    ws.on("close", () => resolve());
  });
}

const within = (promise, what) =>
  Promise.race([promise, new Promise((_, reject) => setTimeout(() => reject(new DemoError(`${what} did not happen within ${TIMEOUT_MS / 1000} s.`)), TIMEOUT_MS).unref())]);

async function recordingOf(callId, apiKey) {
  // The recording is finished just after the call; give it a few seconds.
  for (let i = 0; i < 10; i++) {
    const res = await request(`/api/v1/calls/${callId}/recording`, { apiKey });
    if (res.status === 200) return res.body;
    if (res.status !== 404) return { unavailable: `${res.status} ${JSON.stringify(res.body)}` };
    await new Promise((r) => setTimeout(r, 500));
  }
  return null;
}

async function main() {
  console.log(`Parley demo against ${BASE}`);
  await ok("The health check", request("/health"));

  step(1, "Create your account");
  const email = `demo.${Date.now().toString(36)}.${Math.random().toString(36).slice(2, 8)}@example.com`;
  const account = await ok("Signing up", request("/auth/signup", { body: { email, password: "YourPassword123!", first_name: "Jane", last_name: "Doe", business_name: "Acme Inc", business_summary: "A SaaS platform for project management", industry: "Software" } }));
  const project = account.default_project;
  const apiKey = project.api_key;
  show("business", `${account.business.name} (${account.business.id})`);
  show("project", `${project.id} (${project.environment})`);
  if (project.environment === "live") {
    throw new DemoError(`This Parley has telephony credentials, so the demo would ring ${PHONE} for real. Run it against an npm start without credentials (its calls go to the emulators).`);
  }

  step(2, "Create an agent");
  const agent = await ok("Creating the agent", request("/api/v1/agents", { apiKey, body: {
    name: "Appointment Reminder",
    system_prompt: "You are a friendly assistant calling {{recipient_first_name}} on behalf of {{business_name}}. Start the call by saying: \"Hi, is this {{recipient_first_name}}? Great — I'm calling from {{business_name}} to confirm your appointment on {{appointment_time}} with {{doctor_name}}. Does that time still work for you?\" If they need to reschedule, collect a preferred time and end the call warmly. Do not discuss anything else.",
    output_schema: { type: "object", required: ["confirmed"], properties: { confirmed: { type: "boolean", description: "Whether the patient confirmed the appointment" }, reschedule_request: { type: "string", description: "Preferred reschedule time if they want to change it" } } },
  } }));
  show("agent", `${agent.name} (${agent.id})`);

  step(3, "Add a customer");
  const customer = await ok("Adding the customer", request("/api/v1/customers", { apiKey, body: { external_id: "user_12345", first_name: "John", last_name: "Smith", phone: PHONE } }));
  show("customer", `${customer.first_name} ${customer.last_name} ${PHONE} (${customer.id})`);

  step(4, "Register the webhook (a receiver running the seed's verification code)");
  const receiver = await startReceiver();
  try {
    const registered = await request(`/api/v1/projects/${project.id}/webhooks`, { apiKey, body: { url: receiver.url, events: ["call.summary"] } });
    if (registered.status === 400 && registered.body?.error?.param === "url") {
      throw new DemoError(
        `Parley refused the local receiver ${receiver.url}: ${registered.body.error.message}\n` +
          "  Webhooks to localhost are for development only; start Parley with them allowed:\n" +
          "    npm start -- --var ALLOW_LOCALHOST_WEBHOOKS:true\n" +
          "  (or add ALLOW_LOCALHOST_WEBHOOKS=true to .dev.vars).",
      );
    }
    const webhook = await ok("Registering the webhook", Promise.resolve(registered));
    receiver.useSecret(webhook.signing_secret);
    show("webhook", `${webhook.url} → ${webhook.events.join(", ")}`);
    show("signing_secret", `${webhook.signing_secret.slice(0, 12)}… (shown once)`);

    step(5, "Send the notification");
    const sent = await ok("Sending the notification", request("/api/v1/notifications", { apiKey, body: { customer_id: customer.id, agent_id: agent.id, variables: { appointment_time: "Thursday March 20th at 2:00 PM", doctor_name: "Dr. Patel" } } }));
    const callId = sent.call?.callId;
    show("notification", `${sent.notification.id} (${sent.notification.status})`);
    if (!callId) throw new DemoError(`Parley placed no call: ${JSON.stringify(sent)}`);
    show("call", `${callId} (${sent.call.status})`);

    step(6, "Live transcript");
    const live = await ok("Opening the live transcript", request(`/api/v1/calls/${callId}/live`, { apiKey }));
    const summary = receiver.next("call.summary");
    await within(watchLive(live), "The end of the call");

    step(7, "Receive the webhook");
    const event = await within(summary, "The call.summary webhook");
    show("event", `${event.event_name} ${event.id} for call ${event.call_id}`);
    show("data.analysis", event.data.analysis);
    if (event.data.analysis_error) show("data.analysis_error", event.data.analysis_error);
    if (event.data.summary) show("data.summary", event.data.summary);

    step(8, "Recording");
    const recording = await recordingOf(callId, apiKey);
    if (recording?.unavailable) show("recording", `not available (${recording.unavailable})`);
    else if (recording) show("recording", recording.url ?? recording.recording_url ?? recording);
    else show("recording", "none for this call (this server does not record calls yet, or recording is off)");
  } finally {
    receiver.close();
  }
  console.log("\n✓ Demo complete.");
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(`\n✗ ${error instanceof DemoError ? error.message : error.stack}`);
    process.exit(1);
  },
);
