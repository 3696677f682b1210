import { z } from "@hono/zod-openapi";
import { CALL_STATUSES, SPEAKERS } from "../../db/schema";
import { PaginationQuery, pageSchema } from "../../lib/pagination";
import { IdSchema, TimestampSchema } from "../../lib/schemas";
import { CallRecordingState } from "./recording.schemas";

const Instant = TimestampSchema.nullable();

export const Call = z
  .object({
    id: IdSchema,
    project_id: IdSchema,
    notification_id: IdSchema.openapi({ description: "The notification (task) this call is an attempt of." }),
    agent_id: IdSchema.nullable(),
    customer_id: IdSchema,
    carrier: z.enum(["twilio", "emulator"]).openapi({ description: "`emulator` for sandbox projects." }),
    status: z.enum(CALL_STATUSES).openapi({ example: "completed" }),
    to: z.string().openapi({ example: "+14155552671" }),
    from: z.string().openapi({ example: "+14155550100" }),
    carrier_call_sid: z.string().nullable().openapi({ example: "CA0123456789abcdef0123456789abcdef" }),
    answered_by: z.string().nullable().openapi({ example: "human" }),
    end_reason: z.string().nullable().openapi({
      example: "agent_ended",
      description:
        "Why it ended: agent_ended, callee_hung_up, max_duration, callee_opted_out (asked not to be called again: the number is now on the do-not-call list), transferred, voicemail, voicemail_left, carrier_refused, model_unavailable, watchdog, …",
    }),
    attempt: z.number().int().openapi({ example: 1, description: "Which attempt of its notification this call is (1 for the first)." }),
    transferred_to: z.string().nullable().openapi({ example: null, description: "Where the callee was put through to, for a `transferred` call." }),
    error_code: z.string().nullable(),
    error_message: z.string().nullable(),
    queued_at: TimestampSchema,
    ringing_at: Instant,
    answered_at: Instant,
    ended_at: Instant,
    duration_seconds: z.number().int().nullable().openapi({ example: 42 }),
    summary: z.string().nullable().openapi({ description: "A sentence or two on how the call went, once processed." }),
    analysis: z.unknown().openapi({ description: "What was extracted with the agent's output_schema; null until processed or if extraction failed.", example: { confirmed: true, reschedule_request: null } }),
    analysis_error: z.string().nullable().openapi({ description: "Why there is no analysis, when extraction failed." }),
    processed_at: z.string().nullable().openapi({ description: "When the post-call results were worked out." }),
    recording: CallRecordingState,
    created_at: TimestampSchema,
    updated_at: TimestampSchema,
  })
  .openapi("Call");

export const TranscriptEntry = z
  .object({
    seq: z.number().int().openapi({ example: 0 }),
    speaker: z.enum(SPEAKERS).openapi({ example: "agent" }),
    text: z.string().openapi({ example: "Hi, is this John?" }),
    start_ms: z.number().int().openapi({ description: "Milliseconds from the moment the call was answered." }),
    end_ms: z.number().int(),
    interrupted: z.boolean().openapi({ description: "The callee talked over the agent; the rest of this line was not heard." }),
  })
  .openapi("TranscriptEntry");

export const Message = z
  .object({
    sender: z.enum(SPEAKERS).openapi({ example: "agent" }),
    content: z.string().openapi({ example: "Hi, is this John?" }),
    timestamp: TimestampSchema,
  })
  .openapi("CallMessage");

export const CallDetail = Call.extend({
  transcript: z.array(TranscriptEntry),
  messages: z.array(Message).openapi({ description: "The transcript as Elemente's conversation messages." }),
}).openapi("CallDetail");

export const CallPage = pageSchema(Call, "CallPage");

export const CallListQuery = z.object({
  ...PaginationQuery,
  notification_id: IdSchema.optional(),
  task_id: IdSchema.optional().openapi({ description: "Same as `notification_id` (a task is a notification)." }),
  agent_id: IdSchema.optional(),
  status: z.enum(CALL_STATUSES).optional(),
});

export const CallIdParam = z.object({ id: IdSchema.openapi({ param: { name: "id", in: "path" } }) });

export type CallResponse = z.infer<typeof Call>;
export type CallDetailResponse = z.infer<typeof CallDetail>;
