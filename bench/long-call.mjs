// `npm run bench` (long call part): one emulated 10-minute call, run 10× faster than real time,
// and the worker's retained JS heap sampled through it: a call's memory must stay flat, not grow
// with its recording (~1.9 MB of WAV a minute, staged to storage and uploaded in 5 MiB parts).
// The emulated carrier and model run in the worker's own isolate, so their memory is in the figures;
// a heap snapshot diff by constructor (first sample after answer to the last) says what grew.
// `node bench/long-call.mjs` runs it alone.
import { writeFileSync } from "node:fs";
import os from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import WebSocket from "ws";
import { findInspector, liveHeapBytes } from "./inspector.mjs";
import { workerdBreakdown } from "./proc.mjs";
import { writeSection } from "./readme.mjs";
import { call, startParley } from "./server.mjs";

const SPEED = 10;
const CALL_SECONDS = 600;
const SAMPLE_EVERY_MS = 5000; // of wall time: ~50 s of call time
// The call clock is the emulated line's, so a busy machine stretches wall time; past this, give up.
const WALL_LIMIT_MS = 240_000;
const CALLEE = "+14155550115"; // keeps talking: the call lasts until its time limit
const LOG = join(os.tmpdir(), "parley-bench-long-call.log");
const MB = 2 ** 20;
const KB = 1024;
const RUNNING = new Set(["queued", "ringing", "in_progress"]);
// What known holders are, for the reader of the diff (found with this diff and the retainers).
const KNOWN = {
  "Conversation.#seen.events": "the emulated model's log of every client event it received, one entry a frame (kept for tests)",
  'string "input_audio_buffer.append"': "that log's entries, when they are not one shared string",
  "VoiceActivity.#utterance": "the emulated model's buffer of the utterance it is hearing (at most 30 s)",
  "RecordingUpload.#chunk": "the recording's chunk buffer (one a call)",
};
const EMULATOR_LOG = ["Conversation.#seen.events", 'string "input_audio_buffer.append"'];
const sleep = (ms) => new Promise((r) => setTimeout(r, Math.max(0, ms)));

async function setUp(base) {
  const account = await call(base, "/auth/signup", { body: { email: `bench.long.${Date.now()}@example.com`, password: "BenchPassword123!", business_name: "Bench Long Call Inc" } });
  const headers = { "x-api-key": account.default_project.api_key };
  const agent = await call(base, "/api/v1/agents", {
    headers,
    body: { name: "Reminder", system_prompt: "You confirm {{recipient_first_name}}'s appointment.", starting_message: "Hi {{recipient_first_name}}, I'm calling about your appointment." },
  });
  const customer = await call(base, "/api/v1/customers", { headers, body: { first_name: "Bench", last_name: "Talker", phone: CALLEE } });
  return { headers, agentId: agent.id, customerId: customer.id };
}

/**
 * The call as the API shows it; its clock is the end of the last transcript line (ms from answer).
 * Now and then one read waits in wrangler's proxy for tens of seconds (it normally takes tens of
 * milliseconds, and the call runs on meanwhile): it is abandoned and asked again on a new connection.
 */
async function callState(base, headers, id, reads) {
  reads.total++;
  for (let attempt = 1; ; attempt++) {
    try {
      const res = await fetch(`${base}/api/v1/calls/${id}`, { headers, signal: AbortSignal.timeout(3000) });
      if (!res.ok) throw new Error(`GET /api/v1/calls/${id} → ${res.status} ${await res.text()}`);
      const c = await res.json();
      if (attempt > 1) reads.hung++;
      const lineMs = Math.max(0, ...c.transcript.map((l) => l.end_ms));
      return { status: c.status, endReason: c.end_reason, answeredAt: c.answered_at ? Date.parse(c.answered_at) : null, lineMs, lines: c.transcript.length, recording: c.recording };
    } catch (error) {
      if (error.name !== "TimeoutError" || attempt >= 10) throw error;
    }
  }
}

