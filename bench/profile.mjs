// Where the worker's CPU goes: a V8 CPU profile's self time grouped by the module each function
// was bundled from (esbuild marks where each module of the bundle starts with a comment naming
// its path), plus V8's own buckets such as the garbage collector.
import { readFileSync } from "node:fs";

const sections = new Map();

/** The bundle's module sections, as sorted [first line, module] pairs. */
function sectionsOf(path) {
  if (!sections.has(path)) {
    const list = [];
    try {
      readFileSync(path, "utf8")
        .split("\n")
        .forEach((line, i) => {
          // A snapshot's node_modules is a link, so its paths may read ../../…/node_modules/….
          const m = /^\/\/ (\S+\.(?:[cm]?[jt]sx?|json))$/.exec(line);
          if (m) list.push([i, m[1].includes("node_modules/") ? m[1].slice(m[1].lastIndexOf("node_modules/")) : m[1]]);
        });
    } catch {
      // not a file we can read: grouped by URL instead
    }
    sections.set(path, list);
  }
  return sections.get(path);
}

/** node_modules/@scope/pkg/… → @scope/pkg; src/… stays a file. */
const moduleName = (path) => /^node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path)?.[1] ?? path;

function category(frame, bundle) {
  if (frame.functionName.startsWith("(")) return frame.functionName;
  if (!frame.url) return "(native)";
  // workerd names the worker's main module by its file name only.
  const list = bundle?.endsWith(`/${frame.url}`) ? sectionsOf(bundle) : [];
  let found = null;
  for (const [line, name] of list) {
    if (line > frame.lineNumber) break;
    found = name;
  }
  return found ? moduleName(found) : frame.url;
}

/**
 * The top modules and functions by share of the profile's samples, idle ones left out. workerd's
 * sampler does not keep a steady interval (it samples while the isolate runs), so samples are
 * counted rather than their time deltas summed.
 */
export function summarize(profile, { bundle, top = Number(process.env.BENCH_PROFILE_TOP ?? 6) } = {}) {
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const byModule = new Map();
  const byFunction = new Map();
  let busy = 0;
  const add = (map, key) => map.set(key, (map.get(key) ?? 0) + 1);
  for (const id of profile.samples) {
    const frame = nodes.get(id)?.callFrame;
    if (!frame || frame.functionName === "(idle)") continue;
    busy++;
    const module = category(frame, bundle);
    add(byModule, module);
    if (!frame.functionName.startsWith("(")) add(byFunction, `${frame.functionName || "(anonymous)"} [${module}]`);
  }
  const rank = (map) =>
    [...map.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, count]) => ({ name, share: busy ? count / busy : 0 }));
  return { samples: busy, modules: rank(byModule), functions: rank(byFunction) };
}
