#!/usr/bin/env node
// `npm start`: a working Parley on http://localhost:8787 (or $PORT) with local state under
// .wrangler/, no credentials needed. It makes a .dev.vars with a random session secret the first
// time, applies the D1 migrations, then hands over to `wrangler dev`.
import { spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const wrangler = join(root, "node_modules", ".bin", "wrangler");
const port = process.env.PORT ?? "8787";

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

ensureDevVars();
applyMigrations();
// Local development may deliver webhooks to http://localhost (npm run demo's receiver does);
// deployments keep the https-only rule from wrangler.toml.
const dev = spawn(wrangler, ["dev", "--port", port, "--var", "ALLOW_LOCALHOST_WEBHOOKS:true", ...process.argv.slice(2)], { cwd: root, stdio: "inherit" });
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => dev.kill(signal));
dev.on("exit", (code) => process.exit(code ?? 0));
