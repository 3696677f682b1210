// `npm run bench` (webhook part): signed webhook deliveries from `npm start` to a receiver in this
// process that checks every X-Echo-Signature as the seed's receiver does.
// 1. Call end → webhook: emulated calls end at a steady pace; each event's arrival is timed from
//    the call's ended_at, split into post-call work (until the event is recorded) and delivery.
// 2. Deliveries per second: one call's call.summary fans out to FANOUT endpoints at once; the rate
//    is the deliveries over the time from the first arrival to the last.
// `node bench/delivery.mjs` runs it alone. BENCH_DELIVERY_CALLS (40), BENCH_DELIVERY_FANOUT (100),
// BENCH_DELIVERY_SPEED (1: emulated calls in real time).
import { createHmac } from "node:crypto";
import { writeFileSync } from "node:fs";
import { createServer } from "node:http";
import os from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { writeSection } from "./readme.mjs";
import { call, startParley } from "./server.mjs";

const CALLS = Math.min(77, Number(process.env.BENCH_DELIVERY_CALLS ?? 40));
const FANOUT = Number(process.env.BENCH_DELIVERY_FANOUT ?? 100);
const FANOUT_CALLS = 3;
const CALL_EVERY_MS = 400;
// Real time: faster emulated calls push many more audio frames a second through the same cores,
// and that load, not the delivery path, would then set the figures.
const SPEED = Number(process.env.BENCH_DELIVERY_SPEED ?? 1);
const EVENTS = ["call.started", "call.completed", "call.summary"];
const LOG = join(os.tmpdir(), "parley-bench-delivery.log");
const sleep = (ms) => new Promise((r) => setTimeout(r, Math.max(0, ms)));

async function until(test, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (!test()) {
    if (Date.now() > deadline) return false;
    await sleep(50);
  }
  return true;
}

async function pool(items, limit, task) {
  let next = 0;
  const lane = async () => {
    while (next < items.length) await task(items[next++]);
  };
  await Promise.all(Array.from({ length: limit }, lane));
}

/** Logs each arrival with its time, per path; each path verifies with its endpoint's secret. */
async function startReceiver() {
  const receiver = { secrets: new Map(), arrivals: [], invalid: 0 };
  const server = createServer((req, res) => {
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
      const at = Date.now();
      const raw = Buffer.concat(chunks);
      const sig = createHmac("sha256", receiver.secrets.get(req.url) ?? "").update(raw).digest("hex");
      if (`sha256=${sig}` !== req.headers["x-echo-signature"]) {
        receiver.invalid++;
        return res.writeHead(401).end();
      }
      const event = JSON.parse(raw);
      receiver.arrivals.push({ at, path: req.url, id: event.id, name: event.event_name, callId: event.call_id });
      res.writeHead(200).end("ok");
    });
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  receiver.base = `http://127.0.0.1:${server.address().port}`;
  receiver.close = () => server.close();
  return receiver;
}

const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
function stats(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return { n: sorted.length, p50: percentile(sorted, 50), p99: percentile(sorted, 99), max: sorted.at(-1) };
}

async function setUp(base) {
  const account = await call(base, "/auth/signup", { body: { email: `bench.delivery.${Date.now()}@example.com`, password: "BenchPassword123!", business_name: "Bench Delivery Inc" } });
  const project = account.default_project;
  // Neither the default rate limit nor the default 10 calls at once should shape the figures.
  await call(base, `/api/v1/projects/${project.id}`, { method: "PATCH", body: { rate_limit_per_minute: 100000, max_concurrent_calls: 100 }, headers: { authorization: `Bearer ${account.access_token}` } });
  const headers = { "x-api-key": project.api_key };
  const agent = await call(base, "/api/v1/agents", {
    headers,
    body: { name: "Reminder", system_prompt: "You confirm {{recipient_first_name}}'s appointment.", output_schema: { type: "object", required: ["confirmed"], properties: { confirmed: { type: "boolean" } } } },
  });
  const customers = [];
  // 555-0120 to 555-0199: fictional US numbers past the emulator's magic ones, so every callee confirms (hence at most 77 + 3 calls).
  await pool(Array.from({ length: CALLS + FANOUT_CALLS }, (_, i) => i), 8, async (i) => {
    customers[i] = (await call(base, "/api/v1/customers", { headers, body: { first_name: "Bench", last_name: `${i}`, phone: `+14155550${String(120 + i)}` } })).id;
  });
  return { projectId: project.id, headers, agentId: agent.id, customers };
}

