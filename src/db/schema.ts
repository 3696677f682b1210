import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";

/**
 * Storage for everything that outlives a request. Timestamps are ISO-8601 UTC strings, which
 * sort correctly as text; JSON columns hold client-defined shapes (schemas, settings, fields).
 */
const createdAt = () => text("created_at").notNull();
const updatedAt = () => text("updated_at").notNull();

export const businesses = sqliteTable("businesses", {
  id: text("id").primaryKey(),
  name: text("name").notNull(),
  summary: text("summary"),
  industry: text("industry"),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
});

export const users = sqliteTable(
  "users",
  {
    id: text("id").primaryKey(),
    email: text("email").notNull(),
    passwordHash: text("password_hash").notNull(),
    firstName: text("first_name"),
    lastName: text("last_name"),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex("users_email_unique").on(t.email)],
);

export const ROLES = ["owner", "admin", "member"] as const;
export type Role = (typeof ROLES)[number];

export const memberships = sqliteTable(
  "memberships",
  {
    id: text("id").primaryKey(),
    businessId: text("business_id").notNull().references(() => businesses.id, { onDelete: "cascade" }),
    userId: text("user_id").notNull().references(() => users.id, { onDelete: "cascade" }),
    role: text("role", { enum: ROLES }).notNull(),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex("memberships_business_user_unique").on(t.businessId, t.userId), index("memberships_user_idx").on(t.userId)],
);

export const invitations = sqliteTable(
  "invitations",
  {
    id: text("id").primaryKey(),
    businessId: text("business_id").notNull().references(() => businesses.id, { onDelete: "cascade" }),
    email: text("email").notNull(),
    role: text("role", { enum: ROLES }).notNull(),
    tokenHash: text("token_hash").notNull(),
    invitedBy: text("invited_by").references(() => users.id, { onDelete: "set null" }),
    expiresAt: text("expires_at").notNull(),
    acceptedAt: text("accepted_at"),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex("invitations_token_unique").on(t.tokenHash), index("invitations_business_idx").on(t.businessId)],
);

/** A login: every access and refresh token issued from one sign-in belongs to one session. */
export const sessions = sqliteTable(
  "sessions",
  {
    id: text("id").primaryKey(),
    userId: text("user_id").notNull().references(() => users.id, { onDelete: "cascade" }),
    businessId: text("business_id").notNull().references(() => businesses.id, { onDelete: "cascade" }),
    revokedAt: text("revoked_at"),
    revokedReason: text("revoked_reason"),
    createdAt: createdAt(),
  },
  (t) => [index("sessions_user_idx").on(t.userId)],
);

/** Opaque refresh tokens, stored hashed and rotated on each use; `used_at` marks a rotated one. */
export const refreshTokens = sqliteTable(
  "refresh_tokens",
  {
    id: text("id").primaryKey(),
    sessionId: text("session_id").notNull().references(() => sessions.id, { onDelete: "cascade" }),
    tokenHash: text("token_hash").notNull(),
    expiresAt: text("expires_at").notNull(),
    usedAt: text("used_at"),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex("refresh_tokens_hash_unique").on(t.tokenHash), index("refresh_tokens_session_idx").on(t.sessionId)],
);

export const ENVIRONMENTS = ["live", "sandbox"] as const;
export type Environment = (typeof ENVIRONMENTS)[number];

