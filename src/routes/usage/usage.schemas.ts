import { z } from "@hono/zod-openapi";

export const ProjectUsage = z
  .object({
    max_concurrent_calls: z.number().int().openapi({ example: 10, description: "The project's limit of simultaneous calls." }),
    active_calls: z.number().int().openapi({ example: 3, description: "Calls holding a slot now (placed and not yet ended)." }),
    calls: z
      .array(
        z.object({
          call_id: z.string().openapi({ example: "3f1c2a9e-8d1b-4c7a-a1e2-f3b4c5d6e7f8" }),
          slot_expires_at: z.string().openapi({ description: "When the slot frees itself if the call's end is never reported (longer than the call can last)." }),
        }),
      )
      .openapi({ description: "The calls holding a slot." }),
    waiting: z.number().int().openapi({ example: 12, description: "Notifications due now that wait for a free slot; they start in priority order, oldest first." }),
    scheduled: z.number().int().openapi({ example: 40, description: "Notifications scheduled for later: retries, calling windows and scheduled_at." }),
  })
  .openapi("ProjectUsage");
