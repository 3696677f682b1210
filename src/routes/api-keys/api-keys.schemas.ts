import { z } from "@hono/zod-openapi";
import { IdSchema, NameSchema, TimestampSchema } from "../../lib/schemas";
import { pageSchema, PaginationQuery } from "../../lib/pagination";

export const API_KEY_STATUSES = ["active", "expired", "revoked"] as const;
export const MAX_ROLL_OVERLAP_SECONDS = 7 * 24 * 60 * 60;

export const ApiKeySchema = z
  .object({
    id: IdSchema,
    project_id: IdSchema,
    name: z.string().openapi({ example: "production server" }),
    prefix: z.string().openapi({ example: "echo_6f437a6", description: "The key's first characters, to tell keys apart." }),
    last_four: z.string().openapi({ example: "9c1e" }),
    status: z.enum(API_KEY_STATUSES).openapi({ example: "active" }),
    expires_at: TimestampSchema.nullable().openapi({ example: null, description: "When the key stops working; null means never." }),
    revoked_at: TimestampSchema.nullable().openapi({ example: null }),
    created_at: TimestampSchema,
  })
  .openapi("ApiKey");

export const ApiKeyWithSecretSchema = ApiKeySchema.extend({
  api_key: z.string().openapi({ example: "echo_6f437a610fbb...", description: "Shown once: only its hash is stored." }),
}).openapi("ApiKeyWithSecret");

export const RolledApiKeySchema = ApiKeyWithSecretSchema.extend({
  rolled_key: ApiKeySchema.openapi({ description: "The key that was replaced, with the time it stops working." }),
}).openapi("RolledApiKey");

export const ApiKeyListSchema = pageSchema(ApiKeySchema, "ApiKeyList");
export const ListApiKeysQuery = z.object(PaginationQuery);

export const ProjectParams = z.object({
  projectId: IdSchema.openapi({ param: { name: "projectId", in: "path" } }),
});

export const ApiKeyParams = ProjectParams.extend({
  keyId: IdSchema.openapi({ param: { name: "keyId", in: "path" } }),
});

export const CreateApiKeyBody = z
  .strictObject({
    name: NameSchema.openapi({ example: "production server" }),
    expires_at: z.iso
      .datetime({ offset: true })
      .refine((value) => Date.parse(value) > Date.now(), "must be in the future")
      .optional()
      .openapi({ example: "2027-01-01T00:00:00Z", description: "When the key stops working; leave out for a key that does not expire." }),
  })
  .openapi("CreateApiKeyRequest");

export const RollApiKeyBody = z
  .strictObject({
    expires_in_seconds: z
      .number()
      .int()
      .min(0)
      .max(MAX_ROLL_OVERLAP_SECONDS)
      .optional()
      .openapi({
        example: 3600,
        description: "How long the old key keeps working, so deployments can switch over (at most 7 days). 0, the default, stops it at once.",
      }),
  })
  .openapi("RollApiKeyRequest");
