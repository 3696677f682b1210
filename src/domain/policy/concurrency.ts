import { z } from "@hono/zod-openapi";

export const DEFAULT_MAX_CONCURRENT_CALLS = 10;

export const MaxConcurrentCallsSchema = z
  .number()
  .int()
  .min(1)
  .max(1000)
  .openapi({ example: 10, description: "Calls of the project in progress at once, 1 to 1000. Default 10." });

/** How many of the project's calls may run at once; null or a malformed stored value means the default. */
export function effectiveConcurrency(project: { maxConcurrentCalls: number | null }): number {
  const parsed = MaxConcurrentCallsSchema.safeParse(project.maxConcurrentCalls);
  return parsed.success ? parsed.data : DEFAULT_MAX_CONCURRENT_CALLS;
}
