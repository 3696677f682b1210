// `npm run bench` (call relay part): N concurrent calls through `npm start`, each streaming 20 ms
// frames in real time to a fake Twilio-speaking carrier's callee and back from a fake Realtime
// model that echoes them. Both fakes are in this process, so one clock times both directions.
import { randomBytes } from "node:crypto";
import { writeFileSync } from "node:fs";
import os from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { FakeCarrier } from "./fake-carrier.mjs";
import { FakeModel } from "./fake-model.mjs";
import { FRAME_MS, now } from "./frames.mjs";
import { machineCpu, otherLoad, treeUsage, workerdUsage } from "./proc.mjs";
import { writeSection } from "./readme.mjs";
import { report } from "./calls-report.mjs";
import { call, startParley } from "./server.mjs";

const LEVELS = (process.env.BENCH_CALL_LEVELS ?? "1,10,50,100").split(",").map(Number).filter((n) => n > 0);
const SECONDS = Number(process.env.BENCH_CALL_SECONDS ?? 30);
const WARMUP_FRAMES = 1000 / FRAME_MS; // the first second of each call is not timed
const SETUP_TIMEOUT_MS = 120_000;
const QUIET_CORES = 0.2;
const QUIET_WAIT_MS = 180_000;
const LOG = join(os.tmpdir(), "parley-bench-calls.log");
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function until(test, timeoutMs, step = 100) {
  const deadline = Date.now() + timeoutMs;
  while (!(await test())) {
    if (Date.now() > deadline) return false;
    await sleep(step);
  }
  return true;
}

/** Runs `task` over `items` with at most `limit` in flight. */
async function pool(items, limit, task) {
  const results = [];
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await task(items[i], i);
    }
  }));
  return results;
}

async function setUp(base, customers) {
  const account = await call(base, "/auth/signup", { body: { email: `bench.calls.${Date.now()}@example.com`, password: "BenchPassword123!", business_name: "Bench Calls Inc" } });
  const project = account.default_project;
  if (project.environment !== "live") throw new Error(`The default project is ${project.environment}: Parley did not take the credentials, so calls would go to the emulators.`);
  await call(base, `/api/v1/projects/${project.id}`, { method: "PATCH", body: { rate_limit_per_minute: 100000 }, headers: { authorization: `Bearer ${account.access_token}` } });
  const headers = { "x-api-key": project.api_key };
  const agent = await call(base, "/api/v1/agents", { body: { name: "Echo bench", system_prompt: "You repeat what you hear." }, headers });
  const ids = await pool(Array.from({ length: customers }, (_, i) => i), 8, async (i) => {
    const phone = `+1415555${2000 + i}`;
    return (await call(base, "/api/v1/customers", { body: { first_name: "Bench", last_name: `Caller ${i}`, phone }, headers })).id;
  });
  return { headers, agentId: agent.id, customerIds: ids };
}

