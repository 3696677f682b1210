// The worker's live JavaScript heap, through workerd's own DevTools inspector (not wrangler's
// proxy of it, which runs in the proxy workerd and would swell its memory with the snapshot): a
// heap snapshot forces a full garbage collection, so the heap usage read right after it is what
// is retained, not what happens to be uncollected. It pauses the worker, so it is only taken
// while no frames flow.
import { readdirSync, readFileSync, readlinkSync } from "node:fs";
import WebSocket from "ws";

/** TCP ports the process listens on, from /proc (its socket inodes matched to listening sockets). */
export function listeningPorts(pid) {
  const inodes = new Set();
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (m) inodes.add(m[1]);
    } catch {
      // closed meanwhile
    }
  }
  const ports = [];
  for (const table of ["tcp", "tcp6"]) {
    for (const line of readFileSync(`/proc/${pid}/net/${table}`, "utf8").split("\n").slice(1)) {
      const f = line.trim().split(/\s+/);
      if (f[3] === "0A" && inodes.has(f[9])) ports.push(Number.parseInt(f[1].split(":").pop(), 16));
    }
  }
  return ports;
}

/** The inspector WebSocket URL of the worker process `pid`, or null. */
export async function findInspector(pid) {
  for (const port of listeningPorts(pid)) {
    try {
      const res = await fetch(`http://127.0.0.1:${port}/json/list`, { signal: AbortSignal.timeout(2000) });
      const targets = await res.json();
      const target = Array.isArray(targets) && targets.find((t) => t.webSocketDebuggerUrl && String(t.id).startsWith("core:user:"));
      if (target) {
        // The first session on a fresh inspector sometimes goes unanswered: open one until it answers.
        for (let i = 0; i < 5; i++) {
          if (await session(target.webSocketDebuggerUrl, 5000, (send) => send("Runtime.getHeapUsage"))) break;
        }
        return target.webSocketDebuggerUrl;
      }
    } catch {
      // not the inspector
    }
  }
  return null;
}

/** Runs `steps(send)` in one inspector session; null on failure or after `timeoutMs`. */
async function session(url, timeoutMs, steps) {
  const ws = new WebSocket(url, { maxPayload: 1 << 30, perMessageDeflate: false });
  const pending = new Map();
  let nextId = 0;
  const send = (method, params = {}) =>
    new Promise((resolve) => {
      const id = ++nextId;
      pending.set(id, resolve);
      ws.send(JSON.stringify({ id, method, params }));
    });
  // Snapshot chunks and other events are ignored; only answers to our ids matter.
  ws.on("message", (data) => {
    const message = JSON.parse(data.toString());
    if (typeof message.id === "number" && pending.has(message.id)) {
      pending.get(message.id)(message);
      pending.delete(message.id);
    }
  });
  let timer;
  try {
    return await Promise.race([
      (async () => {
        await new Promise((resolve, reject) => ws.once("open", resolve).once("error", reject));
        return await steps(send);
      })(),
      new Promise((resolve) => (timer = setTimeout(() => resolve(null), timeoutMs))),
    ]);
  } catch {
    return null;
  } finally {
    clearTimeout(timer);
    ws.terminate();
  }
}

const heapSteps = async (send) => {
  const before = (await send("Runtime.getHeapUsage")).result;
  await send("HeapProfiler.takeHeapSnapshot", { reportProgress: false });
  const after = (await send("Runtime.getHeapUsage")).result;
  return after && before ? { live: after.usedSize, usedBeforeGc: before.usedSize, heapBeforeGc: before.totalSize } : null;
};

/**
 * Bytes of JavaScript heap the worker retains (`live`, after a full GC) and what it used and had
 * reserved just before that collection; null if it could not be read.
 */
export async function liveHeapBytes(url) {
  if (!url) return null;
  for (let i = 0; i < 3; i++) {
    const heap = await session(url, 15_000, heapSteps);
    if (heap !== null) return heap;
  }
  return null;
}

/** A V8 CPU profile of the worker over `ms` (sampled every 200 µs), or null. */
export async function cpuProfile(url, ms) {
  if (!url) return null;
  return session(url, ms + 30_000, async (send) => {
    await send("Profiler.enable");
    await send("Profiler.setSamplingInterval", { interval: 200 });
    await send("Profiler.start");
    await new Promise((r) => setTimeout(r, ms));
    const stopped = await send("Profiler.stop");
    return stopped.result?.profile ?? null;
  });
}

/**
 * Polls the worker's heap usage every `everyMs` until `stop()`: a big drop between two polls is a
 * major garbage collection, to line up with stalls of the relay.
 */
export function watchHeap(url, everyMs = 100) {
  const polls = [];
  if (!url) return { stop: async () => polls };
  const ws = new WebSocket(url, { perMessageDeflate: false });
  let id = 0;
  let timer = null;
  ws.on("open", () => {
    timer = setInterval(() => ws.send(JSON.stringify({ id: ++id, method: "Runtime.getHeapUsage" })), everyMs);
  });
  ws.on("message", (data) => {
    const message = JSON.parse(data.toString());
    if (message.result?.usedSize !== undefined) polls.push({ at: performance.now(), used: message.result.usedSize });
  });
  ws.on("error", () => {});
  return {
    async stop() {
      clearInterval(timer);
      ws.terminate();
      return polls;
    },
  };
}
