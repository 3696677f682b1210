import { index, integer, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { projects } from "./accounts";
import { createdAt, updatedAt } from "./columns";
import { agents, customers } from "./directory";

/**
 * A request to reach a customer (the seeds' "notification", "task" and "interaction"): who, with
 * which agent or message, the rendered script, when, and how it ended. Each attempt is a call.
 */
export const NOTIFICATION_STATUSES = ["pending", "scheduled", "in_progress", "completed", "failed", "canceled", "blocked"] as const;
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
    /** Calling policy: this notification's own retry policy, when the next attempt may start, and why it waits. */
    retryPolicy: text("retry_policy", { mode: "json" }).$type<Record<string, unknown>>(),
    nextAttemptAt: text("next_attempt_at"),
    waitReason: text("wait_reason"),
    transferNumber: text("transfer_number"),
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

export const CALL_STATUSES = ["queued", "ringing", "in_progress", "completed", "busy", "no_answer", "failed", "canceled", "voicemail", "transferred"] as const;
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
    /** Which attempt of its notification this call is (1 for the first). */
    attempt: integer("attempt").notNull().default(1),
    transferredTo: text("transferred_to"),
    /** The two-channel WAV in R2: its key, state (recording | available | failed | deleted), length. */
    recordingKey: text("recording_key"),
    recordingStatus: text("recording_status"),
    recordingDurationMs: integer("recording_duration_ms"),
    recordingBytes: integer("recording_bytes"),
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
