// Starts `npm start` (or `npm run dev`) on a spare port for a benchmark and stops it afterwards.
import { spawn } from "node:child_process";
import { cpSync, mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative, sep } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");

const SKIP = new Set(["node_modules", ".git", ".wrangler", ".dev.vars"]);

/**
 * A copy of the working tree (node_modules linked) with its own, freshly migrated local state:
 * `wrangler dev` reloads whenever a watched source changes, which would reset every call in the
 * middle of a measurement while the tree is being worked on.
 */
function snapshot() {
  const dir = mkdtempSync(join(tmpdir(), "parley-bench-"));
  cpSync(root, dir, { recursive: true, filter: (path) => !SKIP.has(relative(root, path).split(sep)[0]) });
  symlinkSync(join(root, "node_modules"), join(dir, "node_modules"), "dir");
  return dir;
}

/**
 * `vars` become `--var NAME:VALUE` arguments (e.g. credentials, adapter bases); `snapshot` runs a
 * copy of the tree as it is now, on its own local state, instead of the tree itself. `dev` runs
 * `npm run dev` (wrangler dev, whose DevTools inspector the heap readings need) instead of `npm start`.
 */
export async function startParley(port, { vars = {}, snapshot: copy = false, dev = false } = {}) {
  const dir = copy ? snapshot() : null;
  const args = Object.entries(vars).flatMap(([name, value]) => ["--var", `${name}:${value}`]);
  const command = ["npm", ["run", dev ? "dev" : "start", ...(args.length ? ["--", ...args] : [])]];
  const child = spawn(command[0], command[1], { cwd: dir ?? root, env: { ...process.env, PORT: String(port) }, stdio: ["ignore", "pipe", "pipe"], detached: true });
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
        return { base, pgid: child.pid, dir: dir ?? root, log: () => log, stop: () => stop(child, exited, dir) };
      }
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  await stop(child, exited, dir);
  throw new Error(`npm ${dev ? "run dev" : "start"} did not come up on port ${port}:\n${log}`);
}

/** Stops the whole process group, then (after at most 10 s) removes the snapshot. */
async function stop(child, exited, dir) {
  try {
    process.kill(-child.pid, "SIGTERM");
  } catch {
    // already gone
  }
  if (!dir) return;
  await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000).unref())]);
  await new Promise((r) => setTimeout(r, 500)); // workerd leaves just after its parent
  rmSync(dir, { recursive: true, force: true });
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
