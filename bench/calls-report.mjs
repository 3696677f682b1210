// Turns the call benchmark's levels into the console table and the README section, with the
// verdict on the target: p99 under 5 ms each way at 50 calls, memory per call flat over the call.
const TARGET_CALLS = 50;
const TARGET_P99_MS = 5;
/** Retained heap per call may move by this much (a call's bounded buffers filling) and still be flat. */
const FLAT_HEAP_BYTES = 32 * 1024;
const KB = 1024;
const MB = 2 ** 20;

const ms = (v) => (Number.isFinite(v) ? v.toFixed(v < 10 ? 2 : 1) : "–");
const signed = (v, digits = 0) => `${v >= 0 ? "+" : ""}${v.toFixed(digits)}`;

/** Figures derived from a level's raw measurements. */
export function derive(row) {
  const mean = row.rss.reduce((a, s) => a + s.bytes, 0) / row.rss.length;
  const first = row.rss[0].bytes;
  const last = row.rss[row.rss.length - 1].bytes;
  const { idle, start, end } = row.heap;
  const heapKnown = Boolean(idle && start && end);
  const rssPerCall = (mean - row.idleRss.bytes) / row.n;
  const rssGrowth = (last - first) / row.n;
  return {
    lostIn: row.sent - row.atModel,
    lostOut: row.echoed - row.back,
    cpuPerCall: row.workerdCores / row.n,
    rssPerCall,
    rssGrowth,
    rssFlat: Math.abs(rssGrowth) <= 0.1 * Math.abs(rssPerCall),
    heapPerCall: heapKnown ? (start.live - idle.live) / row.n : Number.NaN,
    heapGrowth: heapKnown ? (end.live - start.live) / row.n : Number.NaN,
    // Flat means it does not grow with the call; a heap that ends smaller (warm-up garbage gone) is flat.
    heapFlat: heapKnown && (end.live - start.live) / row.n <= FLAT_HEAP_BYTES,
    meets: row.inbound[1] < TARGET_P99_MS && row.outbound[1] < TARGET_P99_MS,
  };
}

function mainTable(rows) {
  return [
    "| calls | frames relayed in / out | lost in / out | marks per agent frame | carrier→model p50 / p99 / p99.9 ms | model→carrier p50 / p99 / p99.9 ms | workerd CPU per call | RSS per call | RSS growth per call | retained JS heap per call | its growth per call |",
    "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ...rows.map((row) => {
      const d = derive(row);
      return (
        `| ${row.n} | ${row.atModel.toLocaleString("en")} / ${row.back.toLocaleString("en")} | ${d.lostIn} / ${d.lostOut} | ${row.back ? (row.marks / row.back).toFixed(2) : "–"} ` +
        `| ${row.inbound.slice(0, 3).map(ms).join(" / ")} | ${row.outbound.slice(0, 3).map(ms).join(" / ")} ` +
        `| ${(d.cpuPerCall * 100).toFixed(1)}% of a core | ${(d.rssPerCall / MB).toFixed(2)} MB | ${signed(d.rssGrowth / KB)} KB over ${row.wall.toFixed(0)} s ` +
        `| ${Number.isFinite(d.heapPerCall) ? `${(d.heapPerCall / KB).toFixed(1)} KB` : "–"} | ${Number.isFinite(d.heapGrowth) ? `${signed(d.heapGrowth / KB, 1)} KB over ${row.heap.seconds.toFixed(0)} s` : "–"} |`
      );
    }),
  ];
}

