#!/usr/bin/env node
// `npm start`: a working Parley on http://localhost:8787 (or $PORT) with local state under
// .wrangler/, no credentials needed. It makes a .dev.vars with a random session secret the first
// time, applies the D1 migrations, then serves the worker.
//
// `npm start` runs the worker as a service: wrangler's engine (the same workerd, local D1, Durable
// Objects, Queues and R2 as `wrangler dev`) without its DevTools inspector, which `wrangler dev`
// always attaches and which copies every D1 query and Durable Object call into wrangler's own
// process (it halved the API's throughput). `npm run dev` is `wrangler dev` itself: DevTools,
// reload on save, its keyboard shortcuts, and every wrangler dev option.
import { spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const wrangler = join(root, "node_modules", ".bin", "wrangler");
const port = Number(process.env.PORT ?? "8787");
const args = process.argv.slice(2);
const dev = args[0] === "--dev";
// Local development may deliver webhooks to http://localhost (npm run demo's receiver does);
// deployments keep the https-only rule from wrangler.toml.
const DEVELOPMENT_VARS = { ALLOW_LOCALHOST_WEBHOOKS: "true" };

function ensureDevVars() {
  const path = join(root, ".dev.vars");
  if (existsSync(path)) return;
  const example = readFileSync(join(root, ".dev.vars.example"), "utf8");
  writeFileSync(path, example.replace(/^JWT_SECRET=.*$/m, `JWT_SECRET=${randomBytes(32).toString("hex")}`));
  console.log("Created .dev.vars with a random JWT_SECRET (calls use the emulators until you add credentials).");
}

function applyMigrations() {
  const result = spawnSync(wrangler, ["d1", "migrations", "apply", "DB", "--local"], {
    cwd: root,
    stdio: ["ignore", "inherit", "inherit"],
    env: { ...process.env, CI: "true" },
  });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

/** `npm start -- --var NAME:VALUE …` sets vars as `wrangler dev --var` does; nothing else is taken. */
function varsFrom(list) {
  const vars = { ...DEVELOPMENT_VARS };
  for (let i = 0; i < list.length; i += 2) {
    const [flag, pair] = [list[i], list[i + 1] ?? ""];
    const colon = pair.indexOf(":");
    if (flag !== "--var" || colon < 1) {
      console.error(`npm start takes only --var NAME:VALUE pairs (got "${[flag, pair].join(" ").trim()}"); npm run dev takes every wrangler dev option.`);
      process.exit(2);
    }
    vars[pair.slice(0, colon)] = pair.slice(colon + 1);
  }
  return vars;
}

function runWranglerDev() {
  const flags = Object.entries(DEVELOPMENT_VARS).flatMap(([name, value]) => ["--var", `${name}:${value}`]);
  const child = spawn(wrangler, ["dev", "--port", String(port), ...flags, ...args.slice(1)], { cwd: root, stdio: "inherit" });
  for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => child.kill(signal));
  child.on("exit", (code) => process.exit(code ?? 0));
}

async function serve() {
  const vars = varsFrom(args);
  const { unstable_startWorker: startWorker } = await import("wrangler");
  const worker = await startWorker({
    config: join(root, "wrangler.toml"),
    bindings: Object.fromEntries(Object.entries(vars).map(([name, value]) => [name, { type: "plain_text", value }])),
    // "warn" keeps wrangler from logging every request line (that alone costs a quarter of the
    // bare route's throughput); the worker's errors still print.
    dev: { server: { port }, inspector: false, watch: false, logLevel: "warn" },
  });
  await worker.ready;
  console.log(`Parley is ready on http://localhost:${port} (Ctrl-C stops it; npm run dev for DevTools and reload on save).`);
  let stopping = false;
  for (const signal of ["SIGINT", "SIGTERM"]) {
    process.on(signal, async () => {
      if (stopping) return;
      stopping = true;
      await worker.dispose();
      process.exit(0);
    });
  }
}

ensureDevVars();
applyMigrations();
if (dev) runWranglerDev();
else await serve();
