import { z } from "@hono/zod-openapi";
import { PHONE_STATUSES } from "../../db/schema";
import { isTimeZone } from "../../domain/time-zones";
import { PaginationQuery, pageSchema } from "../../lib/pagination";
import { EmailSchema, IdSchema, NameSchema, TimestampSchema } from "../../lib/schemas";

const MAX_CUSTOM_FIELDS = 50;
const MAX_PHONES = 10;

const isLanguageTag = (tag: string) => {
  try {
    return Intl.getCanonicalLocales(tag).length === 1;
  } catch {
    return false;
  }
};

const PhoneStatus = z.enum(PHONE_STATUSES).openapi({ example: "active", description: "Inactive numbers are kept but never called." });
const PhoneValue = z.string().min(1).max(40).openapi({ example: "+14155552671", description: "E.164: + country code and number. Stored normalised." });
const ExternalId = z.string().trim().min(1).max(200).openapi({ example: "user_12345", description: "Your own system's id; unique within the project." });

const CustomFieldValue = z.union([z.string().max(2000), z.number(), z.boolean(), z.null()]);
const CustomFields = z
  .record(z.string().min(1).max(100), CustomFieldValue)
  .refine((fields) => Object.keys(fields).length <= MAX_CUSTOM_FIELDS, `must have at most ${MAX_CUSTOM_FIELDS} keys`)
  .openapi({ example: { plan: "gold", visits: 3, vip: true }, description: `A flat object of up to ${MAX_CUSTOM_FIELDS} string, number, boolean or null values.` });

export const PhoneInput = z
  .strictObject({
    value: PhoneValue,
    is_primary: z.boolean().optional().openapi({ description: "Exactly one phone is primary; the first one when none is marked." }),
    status: PhoneStatus.optional().openapi({ description: "Defaults to `active`." }),
  })
  .openapi("CustomerPhoneInput");

// Create and update accept the same fields; null clears an optional one on update.
const customerFields = {
  external_id: ExternalId.nullable().optional(),
  first_name: NameSchema.nullable().optional().openapi({ example: "John" }),
  last_name: NameSchema.nullable().optional().openapi({ example: "Smith" }),
  phone: PhoneValue.optional().openapi({ description: "A single phone, as in Echo's quickstart. Send this or `phones`, not both." }),
  phones: z.array(PhoneInput).min(1).max(MAX_PHONES).optional().openapi({ description: "Every phone of the customer. Send this or `phone`, not both." }),
  email: EmailSchema.nullable().optional().openapi({ example: "john.smith@example.com" }),
  language: z.string().min(2).max(35).refine(isLanguageTag, "must be a BCP 47 language tag such as en-US").nullable().optional().openapi({ example: "en-US" }),
  timezone: z.string().max(64).refine(isTimeZone, "must be an IANA time zone such as America/Los_Angeles").nullable().optional().openapi({ example: "America/Los_Angeles" }),
  custom_fields: CustomFields.nullable().optional(),
};

export const CreateCustomerBody = z.strictObject(customerFields).openapi("CreateCustomerRequest", {
  example: { external_id: "user_12345", first_name: "John", last_name: "Smith", phone: "+14155552671" },
});

export const UpdateCustomerBody = z.strictObject(customerFields).openapi("UpdateCustomerRequest", {
  example: { timezone: "America/New_York", phones: [{ value: "+14155552671", is_primary: true }, { value: "+12025550123", status: "inactive" }] },
});

export const CustomerPhone = z
  .object({ value: z.string().openapi({ example: "+14155552671" }), is_primary: z.boolean().openapi({ example: true }), status: PhoneStatus })
  .openapi("CustomerPhone");

export const Customer = z
  .object({
    id: IdSchema,
    project_id: IdSchema,
    external_id: z.string().nullable().openapi({ example: "user_12345" }),
    first_name: z.string().nullable().openapi({ example: "John" }),
    last_name: z.string().nullable().openapi({ example: "Smith" }),
    phones: z.array(CustomerPhone),
    email: z.string().nullable().openapi({ example: "john.smith@example.com" }),
    language: z.string().nullable().openapi({ example: "en-US" }),
    timezone: z.string().nullable().openapi({ example: "America/Los_Angeles" }),
    custom_fields: z.record(z.string(), CustomFieldValue).openapi({ example: { plan: "gold" } }),
    created_at: TimestampSchema,
    updated_at: TimestampSchema,
  })
  .openapi("Customer");

export const CustomerPage = pageSchema(Customer, "CustomerPage");

export const CustomerListQuery = z.object({
  ...PaginationQuery,
  q: z.string().trim().min(1).max(200).optional().openapi({ example: "smith", description: "Matches part of the first or last name, email, external_id or a phone number." }),
  external_id: ExternalId.optional().openapi({ description: "Only the customer with exactly this external_id." }),
});

export const CustomerIdParam = z.object({ id: IdSchema.openapi({ param: { name: "id", in: "path" } }) });
export const ExternalIdParam = z.object({ external_id: ExternalId.openapi({ param: { name: "external_id", in: "path" } }) });

export type CustomerResponse = z.infer<typeof Customer>;
export type CustomFieldValues = z.infer<typeof CustomFields>;