function contextTable(rows) {
  const top = (p, key) => (p ? p[key].slice(0, 4).map((m) => `${m.name} ${(m.share * 100).toFixed(0)}%`).join(", ") : "–");
  const pct = (x, digits = 0) => `${(x * 100).toFixed(digits)}%`;
  return [
    "| calls | frames ≥ 5 ms in / out | of those, in stalls of ≥ half the calls, in / out | stalls in / out (at a major GC of the worker); longest | major GCs | cores busy: worker / wrangler's proxy / rest of `npm run dev` / load generator / other | load generator loop delay p99 / max | worker CPU by module (profile) | top functions | V8 heap before the last full GC → after |",
    "|---:|---:|---:|---|---:|---|---:|---|---|---|",
    ...rows.map((r) => {
      const e = r.heap.end;
      return (
        `| ${r.n} | ${pct(r.slowIn.share, 2)} / ${pct(r.slowOut.share, 2)} | ${pct(r.slowIn.inStalls)} / ${pct(r.slowOut.inStalls)} ` +
        `| ${r.slowIn.stalls} (${r.slowIn.stallsDuringGc}) / ${r.slowOut.stalls} (${r.slowOut.stallsDuringGc})${r.slowIn.stalls + r.slowOut.stalls ? `; ${ms(Math.max(r.slowIn.longestStallMs, r.slowOut.longestStallMs))} ms` : ""} | ${r.slowIn.majorGcs} ` +
        `| ${[r.workerCores, r.proxyCores, r.toolingCores, r.benchCores, r.otherCores].map((c) => c.toFixed(2)).join(" / ")} ` +
        `| ${ms(r.loopDelay.p99)} / ${ms(r.loopDelay.max)} ms | ${top(r.profile, "modules")} | ${top(r.profile, "functions")} ` +
        `| ${e ? `${(e.heapBeforeGc / MB).toFixed(0)} MB (${(e.usedBeforeGc / MB).toFixed(0)} used) → ${(e.live / MB).toFixed(1)} MB` : "–"} |`
      );
    }),
  ];
}

function verdict(rows) {
  const target = rows.find((r) => r.n === TARGET_CALLS);
  if (!target) return `Target at ${TARGET_CALLS} concurrent calls: not measured in this run (levels ${rows.map((r) => r.n).join(", ")}).`;
  const d = derive(target);
  const latency = d.meets
    ? `p99 under ${TARGET_P99_MS} ms each way — **met** (${ms(target.inbound[1])} ms carrier→model, ${ms(target.outbound[1])} ms model→carrier)`
    : `p99 under ${TARGET_P99_MS} ms each way — **not met** (${ms(target.inbound[1])} ms carrier→model, ${ms(target.outbound[1])} ms model→carrier)`;
  const rss = `RSS ${d.rssFlat ? "flat" : "**not flat**"} (${signed(d.rssGrowth / KB)} KB per call over ${target.wall.toFixed(0)} s against ${(d.rssPerCall / KB).toFixed(0)} KB per call)`;
  const why =
    !d.rssFlat && d.heapFlat && target.heap.end
      ? ` The RSS rise is garbage piling up in the worker's V8 heap between major collections (${(target.heap.end.heapBeforeGc / MB).toFixed(0)} MB of heap before the last full GC, ` +
        `${(target.heap.end.live / MB).toFixed(1)} MB live after it), not state the calls keep; the process did not hand all of it back to the system after that GC ` +
        `(worker RSS ${(target.rssAfterGc.worker / MB).toFixed(0)} MB after it, ${(target.rss[0].worker / MB).toFixed(0)} MB when the window opened).`
      : "";
  const heap = Number.isFinite(d.heapGrowth)
    ? `retained JS heap ${d.heapFlat ? "flat" : "**not flat**"} (${signed(d.heapGrowth / KB, 1)} KB per call over ${target.heap.seconds.toFixed(0)} s; bound ${FLAT_HEAP_BYTES / KB} KB)`
    : "retained JS heap not measured";
  return `Target at ${TARGET_CALLS} concurrent calls: ${latency}; memory per call flat over the call — ${rss}, ${heap}.${why}`;
}

