// The call benchmark's dealings with Parley's API, as a client would: an account on the live
// project, an agent and customers, one notification per call, and what Parley recorded after.
import { call } from "./server.mjs";

export const sleep = (ms) => new Promise((r) => setTimeout(r, Math.max(0, ms)));

export async function until(test, timeoutMs, step = 100) {
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
  const lane = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await task(items[i], i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
  return results;
}

/**
 * NANP's fictional 555-0100…0199: reaching nobody, they are exempt from the US calling hours, so the
 * benchmark's live project may call them at any hour of the day.
 */
function fictionalNumber(i) {
  if (i >= 100) throw new Error("There are 100 fictional numbers in an area code: at most 100 customers.");
  return `+1415555${String(100 + i).padStart(4, "0")}`;
}

export async function setUp(base, customers) {
  const account = await call(base, "/auth/signup", {
    body: { email: `bench.calls.${Date.now()}@example.com`, password: "BenchPassword123!", business_name: "Bench Calls Inc" },
  });
  const project = account.default_project;
  if (project.environment !== "live") {
    throw new Error(`The default project is ${project.environment}: Parley did not take the credentials, so calls would go to its emulators.`);
  }
  // The default 1,000 requests a minute would throttle the benchmark itself, and the default 10
  // calls at once would hold back all but 10 of its calls.
  await call(base, `/api/v1/projects/${project.id}`, {
    method: "PATCH",
    body: { rate_limit_per_minute: 100000, max_concurrent_calls: 1000 },
    headers: { authorization: `Bearer ${account.access_token}` },
  });
  const headers = { "x-api-key": project.api_key };
  const agent = await call(base, "/api/v1/agents", { body: { name: "Echo bench", system_prompt: "You repeat what you hear.", recording_enabled: RECORDING }, headers });
  const customerIds = await pool(Array.from({ length: customers }, (_, i) => i), 8, async (i) => {
    const customer = await call(base, "/api/v1/customers", { body: { first_name: "Bench", last_name: `Caller ${i}`, phone: fictionalNumber(i) }, headers });
    return customer.id;
  });
  return { headers, agentId: agent.id, customerIds };
}

/** BENCH_CALL_RECORDING=0 measures the relay without the call's recording (on by default, as for users). */
const RECORDING = process.env.BENCH_CALL_RECORDING !== "0";

/** One notification per call, dialled at once; returns the ids of the calls Parley placed. */
export async function placeCalls(base, account, n, maxDurationSeconds, problems) {
  const ids = await pool(account.customerIds.slice(0, n), 8, async (customerId) => {
    try {
      const created = await call(base, "/api/v1/notifications", {
        body: { customer_id: customerId, agent_id: account.agentId, max_duration_seconds: maxDurationSeconds },
        headers: account.headers,
      });
      return created.call?.callId ?? created.call?.call_id ?? created.call?.id ?? null;
    } catch (error) {
      problems.push(error.message.slice(0, 200));
      return null;
    }
  });
  return ids.filter(Boolean);
}

/** Every call should end `completed` because the callee hung up; tallies what Parley recorded. */
export async function checkOutcomes(base, account, callIds) {
  let calls = [];
  await until(
    async () => {
      calls = await pool(callIds, 8, (id) => call(base, `/api/v1/calls/${id}`, { headers: account.headers }).catch((e) => ({ status: `error ${e.message.slice(0, 80)}` })));
      return calls.every((c) => c.status === "completed");
    },
    20_000,
    1000,
  );
  const tally = (key) => {
    const counts = new Map();
    for (const c of calls) counts.set(c[key], (counts.get(c[key]) ?? 0) + 1);
    return [...counts].map(([k, v]) => `${v} ${k}`).join(", ");
  };
  return { status: tally("status"), endReason: tally("end_reason") };
}
