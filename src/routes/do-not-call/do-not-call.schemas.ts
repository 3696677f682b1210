import { z } from "@hono/zod-openapi";
import { DO_NOT_CALL_SOURCES } from "../../db/schema";
import { PaginationQuery, pageSchema } from "../../lib/pagination";
import { IdSchema, TimestampSchema } from "../../lib/schemas";

export const MAX_IMPORT = 1000;

const Reason = z.string().trim().min(1).max(500).nullable().optional().openapi({ example: "Asked not to be called again", description: "Why the number is listed; for your records." });

export const DoNotCallEntry = z
  .object({
    id: IdSchema,
    phone: z.string().openapi({ example: "+14155552671", description: "E.164." }),
    reason: z.string().nullable().openapi({ example: "Asked not to be called again" }),
    source: z.enum(DO_NOT_CALL_SOURCES).openapi({ example: "api", description: "`api` (added one by one), `import`, or `call` (the callee asked during a call)." }),
    call_id: IdSchema.nullable().openapi({ description: "The call in which the callee asked, for `source: call`." }),
    created_at: TimestampSchema,
  })
  .openapi("DoNotCallEntry");

export const DoNotCallPage = pageSchema(DoNotCallEntry, "DoNotCallPage");

export const AddDoNotCallBody = z
  .strictObject({
    phone: z.string().min(1).max(40).openapi({ example: "+14155552671", description: "E.164 with the country code; stored normalised." }),
    reason: Reason,
  })
  .openapi("AddDoNotCallRequest");

export const ImportDoNotCallBody = z
  .strictObject({
    phones: z
      .array(z.string().max(100))
      .min(1)
      .max(MAX_IMPORT)
      .openapi({ example: ["+14155552671", "+4930123456"], description: `1 to ${MAX_IMPORT} numbers, E.164.` }),
    reason: Reason,
  })
  .openapi("ImportDoNotCallRequest");

export const ImportDoNotCallResult = z
  .object({
    added: z.number().int().openapi({ example: 2, description: "Numbers newly listed." }),
    already_listed: z.number().int().openapi({ example: 0, description: "Numbers that were listed before, or sent twice in this import." }),
    invalid: z
      .array(
        z.object({
          index: z.number().int().openapi({ example: 2, description: "Position in `phones`." }),
          phone: z.string().openapi({ example: "12345" }),
          message: z.string().openapi({ example: '"12345" is not a valid phone number. Use E.164 format, such as +14155552671.' }),
        }),
      )
      .openapi({ description: "Entries that are not valid numbers; nothing was stored for them. The valid ones were listed." }),
  })
  .openapi("ImportDoNotCallResult");

export const DoNotCallListQuery = z.object({
  ...PaginationQuery,
  phone: z
    .string()
    .max(40)
    .optional()
    .openapi({ example: "+1415", description: "Only numbers starting with this: a whole E.164 number, or its beginning (`+1415`)." }),
});

export const PhoneParam = z.object({
  phone: z
    .string()
    .min(1)
    .max(60)
    .openapi({ param: { name: "phone", in: "path" }, example: "+14155552671", description: "E.164; URL-encode the plus as %2B." }),
});