/** What sets the tail at a level whose p99 is over the target, from its own figures. */
function explain(row) {
  const d = derive(row);
  const perFrameUs = (row.workerCores / (row.n * 50)) * 1e6;
  const calls = `${row.n} call${row.n === 1 ? "" : "s"}`;
  const parts = [`${calls}: the worker process used ${row.workerCores.toFixed(2)} cores, about ${perFrameUs.toFixed(0)} µs of CPU per frame relayed both ways`];
  if (d.meets) return `${parts[0]}; p99 within target.`;
  if (row.workerCores >= 0.85) {
    parts.push("every call's Durable Object runs in its one isolate, on one thread, which is saturated: frames queue behind each other");
  } else {
    const s = row.slowIn.stalls >= row.slowOut.stalls ? row.slowIn : row.slowOut;
    parts.push(
      `${(s.inStalls * 100).toFixed(0)}% of the frames over 5 ms ${s === row.slowIn ? "carrier→model" : "model→carrier"} fell in ${s.stalls} stalls ` +
        `that hit at least half the calls at once (up to ${ms(s.longestStallMs)} ms), ${s.stallsDuringGc} of them during one of the worker's ${s.majorGcs} major garbage collections` +
        (row.heap.end ? ` (its heap grew to ${(row.heap.end.heapBeforeGc / MB).toFixed(0)} MB between them, of which ${(row.heap.end.live / MB).toFixed(1)} MB was live)` : ""),
    );
  }
  return `${parts.join("; ")}.`;
}

export function report(rows, { seconds, warmupFrames, profileSeconds, cores, cpu, serverErrors }) {
  const problems = rows.flatMap((r) => r.problems.map((p) => `${r.n} call${r.n === 1 ? "" : "s"}: ${p}`));
  const outcomes = rows.map((r) => `${r.n} call${r.n === 1 ? "" : "s"}: ${r.outcomes.status || "none"} (${r.outcomes.endReason || "–"})`).join("; ");
  const warmup = (warmupFrames * 20) / 1000;
  const markdown = [
    `Measured ${new Date().toISOString().slice(0, 10)} on ${cores} cores (${cpu}): \`npm run dev\` (wrangler dev, for its inspector; local D1 and Durable Objects) ` +
      "with live credentials pointed at a fake Twilio (REST, signed status callbacks, Media Streams over `ws`) and a fake OpenAI Realtime model " +
      "that echoes each appended frame straight back as agent audio, both in the benchmark's Node process. Each call streams a 20 ms mu-law " +
      `frame in real time for ${seconds} s, calls a fraction of a frame apart; the callee echoes marks at once. Latency is per frame, from the ` +
      `sender's \`send\` to the receiver's message handler (one clock), the first ${warmup} s of each call excluded. CPU is the workerd ` +
      `processes' (wrangler's proxy and the worker) over the steady ${seconds - warmup} s; RSS is theirs, sampled every 5 s, less the RSS ` +
      "before the calls were placed; the retained JS heap is the worker's after a full GC (a heap snapshot through its inspector), read in " +
      "the warm-up second and after the last frame, every call still up.",
    "",
    ...mainTable(rows),
    "",
    ...(rows.some((r) => r.n === 1) ? ["A single call's figures include one-time costs (code compiled and caches filled for the first call).", ""] : []),
    verdict(rows),
    "",
    `What sets the tail: ${rows.map(explain).join(" ")}`,
    "",
    `Where the time goes (the worker was CPU-profiled for ${profileSeconds - 1} s after the measured window, the calls still streaming; ` +
      "shares are of its non-idle samples, by the bundled module each function came from; `(program)` is native work outside JavaScript):",
    "",
    ...contextTable(rows),
    "",
    `Calls as Parley recorded them: ${outcomes}.`,
    problems.length ? `Seen during the run: ${problems.join("; ")}.` : "No errors, lost frames, early closes or crossed audio were seen.",
    serverErrors.length ? `Parley logged ${serverErrors.length} error lines, e.g. \`${serverErrors[0].slice(0, 200).replace(/`/g, "'")}\`.` : "",
  ].join("\n");
  return { table: [...mainTable(rows), "", ...contextTable(rows), "", verdict(rows)].join("\n"), markdown };
}
