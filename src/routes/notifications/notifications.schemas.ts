import { z } from "@hono/zod-openapi";
import { CALL_STATUSES, NOTIFICATION_STATUSES } from "../../db/schema";
import { RetryPolicyOverrideSchema, RetryPolicySchema } from "../../domain/policy";
import { PaginationQuery, pageSchema } from "../../lib/pagination";
import { DialableNumberSchema, IdSchema, TimestampSchema } from "../../lib/schemas";

const MAX_TEXT = 2_000;
const MAX_VARIABLES = 50;

export const WEBHOOK_EVENTS = ["call_started", "call_completed", "call_failed", "call.started", "call.completed", "call.failed", "call.summary"] as const;

const ECHO_VARIABLES = { agent_name: "Echo Reminders", appointment_date: "Monday, April 14", appointment_time: "10:00 AM" };

const Variables = z
  .record(z.string().min(1).max(100), z.union([z.string().max(MAX_TEXT), z.number(), z.boolean()]))
  .refine((values) => Object.keys(values).length <= MAX_VARIABLES, `must have at most ${MAX_VARIABLES} keys`)
  .openapi({ example: ECHO_VARIABLES, description: "Values for the `{{key}}` placeholders of the prompt and starting message." });

const isoInstant = z.iso.datetime({ offset: true }).openapi({ example: "2026-04-14T09:00:00Z" });
const httpsUrl = z.url({ protocol: /^https$/, error: "must be an https:// URL" }).max(2048);

// Fields both create and update accept; create adds the who and the how.
const notificationFields = {
  message: z.string().max(MAX_TEXT).openapi({ example: "Your appointment tomorrow at 10 AM has been confirmed.", description: "Required on the LLM path (no agent_id). Optional on the agent path." }),
  context: z.string().max(MAX_TEXT).nullable().openapi({ example: "Patient has been a client for 3 years." }),
  variables: Variables,
  collect_feedback: z.boolean().openapi({ description: "LLM path: ask the person to confirm, cancel or reschedule." }),
  max_duration_seconds: z.number().int().min(30).max(600).openapi({ example: 180, description: "The call is ended after this many seconds (30 to 600)." }),
  name: z.string().trim().min(1).max(200).nullable().openapi({ example: "Call customer" }),
  description: z.string().max(MAX_TEXT).nullable().openapi({ example: "Follow up call" }),
  starting_message: z.string().max(MAX_TEXT).nullable().openapi({ example: "Hello, this is a call from {{business_name}}", description: "The agent's first words; replaces the agent's own." }),
  priority: z.number().int().min(-1000).max(1000).openapi({ example: 0, description: "Among scheduled notifications due at once, higher goes first." }),
  scheduled_at: isoInstant.nullable().openapi({ description: "When to call, in the future. Omit (or null) to call now." }),
  webhook_url: httpsUrl.nullable().openapi({ example: "https://your-app.com/webhooks" }),
  webhook_events: z.array(z.enum(WEBHOOK_EVENTS)).max(WEBHOOK_EVENTS.length).nullable().openapi({ example: ["call_started", "call_completed"] }),
  transfer_number: DialableNumberSchema.nullable().openapi({
    example: "+14155550199",
    description: "Where the agent may put the callee through to a person on this notification's calls; overrides the agent's `transfer_number`.",
  }),
  retry_policy: RetryPolicyOverrideSchema.nullable().openapi({
    example: { max_attempts: 5, intervals_seconds: [900] },
    description:
      "This notification's own retry policy: any of max_attempts, retry_on, intervals_seconds, each overriding the project's. On update the fields sent are merged into the override; null removes it.",
  }),
};

export const CreateNotificationBody = z
  .strictObject({
    customer_id: IdSchema.openapi({ description: "Must belong to your project." }),
    agent_id: IdSchema.nullable().optional().openapi({ example: "ddb8be3b-a426-4122-b877-a0cba363c89d", description: "If set, the agent path. Omit for an LLM-written call." }),
    ...notificationFields,
    message: notificationFields.message.optional(),
    context: notificationFields.context.optional(),
    variables: notificationFields.variables.optional(),
    collect_feedback: notificationFields.collect_feedback.default(false),
    max_duration_seconds: notificationFields.max_duration_seconds.default(180),
    name: notificationFields.name.optional(),
    description: notificationFields.description.optional(),
    starting_message: notificationFields.starting_message.optional(),
    priority: notificationFields.priority.default(0),
    scheduled_at: notificationFields.scheduled_at.optional(),
    webhook_url: notificationFields.webhook_url.optional(),
    webhook_events: notificationFields.webhook_events.optional(),
    retry_policy: notificationFields.retry_policy.optional(),
    transfer_number: notificationFields.transfer_number.optional(),
    dispatch: z.enum(["immediate", "manual"]).default("immediate").openapi({
      description: "`immediate` calls now; `manual` keeps the notification `pending` until `POST /notifications/{id}/execute`. Ignored when `scheduled_at` is set.",
    }),
  })
  .openapi("CreateNotificationRequest", {
    example: { customer_id: "8cc6199f-9466-46f2-9db7-936f3c2c1c0b", agent_id: "ddb8be3b-a426-4122-b877-a0cba363c89d", variables: ECHO_VARIABLES },
  });