export const projects = sqliteTable(
  "projects",
  {
    id: text("id").primaryKey(),
    businessId: text("business_id").notNull().references(() => businesses.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    environment: text("environment", { enum: ENVIRONMENTS }).notNull(),
    /** Requests per minute per API key; null means the deployment's default. */
    rateLimitPerMinute: integer("rate_limit_per_minute"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [index("projects_business_idx").on(t.businessId, t.createdAt)],
);

export const apiKeys = sqliteTable(
  "api_keys",
  {
    id: text("id").primaryKey(),
    projectId: text("project_id").notNull().references(() => projects.id, { onDelete: "cascade" }),
    businessId: text("business_id").notNull().references(() => businesses.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    keyHash: text("key_hash").notNull(),
    /** The first characters of the key, so people can tell their keys apart. */
    prefix: text("prefix").notNull(),
    lastFour: text("last_four").notNull(),
    expiresAt: text("expires_at"),
    revokedAt: text("revoked_at"),
    createdBy: text("created_by"),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex("api_keys_hash_unique").on(t.keyHash), index("api_keys_project_idx").on(t.projectId, t.createdAt)],
);

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

/**
 * A request to reach a customer (the seeds' "notification", "task" and "interaction"): who, with
 * which agent or message, the rendered script, when, and how it ended. Each attempt is a call.
 */
export const NOTIFICATION_STATUSES = ["pending", "scheduled", "in_progress", "completed", "failed", "canceled"] as const;
export type NotificationStatus = (typeof NOTIFICATION_STATUSES)[number];
export const UNFINISHED_NOTIFICATION_STATUSES = ["pending", "scheduled", "in_progress"] as const;
export const NOTIFICATION_SOURCES = ["notification", "one_shot"] as const;

export const notifications = sqliteTable(
  "notifications",
  {
    id: text("id").primaryKey(),
    projectId: text("project_id").notNull().references(() => projects.id, { onDelete: "cascade" }),
    agentId: text("agent_id").references(() => agents.id),
    customerId: text("customer_id").notNull().references(() => customers.id),
    status: text("status", { enum: NOTIFICATION_STATUSES }).notNull(),
    source: text("source", { enum: NOTIFICATION_SOURCES }).notNull().default("notification"),
    channel: text("channel").notNull().default("call"),
    name: text("name"),
    description: text("description"),
    targetPhone: text("target_phone_e164").notNull().default(""),
    message: text("message").notNull().default(""),
    context: text("context"),
    variables: text("variables", { mode: "json" }).$type<Record<string, string>>(),
    collectFeedback: integer("collect_feedback", { mode: "boolean" }).notNull().default(false),
    maxDurationSeconds: integer("max_duration_seconds").notNull().default(180),
    /** Per-notification changes to the agent: prompt, starting message, voice, speed, language. */
    overrides: text("overrides", { mode: "json" }).$type<Record<string, unknown>>(),
    /** The script as rendered when the notification was accepted: what the agent is told. */
    instructions: text("instructions").notNull().default(""),
    greeting: text("greeting"),
    promptTemplate: text("prompt_template"),
    priority: integer("priority").notNull().default(0),
    scheduledAt: text("scheduled_at"),
    webhookUrl: text("webhook_url"),
    webhookEvents: text("webhook_events", { mode: "json" }).$type<string[]>(),
    callResult: text("call_result", { mode: "json" }).$type<unknown>(),
    attempts: integer("attempts").notNull().default(0),
    lastCallId: text("last_call_id"),
    failureReason: text("failure_reason"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index("notifications_agent_status_idx").on(t.agentId, t.status),
    index("notifications_project_idx").on(t.projectId, t.createdAt, t.id),
    index("notifications_customer_idx").on(t.customerId),
    index("notifications_due_idx").on(t.status, t.scheduledAt),
  ],
);

export const CALL_STATUSES = ["queued", "ringing", "in_progress", "completed", "busy", "no_answer", "failed", "canceled", "voicemail"] as const;
export type CallStatus = (typeof CALL_STATUSES)[number];

/** One attempt to reach a person: the carrier's ids, the timeline and how it ended. */
export const calls = sqliteTable(
  "calls",
  {
    id: text("id").primaryKey(),
    projectId: text("project_id").notNull().references(() => projects.id, { onDelete: "cascade" }),
    notificationId: text("notification_id").notNull().references(() => notifications.id, { onDelete: "cascade" }),
    agentId: text("agent_id").references(() => agents.id),
    customerId: text("customer_id").notNull().references(() => customers.id),
    /** `twilio` for real calls, `emulator` for sandbox projects and credential-less deployments. */
    carrier: text("carrier", { enum: ["twilio", "emulator"] }).notNull(),
    status: text("status", { enum: CALL_STATUSES }).notNull(),
    toNumber: text("to_number").notNull(),
    fromNumber: text("from_number").notNull(),
    carrierCallSid: text("carrier_call_sid"),
    answeredBy: text("answered_by"),
    endReason: text("end_reason"),
    errorCode: text("error_code"),
    errorMessage: text("error_message"),
    queuedAt: text("queued_at").notNull(),
    ringingAt: text("ringing_at"),
    answeredAt: text("answered_at"),
    endedAt: text("ended_at"),
    durationSeconds: integer("duration_seconds"),
    /** Post-call results: a short summary, the structured analysis (or why it failed), a report. */
    summary: text("summary"),
    analysis: text("analysis", { mode: "json" }).$type<unknown>(),
    analysisError: text("analysis_error"),
    report: text("report"),
    processedAt: text("processed_at"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index("calls_project_idx").on(t.projectId, t.createdAt, t.id),
    index("calls_notification_idx").on(t.notificationId),
    uniqueIndex("calls_carrier_sid_unique").on(t.carrierCallSid),
  ],
);

export const SPEAKERS = ["agent", "customer"] as const;

/** What was said, saved as it is recognised; `seq` orders a call's entries. */
export const transcriptEntries = sqliteTable(
  "transcript_entries",
  {
    id: text("id").primaryKey(),
    callId: text("call_id").notNull().references(() => calls.id, { onDelete: "cascade" }),
    seq: integer("seq").notNull(),
    speaker: text("speaker", { enum: SPEAKERS }).notNull(),
    text: text("text").notNull(),
    /** Milliseconds from the moment the callee answered. */
    startMs: integer("start_ms").notNull(),
    endMs: integer("end_ms").notNull(),
    /** True when the callee talked over the agent and the rest of this line was never heard. */
    interrupted: integer("interrupted", { mode: "boolean" }).notNull().default(false),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex("transcript_entries_call_seq_unique").on(t.callId, t.seq)],
);

/**
 * Where a project wants its events. The signing secret must be kept to sign with, so it is stored
 * encrypted; during a rotation the previous secret keeps signing too until `previous_secret_expires_at`.
 */
export const webhookEndpoints = sqliteTable(
  "webhook_endpoints",
  {
    id: text("id").primaryKey(),
    projectId: text("project_id").notNull().references(() => projects.id, { onDelete: "cascade" }),
    url: text("url").notNull(),
    events: text("events", { mode: "json" }).$type<string[]>().notNull(),
    description: text("description"),
    secretSealed: text("secret_sealed").notNull(),
    previousSecretSealed: text("previous_secret_sealed"),
    previousSecretExpiresAt: text("previous_secret_expires_at"),
    enabled: integer("enabled", { mode: "boolean" }).notNull().default(true),
    disabledReason: text("disabled_reason"),
    /** When deliveries to it started failing without a success since. */
    failingSince: text("failing_since"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [index("webhook_endpoints_project_idx").on(t.projectId, t.createdAt, t.id)],
);

/** Something that happened, with a stable id: the same on every delivery attempt. */
export const webhookEvents = sqliteTable(
  "webhook_events",
  {
    id: text("id").primaryKey(),
    projectId: text("project_id").notNull().references(() => projects.id, { onDelete: "cascade" }),
    type: text("type").notNull(),
    callId: text("call_id"),
    notificationId: text("notification_id"),
    /** The exact JSON body every attempt sends (signatures cover these bytes). */
    body: text("body").notNull(),
    createdAt: createdAt(),
  },
  (t) => [index("webhook_events_project_idx").on(t.projectId, t.createdAt)],
);

export const DELIVERY_STATUSES = ["pending", "succeeded", "failed"] as const;

/** One event for one destination (an endpoint, or a notification's own webhook_url). */
export const webhookDeliveries = sqliteTable(
  "webhook_deliveries",
  {
    id: text("id").primaryKey(),
    projectId: text("project_id").notNull().references(() => projects.id, { onDelete: "cascade" }),
    eventId: text("event_id").notNull().references(() => webhookEvents.id, { onDelete: "cascade" }),
    endpointId: text("endpoint_id").references(() => webhookEndpoints.id, { onDelete: "cascade" }),
    url: text("url").notNull(),
    status: text("status", { enum: DELIVERY_STATUSES }).notNull(),
    attempts: integer("attempts").notNull().default(0),
    nextAttemptAt: text("next_attempt_at"),
    lastStatusCode: integer("last_status_code"),
    lastError: text("last_error"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [index("webhook_deliveries_endpoint_idx").on(t.endpointId, t.createdAt, t.id), index("webhook_deliveries_event_idx").on(t.eventId)],
);

/** Every attempt, logged: what was sent where, what came back, how long it took. */
export const webhookAttempts = sqliteTable(
  "webhook_attempts",
  {
    id: text("id").primaryKey(),
    deliveryId: text("delivery_id").notNull().references(() => webhookDeliveries.id, { onDelete: "cascade" }),
    attempt: integer("attempt").notNull(),
    statusCode: integer("status_code"),
    error: text("error"),
    durationMs: integer("duration_ms").notNull(),
    createdAt: createdAt(),
  },
  (t) => [index("webhook_attempts_delivery_idx").on(t.deliveryId, t.attempt)],
);

/**
 * Idempotency-Key records, kept 24 hours per scope (a project, a user, or an anonymous route).
 * The stored response is encrypted: it can hold secrets shown once, like a new API key.
 */
export const idempotencyKeys = sqliteTable(
  "idempotency_keys",
  {
    scope: text("scope").notNull(),
    key: text("key").notNull(),
    requestHash: text("request_hash").notNull(),
    /** Null while the first request is still running. */
    responseStatus: integer("response_status"),
    responseBody: text("response_body"),
    createdAt: createdAt(),
    expiresAt: text("expires_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.scope, t.key] }), index("idempotency_keys_expires_idx").on(t.expiresAt)],
);

