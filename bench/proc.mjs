// CPU time and resident memory of the workerd processes `npm start` runs (wrangler's proxy and the
// worker itself), read from /proc: they are what a call costs, the rest of the tree is tooling.
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";

const TICKS_PER_SECOND = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;
const PAGE_BYTES = Number(execFileSync("getconf", ["PAGESIZE"], { encoding: "utf8" }).trim()) || 4096;

function stat(pid) {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, "utf8");
    const close = text.lastIndexOf(")");
    const comm = text.slice(text.indexOf("(") + 1, close);
    // Fields after the command name, numbered as in proc(5) from field 3 (state).
    const f = text.slice(close + 2).split(" ");
    return { pid, comm, pgrp: Number(f[2]), cpuTicks: Number(f[11]) + Number(f[12]), rssBytes: Number(f[21]) * PAGE_BYTES };
  } catch {
    return null; // the process ended between listing and reading
  }
}

/** The processes in the process group `npm start` was started in (all of them, or one command's). */
function processes(pgid, comm) {
  return readdirSync("/proc")
    .filter((name) => /^\d+$/.test(name))
    .map((pid) => stat(pid))
    .filter((s) => s && s.pgrp === pgid && (!comm || s.comm === comm));
}

function usage(procs) {
  return {
    processes: procs.length,
    cpuSeconds: procs.reduce((sum, p) => sum + p.cpuTicks, 0) / TICKS_PER_SECOND,
    rssBytes: procs.reduce((sum, p) => sum + p.rssBytes, 0),
  };
}

/**
 * Each workerd process on its own: wrangler runs a proxy in front (on the port you call) and the
 * worker itself (its own entry on an ephemeral port).
 */
export function workerdBreakdown(pgid) {
  return processes(pgid, "workerd").map((p) => {
    let cmdline = "";
    try {
      cmdline = readFileSync(`/proc/${p.pid}/cmdline`, "utf8");
    } catch {
      // gone
    }
    return { pid: p.pid, role: cmdline.includes("entry=127.0.0.1:0") ? "worker" : "proxy", cpuSeconds: p.cpuTicks / TICKS_PER_SECOND, rssBytes: p.rssBytes };
  });
}

/** Summed CPU seconds and RSS bytes of the whole `npm start` tree (npm, node, wrangler, esbuild and workerd). */
export const treeUsage = (pgid) => usage(processes(pgid));

/** Whole-machine CPU counters, to tell how busy the 2 cores were. */
export function machineCpu() {
  const [, ...fields] = readFileSync("/proc/stat", "utf8").split("\n")[0].trim().split(/\s+/);
  const values = fields.map(Number);
  const idle = values[3] + (values[4] ?? 0);
  const total = values.reduce((a, b) => a + b, 0);
  return { idleSeconds: idle / TICKS_PER_SECOND, totalSeconds: total / TICKS_PER_SECOND };
}

/**
 * Cores busy with work other than `npm start`'s tree and this process over the next `ms`: other
 * jobs on the machine skew every figure, so the benchmark waits for them to calm down.
 */
export async function otherLoad(pgid, ms = 2000) {
  const m0 = machineCpu();
  const t0 = treeUsage(pgid).cpuSeconds;
  const s0 = process.cpuUsage();
  await new Promise((r) => setTimeout(r, ms));
  const m1 = machineCpu();
  const self = process.cpuUsage(s0);
  const busy = m1.totalSeconds - m0.totalSeconds - (m1.idleSeconds - m0.idleSeconds);
  return Math.max(0, busy - (treeUsage(pgid).cpuSeconds - t0) - (self.user + self.system) / 1e6) / (ms / 1000);
}
