import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../lib/app-env";
import { ApiError } from "../lib/errors";

/** Per-key limits (per-user for session tokens), with the X-RateLimit-* headers on every answer. */
export const rateLimit = createMiddleware<AppEnv>(async (c, next) => {
  const caller = c.get("caller");
  const [name, limit] =
    caller.kind === "api_key"
      ? [`key:${caller.apiKeyId}`, caller.rateLimitPerMinute]
      : [`user:${caller.userId}`, Number(c.env.DEFAULT_RATE_LIMIT_PER_MINUTE)];
  const decision = await c.env.RATE_LIMITER.get(c.env.RATE_LIMITER.idFromName(name)).hit(limit);
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
