// `npm run bench` (API part): throughput and latency of authenticated routes against a bare
// route in the same worker, all through `npm start` on this machine.
import os from "node:os";
import autocannon from "autocannon";
import { call, startParley } from "./server.mjs";
import { writeSection } from "./readme.mjs";

const DURATION = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 16);

function run(opts) {
  return new Promise((resolve, reject) => {
    autocannon({ connections: CONNECTIONS, duration: DURATION, ...opts }, (err, result) => (err ? reject(err) : resolve(result)));
  });
}

export async function benchApi() {
  const server = await startParley(8790 + Math.floor(Math.random() * 100));
  try {
    const email = `bench.${Date.now()}@example.com`;
    const account = await call(server.base, "/auth/signup", { body: { email, password: "BenchPassword123!", business_name: "Bench Inc" } });
    const key = account.default_project.api_key;
    // The default 1,000/min would throttle the benchmark itself.
    await call(server.base, `/api/v1/projects/${account.default_project.id}`, {
      method: "PATCH",
      body: { rate_limit_per_minute: 100000 },
      headers: { authorization: `Bearer ${account.access_token}` },
    });
    for (let i = 0; i < 20; i++) {
      await call(server.base, "/api/v1/agents", { body: { name: `Agent ${i}`, system_prompt: "You call {{recipient_first_name}} for {{business_name}}." }, headers: { "x-api-key": key } });
    }

    const cases = [
      { name: "GET /health (bare route, ceiling)", url: `${server.base}/health` },
      { name: "GET /health/ready (bare route + one D1 query)", url: `${server.base}/health/ready` },
      { name: "GET /api/v1/agents (authenticated)", url: `${server.base}/api/v1/agents`, headers: { "x-api-key": key } },
      {
        name: "POST /api/v1/customers (authenticated)",
        url: `${server.base}/api/v1/customers`,
        method: "POST",
        headers: { "x-api-key": key, "content-type": "application/json" },
        body: JSON.stringify({ first_name: "John", last_name: "Smith", phone: "+14155552671" }),
      },
    ];
    const rows = [];
    for (const c of cases) {
      const r = await run(c);
      const ok = r["2xx"];
      rows.push({ name: c.name, rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, ok, errors: r.non2xx + r.errors });
      console.log(`${c.name}: ${r.requests.average.toFixed(0)} req/s, p50 ${r.latency.p50} ms, p99 ${r.latency.p99} ms, non-2xx ${r.non2xx}`);
    }
    const ceiling = rows[0].rps;
    const withQuery = rows[1].rps;
    const authed = rows.slice(2);
    const table = [
      `Measured ${new Date().toISOString().slice(0, 10)} on ${os.cpus().length} cores (${os.cpus()[0]?.model ?? "cpu"}), ` +
        `\`npm start\` (wrangler dev, local D1 and Durable Objects), autocannon ${CONNECTIONS} connections × ${DURATION} s per route.`,
      "",
      "| route | req/s | p50 ms | p99 ms | share of ceiling | non-2xx |",
      "|---|---:|---:|---:|---:|---:|",
      ...rows.map((r) => `| ${r.name} | ${r.rps.toFixed(0)} | ${r.p50} | ${r.p99} | ${((r.rps / ceiling) * 100).toFixed(0)}% | ${r.errors} |`),
      "",
      `Target: authenticated routes reach at least half the bare route's throughput — ${authed.every((r) => r.rps >= ceiling / 2) ? "met" : "**not met**"}.`,
      `Against the bare route plus the one D1 query each authenticated route also needs, they reach ` +
        `${authed.map((r) => `${((r.rps / withQuery) * 100).toFixed(0)}%`).join(" and ")}: authentication and rate limiting ` +
        "(one Durable Object round trip per request, no D1 query) cost little; the local D1 round trip is what is expensive.",
    ].join("\n");
    writeSection("api", table);
    return rows;
  } finally {
    server.stop();
  }
}
