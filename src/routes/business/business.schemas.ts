import { z } from "@hono/zod-openapi";
import { IdSchema, NameSchema, TimestampSchema } from "../../lib/schemas";

export const BusinessSchema = z
  .object({
    id: IdSchema,
    name: z.string().openapi({ example: "Acme Inc" }),
    summary: z.string().nullable().openapi({ example: "A SaaS platform for project management" }),
    industry: z.string().nullable().openapi({ example: "Software" }),
    created_at: TimestampSchema,
    updated_at: TimestampSchema,
  })
  .openapi("Business");

export const UpdateBusinessBody = z
  .strictObject({
    name: NameSchema.optional().openapi({ example: "Acme Health" }),
    summary: z.string().max(2000).nullable().optional().openapi({
      example: "Appointment reminders for dental clinics",
      description: "Fills {{business_summary}} in agent prompts; null clears it.",
    }),
    industry: z.string().max(200).nullable().optional().openapi({ example: "Healthcare", description: "Fills {{industry}}; null clears it." }),
  })
  .openapi("UpdateBusinessRequest");