/** Retained heap grouped by type and constructor (strings by their opening), after the snapshot's full GC. */
async function heapByConstructor(url) {
  const ws = new WebSocket(url, { maxPayload: 1 << 30, perMessageDeflate: false });
  const chunks = [];
  let answered;
  ws.on("message", (data) => {
    const m = JSON.parse(data.toString());
    if (m.method === "HeapProfiler.addHeapSnapshotChunk") chunks.push(m.params.chunk);
    else if (m.id === 1) answered();
  });
  ws.on("error", () => {});
  try {
    await Promise.race([
      new Promise((resolve) => {
        answered = resolve;
        ws.once("open", () => ws.send(JSON.stringify({ id: 1, method: "HeapProfiler.takeHeapSnapshot", params: { reportProgress: false } })));
      }),
      sleep(60_000).then(() => Promise.reject(new Error("no heap snapshot within 60 s"))),
    ]);
  } catch {
    return null;
  } finally {
    ws.terminate();
  }
  return groupHeap(JSON.parse(chunks.join("")));
}

// Holders that say nothing of their own (a big array's or buffer's owner is named through them).
const PLUMBING = new Set(["Object", "Array", "ArrayBuffer", "Uint8Array", "(object elements)", ""]);

/**
 * The snapshot's nodes by type and constructor, strings by their opening; a block of 16 KB or more
 * (an array's elements, a buffer's bytes) by its holder instead, e.g. `Conversation.#seen.events`.
 */
function groupHeap({ snapshot, nodes, edges, strings }) {
  const [nf, ef] = [snapshot.meta.node_fields, snapshot.meta.edge_fields];
  const [type, name, size, edgeCount] = ["type", "name", "self_size", "edge_count"].map((f) => nf.indexOf(f));
  const [edgeType, edgeName, toNode] = ["type", "name_or_index", "to_node"].map((f) => ef.indexOf(f));
  const count = nodes.length / nf.length;
  const typeOf = (i) => snapshot.meta.node_types[0][nodes[i * nf.length + type]];
  const nameOf = (i) => strings[nodes[i * nf.length + name]];
  // Each node's first strong retainer and the property it is held by.
  const parent = new Int32Array(count).fill(-1);
  const via = new Array(count);
  for (let i = 0, e = 0; i < count; i++) {
    for (const end = e + nodes[i * nf.length + edgeCount] * ef.length; e < end; e += ef.length) {
      const to = edges[e + toNode] / nf.length;
      const kind = snapshot.meta.edge_types[0][edges[e + edgeType]];
      if (parent[to] >= 0 || kind === "weak" || kind === "shortcut") continue;
      parent[to] = i;
      via[to] = kind === "property" || kind === "internal" || kind === "context" ? strings[edges[e + edgeName]] : "";
    }
  }
  const holder = (i) => {
    const path = [];
    for (let at = i, hops = 0; parent[at] >= 0 && hops < 6; at = parent[at], hops++) {
      if (via[at] && !["elements", "buffer", "backing_store"].includes(via[at])) path.unshift(via[at]);
      const owner = nameOf(parent[at]);
      if (typeOf(parent[at]) === "object" && !PLUMBING.has(owner) && !owner.startsWith("system")) return `${owner}.${path.join(".")}`;
    }
    return null;
  };
  const groups = new Map();
  for (let i = 0; i < count; i++) {
    const [t, n, bytes] = [typeOf(i), nameOf(i), nodes[i * nf.length + size]];
    const held = bytes >= 16 * KB && (t === "array" || t === "native") ? holder(i) : null;
    const key = held ? `${held} (${t} ${n})` : t.endsWith("string") ? `string "${n.slice(0, 40)}"` : `${t} ${n.slice(0, 60)}`;
    const g = groups.get(key) ?? { count: 0, bytes: 0 };
    g.count++;
    g.bytes += bytes;
    groups.set(key, g);
  }
  return groups;
}

/**
 * The groups that grew most between two grouped snapshots (compiled code left out: the JIT's, not
 * the call's), and how fast the emulated model's event log grew, per minute of call time.
 */