async function runLevel(server, carrier, model, account, n) {
  const problems = [];
  carrier.reset(WARMUP_FRAMES);
  model.reset(WARMUP_FRAMES);
  await sleep(2000); // let the previous level's teardown finish before reading the idle figures
  // Other jobs on this machine skew everything: wait (a while) for them to calm down.
  let quiet = Infinity;
  await until(async () => (quiet = await otherLoad(server.pgid)) < QUIET_CORES, QUIET_WAIT_MS, 0);
  if (quiet >= QUIET_CORES) problems.push(`other processes kept ${quiet.toFixed(2)} cores busy before the calls`);
  const idle = workerdUsage(server.pgid);

  // Dial: each notification places its call through the fake carrier, which answers it.
  const maxDuration = Math.min(600, Math.max(60, SECONDS + 120));
  const placed = await pool(account.customerIds.slice(0, n), 8, async (customerId) => {
    try {
      const created = await call(server.base, "/api/v1/notifications", { body: { customer_id: customerId, agent_id: account.agentId, max_duration_seconds: maxDuration }, headers: account.headers });
      return created.call?.callId ?? created.call?.call_id ?? created.call?.id ?? null;
    } catch (error) {
      problems.push(error.message.slice(0, 200));
      return null;
    }
  });
  const ready = await until(() => carrier.streaming.length >= n && model.stats.configured >= n, SETUP_TIMEOUT_MS);
  if (!ready) problems.push(`only ${carrier.streaming.length} of ${n} streams started and ${model.stats.configured} model sessions configured within ${SETUP_TIMEOUT_MS / 1000} s`);
  await sleep(500);

  // The steady window: every call streams in real time; CPU is read around it, RSS every 5 s.
  const frames = SECONDS * (1000 / FRAME_MS);
  const t0 = now() + 100;
  await sleep(100);
  const cpuBefore = workerdUsage(server.pgid);
  const treeBefore = treeUsage(server.pgid);
  const machineBefore = machineCpu();
  const selfBefore = process.cpuUsage();
  const wallBefore = now();
  const rss = [{ t: 0, bytes: cpuBefore.rssBytes }];
  const sampler = setInterval(() => rss.push({ t: (now() - wallBefore) / 1000, bytes: workerdUsage(server.pgid).rssBytes }), 5000);
  await carrier.stream(t0, frames);
  clearInterval(sampler);
  const cpuAfter = workerdUsage(server.pgid);
  const treeAfter = treeUsage(server.pgid);
  const machineAfter = machineCpu();
  const self = process.cpuUsage(selfBefore);
  const wall = (now() - wallBefore) / 1000;
  rss.push({ t: wall, bytes: cpuAfter.rssBytes });
  await sleep(1000); // frames still in flight

  const streaming = carrier.streaming;
  let sent = 0, atModel = 0, echoed = 0, back = 0;
  for (const c of streaming) {
    sent += c.sent;
    atModel += model.stats.received.get(c.index) ?? 0;
    echoed += model.stats.echoed.get(c.index) ?? 0;
    back += c.received;
  }
  const endedAt = now();
  await Promise.all(streaming.map((c) => carrier.end(c)));

  // What Parley recorded: every call should be completed because the callee hung up.
  const callIds = placed.filter(Boolean);
  let outcomes = [];
  await until(async () => {
    outcomes = await pool(callIds, 8, (id) => call(server.base, `/api/v1/calls/${id}`, { headers: account.headers }).catch((e) => ({ status: `error: ${e.message.slice(0, 80)}` })));
    return outcomes.every((o) => o.status === "completed");
  }, 20_000, 1000);
  await until(() => model.openSessions === 0, 10_000);
  if (model.openSessions) problems.push(`${model.openSessions} model sockets still open 10 s after the calls ended`);
  // A call should hold exactly one Realtime session; any other one never carries audio.
  const silent = model.stats.sessionLog.filter((s) => s.frames === 0);
  if (silent.length) {
    const lingering = silent.filter((s) => s.closed === null || s.closed > endedAt);
    const after = lingering.filter((s) => s.closed !== null).map((s) => (s.closed - endedAt) / 1000);
    problems.push(
      `${model.stats.sessionLog.length} Realtime sessions opened for ${n} calls: ${silent.length} never carried audio ` +
        `(${silent.filter((s) => s.configured).length} configured), ${lingering.length} of those stayed open until the call ended` +
        (after.length ? ` and closed ${Math.min(...after).toFixed(1)}–${Math.max(...after).toFixed(1)} s after it` : ""),
    );
  }

  const tally = (key) => Object.entries(outcomes.reduce((acc, o) => ({ ...acc, [o[key]]: (acc[o[key]] ?? 0) + 1 }), {})).map(([k, v]) => `${v} ${k}`).join(", ");
  const cs = carrier.stats;
  const ms = model.stats;
  return {
    n,
    streams: streaming.length,
    sent, atModel, echoed, back,
    inbound: ms.inbound.percentiles([50, 99, 99.9]).concat(ms.inbound.max()),
    outbound: cs.outbound.percentiles([50, 99, 99.9]).concat(cs.outbound.max()),
    roundTrip: cs.roundTrip.percentiles([50, 99]),
    wall,
    workerdCores: (cpuAfter.cpuSeconds - cpuBefore.cpuSeconds) / wall,
    toolingCores: (treeAfter.cpuSeconds - treeBefore.cpuSeconds - (cpuAfter.cpuSeconds - cpuBefore.cpuSeconds)) / wall,
    benchCores: (self.user + self.system) / 1e6 / wall,
    otherCores: Math.max(0, (machineAfter.totalSeconds - machineBefore.totalSeconds - (machineAfter.idleSeconds - machineBefore.idleSeconds) - (treeAfter.cpuSeconds - treeBefore.cpuSeconds)) / wall - (self.user + self.system) / 1e6 / wall),
    idleRss: idle.rssBytes,
    rss,
    outcomes: { status: tally("status"), endReason: tally("end_reason") },
    problems: [
      ...problems,
      ...cs.callbackFailures, ...cs.streamErrors, ...cs.earlyCloses.map((e) => `stream closed by Parley before the callee hung up (${e})`),
      ...(cs.hangUpsByParley ? [`Parley hung up ${cs.hangUpsByParley} calls itself`] : []),
      ...(cs.crossTalk || ms.mixedCalls ? [`audio crossed between calls: ${cs.crossTalk} frames at the carrier, ${ms.mixedCalls} at the model`] : []),
      ...(cs.strayFrames || ms.strayFrames ? [`unrecognised audio: ${cs.strayFrames} frames at the carrier, ${ms.strayFrames} at the model`] : []),
      ...(cs.clears ? [`${cs.clears} clear messages`] : []),
      ...(Object.keys(ms.otherEvents).length ? [`model also received ${JSON.stringify(ms.otherEvents)}`] : []),
    ].slice(0, 12),
    sessions: ms.sessions,
    marks: cs.marks,
  };
}