async function endpoint(base, setup, receiver, path, events) {
  const created = await call(base, `/api/v1/projects/${setup.projectId}/webhooks`, { headers: setup.headers, body: { url: `${receiver.base}${path}`, events } });
  receiver.secrets.set(path, created.signing_secret);
  return created;
}

async function placeCall(base, setup, customerId, problems) {
  try {
    const sent = await call(base, "/api/v1/notifications", { headers: setup.headers, body: { customer_id: customerId, agent_id: setup.agentId } });
    if (sent.call?.callId) return sent.call.callId;
    problems.push(`notification ${sent.notification.id} placed no call (${sent.notification.status})`);
  } catch (error) {
    problems.push(error.message.slice(0, 200));
  }
  return null;
}

/** Every delivery of an endpoint, through the paginated list. */
async function allDeliveries(base, setup, endpointId) {
  const path = `/api/v1/projects/${setup.projectId}/webhooks/${endpointId}/deliveries`;
  const all = [];
  for (let cursor = null, first = true; first || cursor; first = false) {
    const page = await call(base, `${path}?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`, { headers: setup.headers });
    all.push(...page.data);
    cursor = page.next_cursor;
  }
  return all;
}

async function callEndToWebhook(base, setup, receiver, problems) {
  const hook = await endpoint(base, setup, receiver, "/latency", EVENTS);
  const t0 = Date.now();
  const placed = await Promise.all(setup.customers.slice(0, CALLS).map(async (customerId, i) => {
    await sleep(t0 + i * CALL_EVERY_MS - Date.now());
    return placeCall(base, setup, customerId, problems);
  }));
  const callIds = placed.filter(Boolean);
  const arrived = () => receiver.arrivals.filter((a) => a.path === "/latency");
  const expected = callIds.length * EVENTS.length;
  if (!(await until(() => arrived().length >= expected, 120_000))) problems.push(`${arrived().length} of ${expected} webhooks arrived within 120 s`);
  // The event is recorded, and its delivery created, when the post-call work is done.
  const emittedAt = new Map((await allDeliveries(base, setup, hook.id)).map((d) => [d.event_id, Date.parse(d.created_at)]));
  const latency = Object.fromEntries(EVENTS.slice(1).map((name) => [name, { total: [], postCall: [], delivery: [] }]));
  const statuses = {};
  await pool(callIds, 8, async (id) => {
    const c = await call(base, `/api/v1/calls/${id}`, { headers: setup.headers });
    statuses[c.status] = (statuses[c.status] ?? 0) + 1;
    const ended = Date.parse(c.ended_at);
    for (const arrival of arrived().filter((a) => a.callId === id && a.name in latency)) {
      latency[arrival.name].total.push(arrival.at - ended);
      latency[arrival.name].postCall.push(emittedAt.get(arrival.id) - ended);
      latency[arrival.name].delivery.push(arrival.at - emittedAt.get(arrival.id));
    }
  });
  await call(base, `/api/v1/projects/${setup.projectId}/webhooks/${hook.id}`, { method: "PATCH", headers: setup.headers, body: { enabled: false } });
  const summary = Object.fromEntries(Object.entries(latency).map(([name, s]) => [name, { ...stats(s.total), postCall: stats(s.postCall), delivery: stats(s.delivery) }]));
  return { calls: callIds.length, statuses, latency: summary };
}

/** FANOUT endpoints on call.summary; each call's summary is FANOUT deliveries queued at once. */
async function fanOut(base, setup, receiver, problems) {
  await pool(Array.from({ length: FANOUT }, (_, i) => i), 8, (i) => endpoint(base, setup, receiver, `/fanout/${i}`, ["call.summary"]));
  const callIds = (await Promise.all(setup.customers.slice(CALLS).map((id) => placeCall(base, setup, id, problems)))).filter(Boolean);
  const arrived = (id) => receiver.arrivals.filter((a) => a.callId === id && a.path.startsWith("/fanout/"));
  if (!(await until(() => callIds.every((id) => arrived(id).length >= FANOUT), 120_000))) {
    problems.push(`fan-out: ${callIds.map((id) => arrived(id).length).join(", ")} of ${FANOUT} deliveries per call arrived within 120 s`);
  }
  return callIds.map((id) => {
    const times = arrived(id).map((a) => a.at);
    const seconds = (Math.max(...times) - Math.min(...times)) / 1000;
    return { deliveries: times.length, seconds, rate: (times.length - 1) / seconds };
  });
}

