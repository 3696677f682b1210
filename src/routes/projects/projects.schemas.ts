import { z } from "@hono/zod-openapi";
import { ENVIRONMENTS } from "../../db/schema";
import { CallingWindowSchema, MaxConcurrentCallsSchema, RetryPolicyOverrideSchema, RetryPolicySchema } from "../../domain/policy";
import { IdSchema, NameSchema, TimestampSchema } from "../../lib/schemas";
import { pageSchema, PaginationQuery } from "../../lib/pagination";

const EnvironmentSchema = z.enum(ENVIRONMENTS).openapi({
  example: "sandbox",
  description: "`sandbox` projects always call the emulators, like Stripe's test mode; `live` projects call real phones.",
});
const CALLING_WINDOW_NOTE =
  "Evaluated in each recipient's local time (the customer's `timezone`, else every zone of the number's country). US numbers are called only 08:00–21:00 local whatever the window says.";

// The calling policy as the client sets it; null returns a setting to Parley's default.
const policyFields = {
  max_concurrent_calls: MaxConcurrentCallsSchema.nullable().optional().openapi({ description: "Calls in progress at once, 1 to 1000; null returns to the default (10)." }),
  retry_policy: RetryPolicyOverrideSchema.nullable()
    .optional()
    .openapi({ description: "Any of max_attempts, retry_on, intervals_seconds; replaces the whole stored policy, fields left out take Parley's defaults; null returns to the defaults." }),
  calling_window: CallingWindowSchema.nullable()
    .optional()
    .openapi({ description: `Local hours in which recipients may be called; null removes the project window. ${CALLING_WINDOW_NOTE}` }),
};

const EffectivePolicySchema = z
  .object({
    max_concurrent_calls: z.number().int().openapi({ example: 10 }),
    retry_policy: RetryPolicySchema,
    calling_window: CallingWindowSchema.nullable().openapi({ description: `Null: no project window. ${CALLING_WINDOW_NOTE}` }),
  })
  .openapi("EffectiveCallingPolicy", { description: "What applies to the project's calls: the settings above with Parley's defaults filled in." });

const RateLimitSchema = z.number().int().min(1).max(100_000).openapi({ example: 600, description: "Requests per minute per API key." });

export const ProjectSchema = z
  .object({
    id: IdSchema,
    business_id: IdSchema,
    name: z.string().openapi({ example: "staging" }),
    environment: EnvironmentSchema,
    rate_limit_per_minute: z.number().int().nullable().openapi({ example: null, description: "Null means the deployment's default (1000)." }),
    max_concurrent_calls: z.number().int().nullable().openapi({ example: null, description: "As set; null means the default (10)." }),
    retry_policy: RetryPolicyOverrideSchema.nullable().openapi({ example: null, description: "As set; null means Parley's defaults. See `effective_calling_policy`." }),
    calling_window: CallingWindowSchema.nullable().openapi({ example: null, description: "As set; null means no project window." }),
    effective_calling_policy: EffectivePolicySchema,
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
    ...policyFields,
  })
  .openapi("CreateProjectRequest", {
    example: { name: "reminders", calling_window: { start: "09:00", end: "20:00", days: ["mon", "tue", "wed", "thu", "fri"] }, retry_policy: { max_attempts: 3 } },
  });

export const UpdateProjectBody = z
  .strictObject({
    name: NameSchema.optional().openapi({ example: "production" }),
    environment: EnvironmentSchema.optional(),
    rate_limit_per_minute: RateLimitSchema.nullable().optional().openapi({ description: "Null returns to the deployment's default." }),
    ...policyFields,
  })
  .openapi("UpdateProjectRequest", { example: { max_concurrent_calls: 20, retry_policy: { intervals_seconds: [600, 3600, 86400] }, calling_window: null } });
