// The same worker as `npm start`, local state included, started through wrangler's programmatic
// API with its DevTools inspector off. `wrangler dev` always attaches that inspector and enables
// its Network domain, so every subrequest (each D1 query, each Durable Object call) is also sent to
// wrangler's inspector proxy and decoded there; this measures the worker without that.
// Run as `node bench/quiet-worker.mjs PORT` from the project root after `npm start` has migrated.
import { unstable_startWorker } from "wrangler";

const port = Number(process.argv[2]);
const worker = await unstable_startWorker({ config: "wrangler.toml", dev: { server: { port }, inspector: false, logLevel: "warn" } });
await worker.ready;
console.log(`ready on ${port}`);
for (const signal of ["SIGINT", "SIGTERM"]) {
  process.on(signal, async () => {
    await worker.dispose();
    process.exit(0);
  });
}
