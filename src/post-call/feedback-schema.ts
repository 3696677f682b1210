import type { JsonSchema } from "../domain/output-schema";

/** What an LLM-path call with `collect_feedback` extracts: the callee's decision and any new time. */
export const FEEDBACK_SCHEMA: JsonSchema = {
  type: "object",
  required: ["decision"],
  properties: {
    decision: {
      type: "string",
      enum: ["confirmed", "cancelled", "reschedule_requested", "no_decision"],
      description: "What the person decided about the appointment or message.",
    },
    requested_time: { type: "string", description: "The time the person asked for, when they asked to reschedule." },
  },
};