function diffHeaps(first, last, n = 5) {
  const before = (key) => first.groups.get(key) ?? { count: 0, bytes: 0 };
  const rows = [...last.groups].map(([key, g]) => ({ key, count: g.count - before(key).count, bytes: g.bytes - before(key).bytes }));
  const logBytes = rows.filter((r) => EMULATOR_LOG.some((k) => r.key.includes(k))).reduce((sum, r) => sum + r.bytes, 0);
  const top = rows.filter((r) => !r.key.startsWith("code")).sort((a, b) => b.bytes - a.bytes).slice(0, n);
  return { from: first.at, to: last.at, top, logPerMinute: logBytes / ((last.at - first.at) / 60_000) };
}

/** The call's state, then at once the retained heap (so a read that hangs cannot part the two). */
async function sample(server, setup, callId, t0, reads) {
  const state = callId ? await callState(server.base, setup.headers, callId, reads) : null;
  // The line's clock as the emulated carrier keeps it: wall time since answer × speed.
  const wallCallMs = state?.status === "in_progress" && state.answeredAt ? (Date.now() - state.answeredAt) * SPEED : null;
  const started = Date.now();
  const heap = await liveHeapBytes(server.inspector);
  const snapshotMs = Date.now() - started;
  const rss = workerdBreakdown(server.pgid).find((p) => p.role === "worker")?.rssBytes ?? null;
  return { wall: (Date.now() - t0) / 1000, heap: heap?.live ?? null, heapBeforeGc: heap?.heapBeforeGc ?? null, rss, snapshotMs, ...state, wallCallMs };
}

/** Bytes of the whole recording, read once through its stream. */
async function streamedBytes(base, headers, id) {
  const res = await fetch(`${base}/api/v1/calls/${id}/recording/stream`, { headers });
  if (!res.ok) return { status: res.status, bytes: 0 };
  let bytes = 0;
  for await (const chunk of res.body) bytes += chunk.length;
  return { status: res.status, bytes };
}

/** Heap change per minute of call time: first to last in-call sample, and the least-squares slope. */
function growth(inCall) {
  if (inCall.length < 2) return null;
  const [first, last] = [inCall[0], inCall.at(-1)];
  const points = inCall.map((s) => [s.lineMs / 60_000, s.heap]);
  const mean = (k) => points.reduce((sum, p) => sum + p[k], 0) / points.length;
  const [mx, my] = [mean(0), mean(1)];
  const varx = points.reduce((sum, [x]) => sum + (x - mx) ** 2, 0);
  const slope = varx ? points.reduce((sum, [x, y]) => sum + (x - mx) * (y - my), 0) / varx : 0;
  const minutes = (last.lineMs - first.lineMs) / 60_000;
  return { bytes: last.heap - first.heap, minutes, perMinute: (last.heap - first.heap) / minutes, slope };
}

const mb = (b) => (b == null ? "–" : (b / MB).toFixed(2));
const clock = (ms) => (ms == null ? "–" : `${Math.floor(ms / 60_000)}:${String(Math.floor((ms % 60_000) / 1000)).padStart(2, "0")}`);
const signed = (n) => `${n >= 0 ? "+" : ""}${n.toFixed(0)}`;
const known = (key) => Object.entries(KNOWN).map(([k, what]) => (key.includes(k) ? `: ${what}` : "")).join("");
const kbMin = (b) => `${b >= 0 ? "+" : ""}${(b / KB).toFixed(0)} KB/min`;

