import { createApp } from "./app";
import { pruneExpiredRecords } from "./maintenance/prune";
import { wakeOverdueDispatchers } from "./maintenance/sweep-schedule";
import { handleQueue } from "./queues";

const app = createApp();

export default {
  fetch: app.fetch,
  queue: handleQueue,
  scheduled: async (_controller, env, ctx) => {
    ctx.waitUntil(wakeOverdueDispatchers(env));
    ctx.waitUntil(pruneExpiredRecords(env));
  },
} satisfies ExportedHandler<Env>;

export { ApiKeyGate } from "./auth/api-key-gate";
export { CallSession } from "./calls/call-session";
export { ProjectDispatcher } from "./dispatch/project-dispatcher";
export { EmulatedCall } from "./emulators/carrier/emulated-call";
export { ModelSession } from "./emulators/model/model-session";
export { RateLimiter } from "./rate-limit/rate-limiter";
