import { createRoute, z } from "@hono/zod-openapi";
import { ErrorSchema, json } from "../../lib/openapi";
import { createRouter } from "../../lib/router";

const health = createRoute({
  method: "get",
  path: "/health",
  tags: ["Health"],
  summary: "Liveness check",
  description: "Answers without touching storage; the benchmark uses it as the ceiling for routed requests.",
  responses: { 200: json(z.object({ ok: z.literal(true) }).openapi("Health"), "The worker is serving.") },
});

const ready = createRoute({
  method: "get",
  path: "/health/ready",
  tags: ["Health"],
  summary: "Readiness check",
  description: "Answers once the database answers a query: one D1 round trip, nothing else.",
  responses: {
    200: json(z.object({ ok: z.literal(true), database: z.literal("ok") }).openapi("Readiness"), "The worker and its database are serving."),
    500: json(ErrorSchema, "The database did not answer."),
  },
});

export const healthRouter = createRouter()
  .openapi(health, (c) => c.json({ ok: true as const }, 200))
  .openapi(ready, async (c) => {
    await c.env.DB.prepare("SELECT 1").first();
    return c.json({ ok: true as const, database: "ok" as const }, 200);
  });