function report({ idle, samples, after, grew, grown, final, streamed, wallSeconds, problems }) {
  const rec = final.recording;
  const recPerMinute = rec?.size_bytes && rec?.duration_ms ? rec.size_bytes / (rec.duration_ms / 60_000) : 32_000 * 60;
  // Keeping the audio, or any one copy of it, would be a large fraction of the recording's rate.
  const flat = grew && Math.max(grew.perMinute, grew.slope) < recPerMinute * 0.1;
  const verdict = !grew
    ? "No verdict: too few samples during the call."
    : `**${flat ? "Flat" : "Growing"}:** ${kbMin(grew.perMinute)} of call time from the first sample after answer to the last (${(grew.bytes / KB).toFixed(0)} KB over ${grew.minutes.toFixed(1)} min; ` +
      `least-squares trend ${kbMin(grew.slope)}), against the ${(recPerMinute / MB).toFixed(2)} MB a minute the recording grows by${flat ? ": no audio is kept in memory" : ""}` +
      `${grown ? `. The emulated model's log of client events (one entry a frame) accounts for ${kbMin(grown.logPerMinute)} of it` : ""}.`;
  const diff = grown
    ? `What grew most between the heap snapshots at ${clock(grown.from)} and ${clock(grown.to)} of call time (retained, by type and constructor; compiled code left out): ` +
      grown.top.map((g) => `${signed(g.bytes / KB)} KB ${g.key} (${signed(g.count)})${known(g.key)}`).join("; ") + "."
    : "";
  const row = (s, label) => `| ${label ?? s.status} | ${s.wall.toFixed(0)} s | ${clock(s.lineMs)} | ${clock(s.wallCallMs)} | ${mb(s.heap)} | ${mb(s.heapBeforeGc)} | ${mb(s.rss)} | ${s.snapshotMs} ms |`;
  return [
    `Measured ${new Date().toISOString().slice(0, 10)} on ${os.cpus().length} cores (${os.cpus()[0]?.model ?? "cpu"}), \`npm run dev\` (wrangler dev, for its inspector) with no credentials: one recorded call ` +
      `through the emulated carrier to the callee who keeps talking (${CALLEE}), \`max_duration_seconds: ${CALL_SECONDS}\`, emulators at ${SPEED}× real time ` +
      `(${wallSeconds.toFixed(0)} s of wall time). Every ~${SAMPLE_EVERY_MS / 1000} s of wall time the worker's retained JS heap is read after a full GC (a heap snapshot through ` +
      "its inspector, which pauses the worker; the line's clock catches up after it). **The heap is the whole isolate's: the API, the call's Durable Object and the emulated carrier " +
      "and model, which run in the same isolate under `wrangler dev`.** Call time is the end of the last transcript line; the line clock is wall time since answer × " +
      `${SPEED}. Worker RSS is the whole workerd process, local D1, Durable Object storage and R2 included (the recording is staged and uploaded there), so it grows with the ` +
      `stored audio and is no measure of the call's memory. At ${SPEED}× the call's own time limit (a wall-clock alarm) does not fire before the emulated carrier's \`TimeLimit\` ` +
      `(${CALL_SECONDS} s plus the closing grace, counted at ${SPEED}×) hangs up, so the call ends as \`callee_hung_up\` a little past ${CALL_SECONDS / 60} minutes. ` +
      `Load average when it ended: ${os.loadavg()[0].toFixed(1)}.`,
    "",
    "| call | wall | call time (transcript) | line clock | heap live | heap before GC | worker RSS | snapshot |",
    "|---|---:|---:|---:|---:|---:|---:|---:|",
    row(idle, "before the call"),
    ...samples.map((s) => row(s)),
    ...(after ? [row(after, "after (recording saved)")] : []),
    "",
    verdict,
    ...(diff ? ["", diff] : []),
    "",
    `The call: ${final.status} (${final.endReason}), ${final.lines} transcript lines. Recording: ${rec ? `${rec.status}, ${(rec.duration_ms / 1000).toFixed(1)} s, ${rec.size_bytes?.toLocaleString("en-US")} bytes` : "none"}` +
      `${streamed ? `; its stream answered ${streamed.status} with ${streamed.bytes.toLocaleString("en-US")} bytes${rec && streamed.bytes === rec.size_bytes ? " (all of it)" : ""}` : ""}.` +
      (problems.length ? ` Problems: ${problems.join("; ")}.` : ""),
  ].join("\n");
}

