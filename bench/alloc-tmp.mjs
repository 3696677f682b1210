import { execSync } from "node:child_process";
import WebSocket from "ws";
import { findInspector } from "./inspector.mjs";
const pid = execSync("ps -eo pid,pcpu,args --sort=-pcpu | grep bin/workerd | grep -v grep | head -1 | awk '{print $1}'").toString().trim();
const url = await findInspector(pid);
const ws = new WebSocket(url, { maxPayload: 1 << 30 });
await new Promise((r) => ws.on("open", r));
let id = 0; const pending = new Map();
ws.on("message", (d) => { const m = JSON.parse(d); if (m.id && pending.has(m.id)) { pending.get(m.id)(m); pending.delete(m.id); } });
const send = (method, params = {}) => new Promise((r) => { const i = ++id; pending.set(i, r); ws.send(JSON.stringify({ id: i, method, params })); });
await send("HeapProfiler.enable");
console.log(await send("HeapProfiler.startSampling", { samplingInterval: 2048, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: false }));
await new Promise((r) => setTimeout(r, 5000));
const res = await send("HeapProfiler.stopSampling");
const profile = res.result.profile;
const by = new Map(); let total = 0;
const walk = (n, stack) => {
  const name = `${n.callFrame.functionName || "(anon)"} ${n.callFrame.url.split("/").pop()}:${n.callFrame.lineNumber}`;
  const s = [name, ...stack].slice(0, 3).join(" < ");
  if (n.selfSize) { by.set(s, (by.get(s) ?? 0) + n.selfSize); total += n.selfSize; }
  for (const c of n.children) walk(c, [name, ...stack]);
};
walk(profile.head, []);
console.log("total sampled MB over 5 s", (total / 1e6).toFixed(1));
for (const [k, v] of [...by].sort((a, b) => b[1] - a[1]).slice(0, 30)) console.log(((v / total) * 100).toFixed(1) + "%", k);
process.exit(0);