const ms = (v) => (v === undefined ? "–" : `${Math.round(v)} ms`);

function report(ends, bursts, problems) {
  const rates = bursts.map((b) => b.rate).sort((a, b) => a - b);
  return [
    `Measured ${new Date().toISOString().slice(0, 10)} on ${os.cpus().length} cores (${os.cpus()[0]?.model ?? "cpu"}), \`npm start\` (local D1, Queues and Durable Objects; ` +
      `emulated calls ${SPEED === 1 ? "in real time" : `at ${SPEED}× speed`}) delivering to a Node receiver on 127.0.0.1 that checks every X-Echo-Signature as the seed's receiver does. ` +
      `Load average when it ended: ${os.loadavg()[0].toFixed(1)}.`,
    "",
    `**Call end → webhook received.** ${ends.calls} calls to the emulator's confirming callee, one placed every ${CALL_EVERY_MS} ms, one endpoint subscribed to ` +
      `${EVENTS.join(", ")}; from the call's \`ended_at\` to the webhook's arrival (one clock). Post-call work is the post-call queue, the summary and the ` +
      "structured extraction (emulated model) until the event is recorded; delivery is the webhook queue, signing and the POST. Both queues collect " +
      "a batch for up to `max_batch_timeout` (1 s in wrangler.toml) before handing it over, which is most of the delivery stage when calls end one at a time.",
    "",
    "| event | webhooks | p50 | p99 | max | post-call work p50 / p99 | delivery p50 / p99 |",
    "|---|---:|---:|---:|---:|---:|---:|",
    ...Object.entries(ends.latency).map(([name, s]) => `| ${name} | ${s.n} | ${ms(s.p50)} | ${ms(s.p99)} | ${ms(s.max)} | ${ms(s.postCall.p50)} / ${ms(s.postCall.p99)} | ${ms(s.delivery.p50)} / ${ms(s.delivery.p99)} |`),
    "",
    `**Deliveries per second.** ${FANOUT} endpoints subscribed to call.summary, so each call's summary is ${FANOUT} deliveries queued at once; ${bursts.length} calls. ` +
      "Rate from the first arrival to the last, each delivery signed, POSTed and its attempt logged.",
    "",
    "| call | deliveries | seconds | deliveries/s |",
    "|---:|---:|---:|---:|",
    ...bursts.map((b, i) => `| ${i + 1} | ${b.deliveries} | ${b.seconds.toFixed(2)} | ${b.rate.toFixed(0)} |`),
    "",
    `Median ${rates.length ? rates[Math.floor(rates.length / 2)].toFixed(0) : "–"} deliveries/s. Calls as Parley recorded them: ${Object.entries(ends.statuses).map(([s, n]) => `${n} ${s}`).join(", ")}. ` +
      (problems.length ? `Problems: ${problems.join("; ")}.` : "Every webhook arrived and verified."),
  ].join("\n");
}

export async function benchDelivery() {
  const receiver = await startReceiver();
  const server = await startParley(8890 + Math.floor(Math.random() * 100), { snapshot: true, vars: { ALLOW_LOCALHOST_WEBHOOKS: "true", EMULATOR_SPEED: String(SPEED) } });
  const problems = [];
  try {
    const setup = await setUp(server.base);
    const ends = await callEndToWebhook(server.base, setup, receiver, problems);
    for (const [name, s] of Object.entries(ends.latency)) {
      console.log(`call end → ${name}: p50 ${ms(s.p50)}, p99 ${ms(s.p99)} (${s.n}); post-call p50 ${ms(s.postCall.p50)} p99 ${ms(s.postCall.p99)}; delivery p50 ${ms(s.delivery.p50)} p99 ${ms(s.delivery.p99)}`);
    }
    const bursts = await fanOut(server.base, setup, receiver, problems);
    for (const b of bursts) console.log(`fan-out: ${b.deliveries} deliveries in ${b.seconds.toFixed(2)} s = ${b.rate.toFixed(0)}/s`);
    if (receiver.invalid) problems.push(`${receiver.invalid} deliveries failed the X-Echo-Signature check`);
    if (problems.length) console.log(`problems: ${problems.join("; ")}`);
    writeSection("delivery", report(ends, bursts, problems));
    return { ends, bursts, problems };
  } finally {
    writeFileSync(LOG, server.log());
    receiver.close();
    await server.stop();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await benchDelivery();
  process.exit(0);
}
