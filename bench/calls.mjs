// `npm run bench` (call relay part): N concurrent calls through `npm run dev`, each streaming 20 ms
// frames in real time from a fake Twilio-speaking carrier to a fake Realtime model that echoes
// them back. Both fakes are in this process, so one clock times both directions.
// `node bench/calls.mjs` runs it alone. BENCH_CALL_LEVELS (1,10,50,100), BENCH_CALL_SECONDS (30);
// BENCH_DEBUG=1 prints every stall and keeps CPU profiles and heap polls in the temp directory;
// BENCH_DIRECT=1 (a diagnostic) sends the media streams to the worker's own port, past wrangler's proxy;
// BENCH_CALL_DEV=0 runs it through `npm start` rather than `npm run dev` (then without heap figures).
import { randomBytes } from "node:crypto";
import { existsSync, readdirSync, statSync, writeFileSync } from "node:fs";
import os from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { report } from "./calls-report.mjs";
import { fakeProblems, majorGcs, sessionProblems } from "./calls-checks.mjs";
import { checkOutcomes, placeCalls, setUp, sleep, until } from "./calls-setup.mjs";
import { FakeCarrier } from "./fake-carrier.mjs";
import { FakeModel } from "./fake-model.mjs";
import { FRAME_MS, now } from "./frames.mjs";
import { cpuProfile, findInspector, listeningPorts, liveHeapBytes, watchHeap } from "./inspector.mjs";
import { otherLoad, workerdBreakdown } from "./proc.mjs";
import { summarize } from "./profile.mjs";
import { writeSection } from "./readme.mjs";
import { startParley } from "./server.mjs";
import { openWindow, rssSample } from "./usage-window.mjs";

const LEVELS = (process.env.BENCH_CALL_LEVELS ?? "1,10,50,100").split(",").map(Number).filter((n) => n > 0);
const SECONDS = Number(process.env.BENCH_CALL_SECONDS ?? 30);
const WARMUP_FRAMES = 1000 / FRAME_MS; // the first second of each call is not timed
// After the measured window the calls stream on while the worker's CPU is profiled.
const PROFILE_SECONDS = 6;
const SETUP_TIMEOUT_MS = 120_000;
const QUIET_CORES = 0.2;
const QUIET_WAIT_MS = 180_000;
const LOG = join(os.tmpdir(), "parley-bench-calls.log");

