import { createRoute, z } from "@hono/zod-openapi";
import { json } from "../../lib/openapi";
import { createRouter } from "../../lib/router";

const health = createRoute({
  method: "get",
  path: "/health",
  tags: ["Health"],
  summary: "Liveness check",
  description: "Answers without touching storage; the benchmark uses it as the ceiling for routed requests.",
  responses: { 200: json(z.object({ ok: z.literal(true) }).openapi("Health"), "The worker is serving.") },
});

export const healthRouter = createRouter().openapi(health, (c) => c.json({ ok: true as const }, 200));
