// What the machine did during a measured window: CPU of each workerd process (wrangler's proxy
// and the worker), of the rest of `npm start`'s tree, of this load generator and of anything else;
// workerd RSS every 5 s; and the load generator's own event loop delay, which it adds to every
// latency it times.
import { monitorEventLoopDelay } from "node:perf_hooks";
import { now } from "./frames.mjs";
import { machineCpu, treeUsage, workerdBreakdown } from "./proc.mjs";

export function rssSample(pgid, t) {
  const byRole = Object.fromEntries(workerdBreakdown(pgid).map((p) => [p.role, p.rssBytes]));
  return { t, worker: byRole.worker ?? 0, proxy: byRole.proxy ?? 0, bytes: (byRole.worker ?? 0) + (byRole.proxy ?? 0) };
}

export function openWindow(pgid, sampleMs = 5000) {
  const started = now();
  const workerd = workerdBreakdown(pgid);
  const tree = treeUsage(pgid).cpuSeconds;
  const machine = machineCpu();
  const self = process.cpuUsage();
  const rss = [rssSample(pgid, 0)];
  const sampler = setInterval(() => rss.push(rssSample(pgid, (now() - started) / 1000)), sampleMs);
  // Cores used by other processes, second by second: a burst of someone else's work stalls the relay.
  const others = [];
  let last = { at: started, tree: tree, machine, self };
  const othersSampler = setInterval(() => {
    const at = now();
    const next = { at, tree: treeUsage(pgid).cpuSeconds, machine: machineCpu(), self: process.cpuUsage() };
    const busy = next.machine.totalSeconds - last.machine.totalSeconds - (next.machine.idleSeconds - last.machine.idleSeconds);
    const selfCpu = (next.self.user - last.self.user + next.self.system - last.self.system) / 1e6;
    others.push({ t: (last.at - started) / 1000, cores: Math.max(0, (busy - (next.tree - last.tree) - selfCpu) / ((at - last.at) / 1000)) });
    last = next;
  }, 1000);
  const loop = monitorEventLoopDelay({ resolution: 1 });
  loop.enable();

  return {
    close() {
      clearInterval(sampler);
      clearInterval(othersSampler);
      loop.disable();
      const wall = (now() - started) / 1000;
      rss.push(rssSample(pgid, wall));
      const workerdAfter = workerdBreakdown(pgid);
      const cpuOf = (list, role) => list.filter((p) => p.role === role).reduce((sum, p) => sum + p.cpuSeconds, 0);
      const cores = (role) => (cpuOf(workerdAfter, role) - cpuOf(workerd, role)) / wall;
      const workerdCpu = workerdAfter.reduce((s, p) => s + p.cpuSeconds, 0) - workerd.reduce((s, p) => s + p.cpuSeconds, 0);
      const treeCpu = treeUsage(pgid).cpuSeconds - tree;
      const m = machineCpu();
      const busy = m.totalSeconds - machine.totalSeconds - (m.idleSeconds - machine.idleSeconds);
      const selfUsage = process.cpuUsage(self);
      const selfCpu = (selfUsage.user + selfUsage.system) / 1e6;
      return {
        wall,
        // A workerd restarted mid-window (a reload) would make these negative: reported, not hidden.
        restarted: workerdAfter.length !== workerd.length || workerdAfter.some((p) => !workerd.find((q) => q.pid === p.pid)),
        workerdCores: workerdCpu / wall,
        workerCores: cores("worker"),
        proxyCores: cores("proxy"),
        toolingCores: (treeCpu - workerdCpu) / wall,
        benchCores: selfCpu / wall,
        otherCores: Math.max(0, (busy - treeCpu - selfCpu) / wall),
        rss,
        startedAt: started,
        others,
        loopDelay: { p50: loop.percentile(50) / 1e6, p99: loop.percentile(99) / 1e6, max: loop.max / 1e6 },
      };
    },
  };
}
