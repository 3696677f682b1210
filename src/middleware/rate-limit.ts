import { createMiddleware } from "hono/factory";
import type { AppEnv, Caller } from "../lib/app-env";
import { ApiError } from "../lib/errors";

function countUserRequest(env: Env, caller: Caller) {
  const name = caller.kind === "session" ? `user:${caller.userId}` : `key:${caller.apiKeyId}`;
  return env.RATE_LIMITER.get(env.RATE_LIMITER.idFromName(name)).hit(Number(env.DEFAULT_RATE_LIMIT_PER_MINUTE));
}

/**
 * Per-key limits (API keys are counted by their gate during authentication) and per-user limits
 * for session tokens, with the X-RateLimit-* headers on every answer.
 */
export const rateLimit = createMiddleware<AppEnv>(async (c, next) => {
  const decision = c.get("rateLimit") ?? (await countUserRequest(c.env, c.get("caller")));
  const headers = {
    "X-RateLimit-Limit": String(decision.limit),
    "X-RateLimit-Remaining": String(decision.remaining),
    "X-RateLimit-Reset": String(decision.resetAt),
  };
  if (!decision.allowed) {
    throw new ApiError("rate_limited", `Rate limit of ${decision.limit} requests per minute exceeded; retry after ${decision.retryAfterSeconds} s.`, {
      headers: { ...headers, "Retry-After": String(decision.retryAfterSeconds) },
    });
  }
  await next();
  for (const [header, value] of Object.entries(headers)) c.res.headers.set(header, value);
});