export async function benchLongCall() {
  const server = await startParley(8690 + Math.floor(Math.random() * 100), { vars: { EMULATOR_SPEED: String(SPEED) }, snapshot: true, dev: true });
  const problems = [];
  const reads = { total: 0, hung: 0 };
  try {
    const worker = workerdBreakdown(server.pgid).find((p) => p.role === "worker");
    server.inspector = worker ? await findInspector(worker.pid) : null;
    if (!server.inspector) throw new Error("could not find the worker's inspector");
    const setup = await setUp(server.base);
    const t0 = Date.now();
    const idle = await sample(server, setup, null, t0, reads);
    const sent = await call(server.base, "/api/v1/notifications", { headers: setup.headers, body: { customer_id: setup.customerId, agent_id: setup.agentId, max_duration_seconds: CALL_SECONDS } });
    const callId = sent.call?.callId;
    if (!callId) throw new Error(`the notification placed no call (${sent.notification.status})`);
    console.log(`long call: ${callId}, sampling every ${SAMPLE_EVERY_MS / 1000} s …`);

    const samples = [];
    const detail = { first: null, last: null };
    let s;
    for (let next = t0 + SAMPLE_EVERY_MS; ; next += SAMPLE_EVERY_MS) {
      while (next < Date.now()) next += SAMPLE_EVERY_MS; // a slow sample skips a tick rather than bunching them
      await sleep(next - Date.now());
      s = await sample(server, setup, callId, t0, reads);
      samples.push(s);
      console.log(`${s.wall.toFixed(0)} s: ${s.status} transcript ${clock(s.lineMs)} line ${clock(s.wallCallMs)} heap ${mb(s.heap)} MB (before GC ${mb(s.heapBeforeGc)}) rss ${mb(s.rss)} MB, snapshot ${s.snapshotMs} ms`);
      if (!RUNNING.has(s.status)) break;
      // By constructor at the first sample after answer and at those near the end (the last is kept).
      if (s.status === "in_progress" && s.lineMs > 0 && (!detail.first || s.wallCallMs > (CALL_SECONDS - 90) * 1000)) {
        const groups = await heapByConstructor(server.inspector);
        if (groups) detail[detail.first ? "last" : "first"] = { groups, at: s.lineMs };
      }
      if (Date.now() - t0 > WALL_LIMIT_MS) throw new Error(`the call was still ${s.status} after ${WALL_LIMIT_MS / 1000} s of wall time (transcript at ${clock(s.lineMs)}, line clock ${clock(s.wallCallMs)})`);
    }
    const wallSeconds = (Date.now() - t0) / 1000;
    if (s.status !== "completed" || !["max_duration", "callee_hung_up"].includes(s.endReason)) problems.push(`the call ended ${s.status} (${s.endReason})`);
    if (s.lineMs < CALL_SECONDS * 1000) problems.push(`the call lasted only ${clock(s.lineMs)} of call time`);

    // The recording is completed just after the call ends.
    let final = await callState(server.base, setup.headers, callId, reads);
    for (let i = 0; i < 60 && final.recording?.status === "recording"; i++) {
      await sleep(500);
      final = await callState(server.base, setup.headers, callId, reads);
    }
    if (final.recording?.status !== "available") problems.push(`the recording is ${final.recording?.status ?? "missing"}`);
    const after = await sample(server, setup, callId, t0, reads);
    const streamed = final.recording?.status === "available" ? await streamedBytes(server.base, setup.headers, callId) : null;
    if (streamed && streamed.bytes !== final.recording.size_bytes) problems.push(`the stream gave ${streamed.bytes} bytes, size_bytes says ${final.recording.size_bytes}`);
    if (samples.some((x) => x.heap == null)) problems.push("some heap samples could not be read");
    if (reads.hung) problems.push(`${reads.hung} of ${reads.total} reads of the call hung in wrangler's proxy and were asked again after 3 s`);

    const inCall = samples.filter((x) => x.status === "in_progress" && x.lineMs > 0 && x.heap != null);
    const grew = growth(inCall);
    const grown = detail.first && detail.last ? diffHeaps(detail.first, detail.last) : null;
    const markdown = report({ idle, samples, after, grew, grown, final, streamed, wallSeconds, problems });
    console.log(markdown);
    writeSection("long-call", markdown);
    return { samples, grew, grown, final, streamed, problems };
  } finally {
    writeFileSync(LOG, server.log());
    console.log(`Parley's log: ${LOG}`);
    await server.stop();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await benchLongCall();
  process.exit(0);
}
