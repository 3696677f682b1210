// Starts `npm start` on a spare port for a benchmark and stops it afterwards.
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");

/** A new local state directory (D1 with the current migrations, Durable Objects) for one run. */
function freshState() {
  const dir = mkdtempSync(join(tmpdir(), "parley-bench-"));
  const result = spawnSync(join(root, "node_modules", ".bin", "wrangler"), ["d1", "migrations", "apply", "DB", "--local", "--persist-to", dir], {
    cwd: root,
    env: { ...process.env, CI: "true" },
    encoding: "utf8",
  });
  if (result.status !== 0) throw new Error(`Could not migrate a fresh local D1:\n${result.stdout}${result.stderr}`);
  return dir;
}

/**
 * `vars` become `--var NAME:VALUE` arguments of `wrangler dev` (e.g. credentials, adapter bases);
 * `fresh` runs on a new, freshly migrated local state instead of the developer's .wrangler/state.
 */
export async function startParley(port, { vars = {}, fresh = false } = {}) {
  const state = fresh ? freshState() : null;
  const args = Object.entries(vars).flatMap(([name, value]) => ["--var", `${name}:${value}`]);
  if (state) args.push("--persist-to", state);
  const child = spawn("npm", ["start", ...(args.length ? ["--", ...args] : [])], { cwd: root, env: { ...process.env, PORT: String(port) }, stdio: ["ignore", "pipe", "pipe"], detached: true });
  const exited = new Promise((resolve) => child.on("exit", resolve));
  let log = "";
  child.stdout.on("data", (d) => (log += d));
  child.stderr.on("data", (d) => (log += d));
  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 90_000;
  while (Date.now() < deadline) {
    try {
      if ((await fetch(`${base}/health`)).ok) {
        // `pgid` finds the workerd processes (the group is the child's: it was started detached).
        return { base, pgid: child.pid, log: () => log, stop: () => stop(child, exited, state) };
      }
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  await stop(child, exited, state);
  throw new Error(`npm start did not come up on port ${port}:\n${log}`);
}

/** Stops the whole process group, then (after at most 10 s) removes a fresh state directory. */
async function stop(child, exited, state) {
  try {
    process.kill(-child.pid, "SIGTERM");
  } catch {
    // already gone
  }
  if (!state) return;
  await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000).unref())]);
  await new Promise((r) => setTimeout(r, 500)); // workerd leaves just after its parent
  rmSync(state, { recursive: true, force: true });
}

export async function call(base, path, { method, body, headers = {} } = {}) {
  method ??= body ? "POST" : "GET";
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { ...(body ? { "content-type": "application/json" } : {}), ...headers },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path} → ${res.status} ${text}`);
  return text ? JSON.parse(text) : null;
}