export async function benchCalls() {
  const accountSid = `AC${randomBytes(16).toString("hex")}`;
  const authToken = randomBytes(16).toString("hex");
  const apiKey = `sk-bench-${randomBytes(12).toString("hex")}`;
  const carrier = new FakeCarrier({ accountSid, authToken });
  const model = new FakeModel({ apiKey });
  const carrierPort = await carrier.listen();
  const modelPort = await model.listen();
  const port = 8900 + Math.floor(Math.random() * 100);
  const server = await startParley(port, {
    snapshot: true,
    vars: {
      TWILIO_ACCOUNT_SID: accountSid,
      TWILIO_AUTH_TOKEN: authToken,
      TWILIO_FROM_NUMBER: "+14155550100",
      OPENAI_API_KEY: apiKey,
      PUBLIC_BASE_URL: `http://127.0.0.1:${port}`,
      TWILIO_API_BASE: `http://127.0.0.1:${carrierPort}`,
      OPENAI_BASE_URL: `http://127.0.0.1:${modelPort}/v1`,
    },
  });
  const stop = () => server.stop();
  // Whatever happens, nothing outlives its time: the server is stopped and the process exits.
  const budgetMs = LEVELS.length * (SECONDS + 400) * 1000 + 180_000;
  const guard = setTimeout(() => {
    console.error(`Call benchmark exceeded ${budgetMs / 1000} s; stopping.`);
    stop();
    process.exit(1);
  }, budgetMs);
  guard.unref();
  process.once("SIGINT", () => {
    stop();
    process.exit(130);
  });
  try {
    const account = await setUp(server.base, Math.max(...LEVELS));
    const rows = [];
    for (const n of LEVELS) {
      console.log(`calls: ${n} concurrent × ${SECONDS} s …`);
      const row = await runLevel(server, carrier, model, account, n);
      rows.push(row);
      console.log(JSON.stringify({ ...row, rss: row.rss.map((s) => `${s.t.toFixed(0)}s:${(s.bytes / 2 ** 20).toFixed(1)}MB`) }));
    }
    const errors = server.log().split("\n").filter((line) => /"level":"error"|✘|Uncaught|Error:/.test(line) && !/workers\.cloudflare\.com|Request\.cf/.test(line));
    const { table, markdown } = report(rows, { seconds: SECONDS, warmupFrames: WARMUP_FRAMES, cores: os.cpus().length, cpu: os.cpus()[0]?.model ?? "cpu", serverErrors: errors });
    console.log(table);
    writeSection("calls", markdown);
    return rows;
  } finally {
    clearTimeout(guard);
    writeFileSync(LOG, server.log());
    console.log(`Parley's log: ${LOG}`);
    await stop();
    await carrier.close();
    await model.close();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await benchCalls();
  process.exit(0);
}