async function runLevel(server, carrier, model, account, n) {
  const problems = [];
  const frames = SECONDS * (1000 / FRAME_MS);
  carrier.reset(WARMUP_FRAMES, frames);
  model.reset(WARMUP_FRAMES, frames);
  await sleep(2000); // the previous level's teardown
  // Other jobs on this machine skew every figure: wait (a while) for them to calm down.
  let quiet = Number.POSITIVE_INFINITY;
  await until(
    async () => {
      quiet = await otherLoad(server.pgid);
      return quiet < QUIET_CORES;
    },
    QUIET_WAIT_MS,
    0,
  );
  if (quiet >= QUIET_CORES) problems.push(`other processes kept ${quiet.toFixed(2)} cores busy before the calls`);
  const heapIdle = await liveHeapBytes(server.inspector);
  const idle = rssSample(server.pgid, 0);

  const callIds = await placeCalls(server.base, account, n, Math.min(600, Math.max(60, SECONDS + 120)), problems);
  const ready = await until(() => carrier.streaming.length >= n && model.stats.configured >= n, SETUP_TIMEOUT_MS);
  if (!ready) problems.push(`only ${carrier.streaming.length} of ${n} streams started and ${model.stats.configured} model sessions configured within ${SETUP_TIMEOUT_MS / 1000} s`);
  await sleep(500);

  // Every call streams in real time, calls a fraction of a frame apart. The retained heap is read
  // during the warm-up second (the snapshot pauses the worker), the rest over the steady window.
  const t0 = now() + 50;
  const streamed = carrier.stream(t0, frames + PROFILE_SECONDS * (1000 / FRAME_MS));
  await sleep(t0 + 200 - now());
  const heapStart = await liveHeapBytes(server.inspector);
  const heapStartAt = (now() - t0) / 1000;
  if (heapStartAt > WARMUP_FRAMES * FRAME_MS / 1000) problems.push(`the heap snapshot took until ${heapStartAt.toFixed(1)} s into the calls, past the warm-up`);
  await sleep(t0 + WARMUP_FRAMES * FRAME_MS - now());
  const window = openWindow(server.pgid);
  const heapWatch = watchHeap(server.inspector);
  await sleep(t0 + frames * FRAME_MS - now());
  const usage = window.close();
  const heapPolls = await heapWatch.stop();
  if (process.env.BENCH_DEBUG) writeFileSync(join(os.tmpdir(), `parley-bench-calls-${n}.heap.json`), JSON.stringify({ t0, heapPolls, stallsIn: model.stats.slow.summary(n, 1).stallTimes, stallsOut: carrier.stats.slow.summary(n, 1).stallTimes }));
  const profile = await cpuProfile(server.inspector, (PROFILE_SECONDS - 1) * 1000);
  if (process.env.BENCH_DEBUG && profile) writeFileSync(join(os.tmpdir(), `parley-bench-calls-${n}.cpuprofile`), JSON.stringify(profile));
  await streamed;
  await sleep(1000); // frames still in flight
  const heapEndAt = (now() - t0) / 1000;
  const heapEnd = await liveHeapBytes(server.inspector); // every call is still up
  const rssAfterGc = rssSample(server.pgid, (now() - t0) / 1000);

  const streaming = carrier.streaming;
  const count = { sent: 0, atModel: 0, echoed: 0, back: 0 };
  for (const c of streaming) {
    count.sent += c.sent;
    count.atModel += model.stats.received.get(c.index) ?? 0;
    count.echoed += model.stats.echoed.get(c.index) ?? 0;
    count.back += c.received;
  }
  const endedAt = now();
  await Promise.all(streaming.map((c) => carrier.end(c)));
  const outcomes = await checkOutcomes(server.base, account, callIds);
  await until(() => model.openSessions === 0, 10_000);
  if (model.openSessions) problems.push(`${model.openSessions} model sockets still open 10 s after the calls ended`);
  problems.push(...sessionProblems(model.stats.sessionLog, n, endedAt), ...fakeProblems(carrier.stats, model.stats));
  if (usage.restarted) problems.push("a workerd process restarted during the measured window");
  const busiest = Math.max(0, ...usage.others.map((o) => o.cores));
  if (busiest >= 0.5) problems.push(`other processes on the machine used up to ${busiest.toFixed(2)} cores in some second of the measured window`);

  return {
    n,
    streams: streaming.length,
    ...count,
    inbound: model.stats.inbound.percentiles([50, 99, 99.9]).concat(model.stats.inbound.max()),
    outbound: carrier.stats.outbound.percentiles([50, 99, 99.9]).concat(carrier.stats.outbound.max()),
    roundTrip: carrier.stats.roundTrip.percentiles([50, 99]),
    marks: carrier.stats.marks,
    slowIn: model.stats.slow.summary(streaming.length, model.stats.inbound.count, majorGcs(heapPolls)),
    slowOut: carrier.stats.slow.summary(streaming.length, carrier.stats.outbound.count, majorGcs(heapPolls)),
    ...usage,
    idleRss: idle,
    rssAfterGc,
    heap: { idle: heapIdle, start: heapStart, end: heapEnd, seconds: heapEndAt - heapStartAt },
    profile: profile ? summarize(profile, { bundle: server.bundle }) : null,
    outcomes,
    problems: problems.slice(0, 12),
  };
}

