import { index, integer, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { businesses, projects } from "./accounts";
import { createdAt, updatedAt } from "./columns";

export const agents = sqliteTable(
  "agents",
  {
    id: text("id").primaryKey(),
    businessId: text("business_id").notNull().references(() => businesses.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    systemPrompt: text("system_prompt").notNull(),
    description: text("description"),
    startingMessage: text("starting_message"),
    outputSchema: text("output_schema", { mode: "json" }).$type<Record<string, unknown>>(),
    voiceSettings: text("voice_settings", { mode: "json" }).$type<Record<string, unknown>>(),
    language: text("language"),
    dtmfRules: text("dtmf_rules", { mode: "json" }).$type<unknown>(),
    enabled: integer("enabled", { mode: "boolean" }).notNull().default(true),
    /** Whether its calls are recorded to R2 (two-channel WAV). */
    recordingEnabled: integer("recording_enabled", { mode: "boolean" }).notNull().default(true),
    /** Left after the beep when a machine answers; null hangs up instead. May hold `{{variables}}`. */
    voicemailMessage: text("voicemail_message"),
    /** Where the agent's transfer tool sends the callee (E.164); null means the agent cannot transfer. */
    transferNumber: text("transfer_number"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
    /** Deleted agents are kept so past notifications and calls still say who made them. */
    deletedAt: text("deleted_at"),
  },
  (t) => [index("agents_business_idx").on(t.businessId, t.createdAt, t.id)],
);

export const customers = sqliteTable(
  "customers",
  {
    id: text("id").primaryKey(),
    projectId: text("project_id").notNull().references(() => projects.id, { onDelete: "cascade" }),
    externalId: text("external_id"),
    firstName: text("first_name"),
    lastName: text("last_name"),
    email: text("email"),
    language: text("language"),
    timezone: text("timezone"),
    customFields: text("custom_fields", { mode: "json" }).$type<Record<string, unknown>>(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex("customers_project_external_unique").on(t.projectId, t.externalId),
    index("customers_project_idx").on(t.projectId, t.createdAt, t.id),
  ],
);

/** Numbers a project must never call: added by the business, imported, or asked for by the callee. */
export const DO_NOT_CALL_SOURCES = ["api", "import", "call"] as const;

export const doNotCallEntries = sqliteTable(
  "do_not_call",
  {
    id: text("id").primaryKey(),
    projectId: text("project_id").notNull().references(() => projects.id, { onDelete: "cascade" }),
    phone: text("phone_e164").notNull(),
    reason: text("reason"),
    source: text("source", { enum: DO_NOT_CALL_SOURCES }).notNull(),
    /** The call in which the callee asked not to be called again. */
    callId: text("call_id"),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex("do_not_call_project_phone_unique").on(t.projectId, t.phone), index("do_not_call_project_idx").on(t.projectId, t.createdAt, t.id)],
);

export const PHONE_STATUSES = ["active", "inactive"] as const;

export const customerPhones = sqliteTable(
  "customer_phones",
  {
    id: text("id").primaryKey(),
    customerId: text("customer_id").notNull().references(() => customers.id, { onDelete: "cascade" }),
    projectId: text("project_id").notNull(),
    value: text("value").notNull(),
    isPrimary: integer("is_primary", { mode: "boolean" }).notNull(),
    status: text("status", { enum: PHONE_STATUSES }).notNull(),
    position: integer("position").notNull(),
  },
  (t) => [index("customer_phones_customer_idx").on(t.customerId, t.position), index("customer_phones_project_value_idx").on(t.projectId, t.value)],
);
