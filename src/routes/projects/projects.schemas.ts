import { z } from "@hono/zod-openapi";
import { ENVIRONMENTS } from "../../db/schema";
import { IdSchema, NameSchema, TimestampSchema } from "../../lib/schemas";
import { pageSchema, PaginationQuery } from "../../lib/pagination";

const EnvironmentSchema = z.enum(ENVIRONMENTS).openapi({
  example: "sandbox",
  description: "`sandbox` projects always call the emulators, like Stripe's test mode; `live` projects call real phones.",
});
const RateLimitSchema = z.number().int().min(1).max(100_000).openapi({ example: 600, description: "Requests per minute per API key." });

export const ProjectSchema = z
  .object({
    id: IdSchema,
    business_id: IdSchema,
    name: z.string().openapi({ example: "staging" }),
    environment: EnvironmentSchema,
    rate_limit_per_minute: z.number().int().nullable().openapi({ example: null, description: "Null means the deployment's default (1000)." }),
    created_at: TimestampSchema,
    updated_at: TimestampSchema,
  })
  .openapi("Project");

export const ProjectListSchema = pageSchema(ProjectSchema, "ProjectList");
export const ListProjectsQuery = z.object(PaginationQuery);

export const ProjectParams = z.object({
  projectId: IdSchema.openapi({ param: { name: "projectId", in: "path" } }),
});

export const CreateProjectBody = z
  .strictObject({
    name: NameSchema.openapi({ example: "staging" }),
    environment: EnvironmentSchema.optional().openapi({
      description: "Defaults to `live` where this deployment has carrier credentials, otherwise `sandbox`.",
    }),
    rate_limit_per_minute: RateLimitSchema.nullable().optional(),
  })
  .openapi("CreateProjectRequest");

export const UpdateProjectBody = z
  .strictObject({
    name: NameSchema.optional().openapi({ example: "production" }),
    environment: EnvironmentSchema.optional(),
    rate_limit_per_minute: RateLimitSchema.nullable().optional().openapi({ description: "Null returns to the deployment's default." }),
  })
  .openapi("UpdateProjectRequest");