function printLevel(row) {
  if (process.env.BENCH_DEBUG) {
    const other = (at) => row.others.find((o) => at >= row.startedAt + o.t * 1000 && at < row.startedAt + (o.t + 1) * 1000)?.cores;
    for (const s of [...row.slowIn.stallTimes, ...row.slowOut.stallTimes]) {
      console.log(`stall at ${((s.at - row.startedAt) / 1000).toFixed(2)} s: ${s.ms.toFixed(0)} ms, ${s.calls} calls, other processes ${other(s.at)?.toFixed(2) ?? "?"} cores`);
    }
  }
  const mb = (b) => (b / 2 ** 20).toFixed(1);
  const brief = {
    ...row,
    others: undefined,
    slowIn: { ...row.slowIn, stallTimes: undefined },
    slowOut: { ...row.slowOut, stallTimes: undefined },
    rss: row.rss.map((s) => `${s.t.toFixed(0)}s:${mb(s.worker)}+${mb(s.proxy)}MB`),
  };
  console.log(JSON.stringify(brief));
}

/** The worker as wrangler bundled it (to name the modules in a CPU profile). */
function newestBundle(dir) {
  try {
    const tmp = join(dir, ".wrangler", "tmp");
    const builds = readdirSync(tmp).filter((d) => d.startsWith("dev-")).map((d) => join(tmp, d, "index.js")).filter((f) => existsSync(f));
    return builds.sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs)[0] ?? null;
  } catch {
    return null;
  }
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
  const closeFakes = async () => {
    await carrier.close();
    await model.close();
  };
  // `npm run dev` (wrangler dev): the heap readings and the CPU profile need the worker's DevTools
  // inspector. BENCH_CALL_DEV=0 runs `npm start` instead (no heap figures); the relay's latencies
  // were the same both ways (50 calls, 2026-11-23: 14.4 / 5.13 ms p99 against 14.2 / 5.07).
  const server = await startParley(port, {
    dev: process.env.BENCH_CALL_DEV !== "0",
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
  }).catch(async (error) => {
    await closeFakes();
    throw error;
  });
  const worker = workerdBreakdown(server.pgid).find((p) => p.role === "worker");
  server.inspector = worker ? await findInspector(worker.pid) : null;
  if (process.env.BENCH_DIRECT && worker) {
    const inspectorPort = server.inspector ? Number(new URL(server.inspector).port) : null;
    const ports = listeningPorts(worker.pid).filter((p) => p !== inspectorPort);
    for (const port of ports) {
      try {
        if ((await fetch(`http://127.0.0.1:${port}/health`)).ok) {
          process.env.BENCH_DIRECT_STREAM = `127.0.0.1:${port}`;
          console.log(`media streams go straight to the worker on ${port}`);
          break;
        }
      } catch {}
    }
  }
  server.bundle = newestBundle(server.dir);
  // Whatever happens, nothing outlives its time: the server is stopped and the process exits.
  const budgetMs = LEVELS.length * (SECONDS + PROFILE_SECONDS + 420) * 1000 + 180_000;
  const guard = setTimeout(() => {
    console.error(`The call benchmark exceeded ${budgetMs / 1000} s; stopping.`);
    server.stop();
    process.exit(1);
  }, budgetMs);
  guard.unref();
  process.once("SIGINT", () => {
    server.stop();
    process.exit(130);
  });
  try {
    const account = await setUp(server.base, Math.max(...LEVELS));
    const rows = [];
    for (const n of LEVELS) {
      console.log(`calls: ${n} concurrent × ${SECONDS} s …`);
      const row = await runLevel(server, carrier, model, account, n);
      rows.push(row);
      printLevel(row);
    }
    const serverErrors = server.log().split("\n").filter((line) => /"level":"error"|✘|Uncaught/.test(line));
    const { table, markdown } = report(rows, { seconds: SECONDS, warmupFrames: WARMUP_FRAMES, profileSeconds: PROFILE_SECONDS, cores: os.cpus().length, cpu: os.cpus()[0]?.model ?? "cpu", serverErrors });
    console.log(table);
    writeSection("calls", markdown);
    return rows;
  } finally {
    clearTimeout(guard);
    writeFileSync(LOG, server.log());
    console.log(`Parley's log: ${LOG}`);
    await server.stop();
    await closeFakes();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await benchCalls();
  process.exit(0);
}
