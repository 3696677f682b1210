import { createMiddleware } from "hono/factory";
import { createDb } from "../db/client";
import type { AppEnv } from "../lib/app-env";
import { newRequestId } from "../lib/ids";

/** Gives every request an id (echoed as X-Request-Id, even on errors) and its database handle. */
export const requestContext = createMiddleware<AppEnv>(async (c, next) => {
  const requestId = newRequestId();
  c.set("requestId", requestId);
  c.set("db", createDb(c.env.DB));
  c.header("X-Request-Id", requestId);
  await next();
  // A WebSocket handshake's response comes from a Durable Object and cannot be changed.
  if (!c.res.webSocket) c.res.headers.set("X-Request-Id", requestId);
});