export const UpdateNotificationBody = z
  .strictObject({ customer_id: IdSchema, ...notificationFields })
  .partial()
  .openapi("UpdateNotificationRequest", { minProperties: 1, example: { scheduled_at: "2026-04-14T09:00:00Z", priority: 5 } });

export const Notification = z
  .object({
    id: IdSchema,
    project_id: IdSchema,
    agent_id: IdSchema.nullable(),
    customer_id: IdSchema,
    target_phone_e164: z.string().openapi({ example: "+14155552671" }),
    message: z.string(),
    context: z.string().nullable(),
    variables: z.record(z.string(), z.string()).openapi({ example: ECHO_VARIABLES }),
    collect_feedback: z.boolean(),
    max_duration_seconds: z.number().int().openapi({ example: 180 }),
    status: z.enum(NOTIFICATION_STATUSES).openapi({
      example: "in_progress",
      description: "`blocked`: the number is on the project's do-not-call list, so nobody is called; `failure_reason` says so.",
    }),
    call_result: z.unknown().openapi({ example: null, description: "What was extracted from the call with the agent's output_schema." }),
    name: z.string().nullable(),
    description: z.string().nullable(),
    starting_message: z.string().nullable().openapi({ description: "This notification's own starting message, as sent (unrendered)." }),
    priority: z.number().int(),
    scheduled_at: z.string().nullable(),
    webhook_url: z.string().nullable(),
    webhook_events: z.array(z.string()).nullable(),
    transfer_number: z.string().nullable().openapi({ example: null, description: "This notification's own transfer number, if set." }),
    channel: z.string().openapi({ example: "call" }),
    source: z.enum(["notification", "one_shot"]).openapi({ description: "`one_shot` when made by `POST /calls`." }),
    instructions: z.string().openapi({ description: "The rendered script the agent is given." }),
    greeting: z.string().nullable().openapi({ description: "The rendered first words, or null to let the agent open." }),
    attempts: z.number().int().openapi({ example: 1, description: "Calls made so far; each is an attempt of the retry policy." }),
    retry_policy: RetryPolicySchema,
    next_attempt_at: z.string().nullable().openapi({ example: null, description: "When the next attempt may start, while it waits (a retry or the calling window)." }),
    wait_reason: z.string().nullable().openapi({
      example: null,
      description: "Why it waits, as a sentence: e.g. outside the calling window, or a retry after no answer.",
    }),
    last_call_id: IdSchema.nullable(),
    failure_reason: z.string().nullable(),
    created_at: TimestampSchema,
    updated_at: TimestampSchema,
  })
  .openapi("Notification");

export const CallRef = z
  .object({ callId: IdSchema.openapi({ example: "3f1c2a9e-8d1b-4c7a-a1e2-f3b4c5d6e7f8" }), status: z.enum(CALL_STATUSES).openapi({ example: "queued" }) })
  .openapi("CallRef");

export const NotificationCreated = z
  .object({ notification: Notification, call: CallRef.nullable().openapi({ description: "The call placed now; null when scheduled, manual or blocked." }) })
  .openapi("NotificationCreated");

export const NotificationPage = pageSchema(Notification, "NotificationPage");

export const NotificationListQuery = z.object({
  ...PaginationQuery,
  status: z.enum(NOTIFICATION_STATUSES).optional(),
  agent_id: IdSchema.optional(),
  customer_id: IdSchema.optional(),
  created_after: isoInstant.optional().openapi({ description: "Only notifications created at or after this instant." }),
  created_before: isoInstant.optional().openapi({ description: "Only notifications created before this instant." }),
});

export const NotificationIdParam = z.object({ id: IdSchema.openapi({ param: { name: "id", in: "path" } }) });

export type NotificationResponse = z.infer<typeof Notification>;
export type CreateNotificationInput = z.infer<typeof CreateNotificationBody>;
export type UpdateNotificationInput = z.infer<typeof UpdateNotificationBody>;
