import { z } from "@hono/zod-openapi";
import { ROLES } from "../../db/schema";
import { IdSchema, TimestampSchema } from "../../lib/schemas";
import { pageSchema, PaginationQuery } from "../../lib/pagination";

export const RoleSchema = z.enum(ROLES).openapi({
  example: "admin",
  description: "`owner`: everything, including owners; `admin`: keys, projects, members; `member`: read access.",
});

export const MemberSchema = z
  .object({
    id: IdSchema.openapi({ description: "The member's user id." }),
    email: z.string().openapi({ example: "sam@acme.com" }),
    first_name: z.string().nullable().openapi({ example: "Sam" }),
    last_name: z.string().nullable().openapi({ example: "Lee" }),
    role: RoleSchema,
    joined_at: TimestampSchema,
  })
  .openapi("Member");

export const MemberListSchema = pageSchema(MemberSchema, "MemberList");
export const ListQuery = z.object(PaginationQuery);

export const MemberParams = z.object({
  userId: IdSchema.openapi({ param: { name: "userId", in: "path" } }),
});

export const UpdateMemberBody = z.strictObject({ role: RoleSchema }).openapi("UpdateMemberRequest");
