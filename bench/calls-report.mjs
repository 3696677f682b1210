// Turns the call benchmark's levels into the console table and the README section, with the
// verdict on the target: p99 under 5 ms each way at 50 calls, memory per call flat over the call.
const TARGET_CALLS = 50;
const TARGET_P99_MS = 5;
const MB = 2 ** 20;

const ms = (v) => (Number.isFinite(v) ? v.toFixed(v < 10 ? 2 : 1) : "–");
const pct = (v) => `${(v * 100).toFixed(1)}%`;

/** Figures derived from a level's raw measurements. */
export function derive(row) {
  const during = row.rss.map((s) => s.bytes);
  const mean = during.reduce((a, b) => a + b, 0) / during.length;
  const first = row.rss[0];
  const last = row.rss[row.rss.length - 1];
  const perCall = (mean - row.idleRss) / row.n;
  const growthPerCall = (last.bytes - first.bytes) / row.n;
  // Flat: over the whole call, a call's memory grows by less than a tenth of what it holds (or
  // 64 KiB, under which RSS pages and GC timing are noise).
  const flat = Math.abs(growthPerCall) <= Math.max(0.1 * Math.max(perCall, 0), 64 * 1024);
  return {
    lostIn: row.sent - row.atModel,
    lostOut: row.echoed - row.back,
    cpuPerCall: row.workerdCores / row.n,
    perCallMb: perCall / MB,
    growthPerCallKb: growthPerCall / 1024,
    flat,
    meets: row.inbound[1] < TARGET_P99_MS && row.outbound[1] < TARGET_P99_MS,
  };
}

export function report(rows, { seconds, warmupFrames, cores, cpu, serverErrors }) {
  const lines = rows.map((row) => {
    const d = derive(row);
    return (
      `| ${row.n} | ${row.atModel.toLocaleString("en")} / ${row.back.toLocaleString("en")} | ${d.lostIn} / ${d.lostOut} ` +
      `| ${ms(row.inbound[0])} / ${ms(row.inbound[1])} | ${ms(row.outbound[0])} / ${ms(row.outbound[1])} ` +
      `| ${pct(d.cpuPerCall)} | ${row.workerdCores.toFixed(2)} / ${row.toolingCores.toFixed(2)} / ${row.benchCores.toFixed(2)} / ${row.otherCores.toFixed(2)} ` +
      `| ${d.perCallMb.toFixed(2)} | ${d.growthPerCallKb >= 0 ? "+" : ""}${d.growthPerCallKb.toFixed(0)} KB${d.flat ? "" : " (not flat)"} |`
    );
  });
  const header = [
    "| calls | frames relayed in / out | lost in / out | carrier→model p50 / p99 ms | model→carrier p50 / p99 ms | workerd CPU per call (of a core) | cores busy: workerd / wrangler / load generator / other | memory per call MB | memory growth per call over the call |",
    "|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
  ];
  const target = rows.find((r) => r.n === TARGET_CALLS);
  const verdict = target ? derive(target) : null;
  const problems = rows.flatMap((r) => r.problems.map((p) => `${r.n} calls: ${p}`));
  const outcomes = rows.map((r) => `${r.n} calls: ${r.outcomes.status || "none"} (${r.outcomes.endReason || "–"})`).join("; ");
  const markdown = [
    `Measured ${new Date().toISOString().slice(0, 10)} on ${cores} cores (${cpu}), \`npm start\` (wrangler dev, local D1 and Durable Objects) ` +
      "with live credentials pointed at a fake Twilio (REST, signed status callbacks, Media Streams over `ws`) and a fake OpenAI Realtime " +
      `model that echoes each appended frame back as agent audio, both in the benchmark's Node process. Every call streams a 20 ms mu-law frame ` +
      `in real time for ${seconds} s (calls start a fraction of a frame apart); latency is per frame, from the sender's \`send\` to the receiver's ` +
      `message handler, first ${(warmupFrames * 20) / 1000} s of each call excluded. CPU is the workerd processes' (wrangler's proxy and the worker) ` +
      "over the streaming window; memory is their RSS sampled every 5 s, less the RSS before the calls were placed.",
    "",
    ...header,
    ...lines,
    "",
    verdict
      ? `Target at ${TARGET_CALLS} concurrent calls: p99 under ${TARGET_P99_MS} ms each way — ${verdict.meets ? "met" : `**not met** (p99 ${ms(target.inbound[1])} ms carrier→model, ${ms(target.outbound[1])} ms model→carrier)`}; ` +
        `memory per call flat over the call — ${verdict.flat ? "met" : "**not met**"} (${verdict.growthPerCallKb.toFixed(0)} KB per call over ${target.wall.toFixed(0)} s against ${verdict.perCallMb.toFixed(2)} MB held per call).`
      : `Target at ${TARGET_CALLS} concurrent calls: not measured in this run (levels ${rows.map((r) => r.n).join(", ")}).`,
    `Calls as Parley recorded them: ${outcomes}.`,
    problems.length ? `Seen during the run: ${problems.join("; ")}.` : "No errors, early closes or crossed audio were seen.",
    serverErrors.length ? `Parley logged ${serverErrors.length} error lines, e.g. \`${serverErrors[0].slice(0, 200).replace(/`/g, "'")}\`.` : "",
  ].join("\n");
  return { table: [...header, ...lines].join("\n"), markdown };
}
