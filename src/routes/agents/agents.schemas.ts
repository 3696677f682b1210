import { z } from "@hono/zod-openapi";
import { PaginationQuery, pageSchema } from "../../lib/pagination";
import { DialableNumberSchema, IdSchema, NameSchema, TimestampSchema } from "../../lib/schemas";

const MAX_PROMPT_CHARS = 20_000;
const MAX_MESSAGE_CHARS = 2_000;

const ECHO_PROMPT =
  "You are a friendly assistant calling {{recipient_first_name}} on behalf of {{business_name}}. Confirm the appointment on {{appointment_time}} with {{doctor_name}}.";
const ECHO_OUTPUT_SCHEMA = {
  type: "object",
  required: ["confirmed"],
  properties: {
    confirmed: { type: "boolean", description: "Whether the patient confirmed the appointment" },
    reschedule_request: { type: "string", description: "Preferred reschedule time if they want to change it" },
  },
};

const notBlank = (text: string) => /\S/.test(text);
const isLanguageTag = (tag: string) => {
  try {
    return Intl.getCanonicalLocales(tag).length === 1;
  } catch {
    return false;
  }
};

const JsonObject = z.record(z.string(), z.unknown());
const DtmfRules = z.union([JsonObject, z.array(z.unknown())]);

// Create and update take the same fields; null clears an optional one on update.
const agentFields = {
  name: NameSchema.openapi({ example: "Appointment Reminder" }),
  system_prompt: z
    .string()
    .max(MAX_PROMPT_CHARS)
    .refine(notBlank, "must not be empty")
    .openapi({ example: ECHO_PROMPT, description: "What the agent is and does on a call. `{{variable}}` placeholders are filled when a notification is sent." }),
  description: z.string().max(MAX_MESSAGE_CHARS).nullable().optional().openapi({ example: "Confirms tomorrow's appointments" }),
  starting_message: z
    .string()
    .max(MAX_MESSAGE_CHARS)
    .refine(notBlank, "must not be empty; send null to remove it")
    .nullable()
    .optional()
    .openapi({ example: "Hi {{recipient_first_name}}, this is {{business_name}} calling.", description: "The agent's first words when the call is answered; may use `{{variables}}`." }),
  // Any value is accepted here so that every malformed schema is answered the same way, with invalid_output_schema.
  output_schema: z.unknown().optional().openapi({
    type: ["object", "null"],
    example: ECHO_OUTPUT_SCHEMA,
    description:
      "A JSON Schema (root `type: \"object\"`) for what to extract from the call; the result is in the notification's `call_result`. " +
      "It must fit OpenAI's strict structured output: no allOf/oneOf/not/if, $ref only into `#/$defs`, at most 5 levels and 100 properties.",
  }),
  voice_settings: JsonObject.nullable().optional().openapi({ example: { voice: "alloy", speed: 1.0 }, description: "How the agent sounds." }),
  language: z
    .string()
    .max(35)
    .refine(isLanguageTag, "must be a BCP 47 language tag such as en-US")
    .nullable()
    .optional()
    .openapi({ example: "en-US", description: "The language the agent speaks. Stored in canonical case (`en-us` becomes `en-US`)." }),
  dtmf_rules: DtmfRules.nullable().optional().openapi({
    example: { "1": "confirm", "2": "reschedule", "9": "opt_out" },
    description:
      "What keypad presses mean during the call: a digit → action map. Every press reaches the agent as text with its meaning; `opt_out` (the number joins the do-not-call list) and `transfer` (put through to `transfer_number`) are carried out by Parley itself.",
  }),
  enabled: z.boolean().optional().openapi({ example: true, description: "A disabled agent is kept but cannot be used for new notifications." }),
  recording_enabled: z.boolean().optional().openapi({
    example: true,
    description: "Record this agent's calls (a two-channel WAV, see `GET /calls/{id}/recording`). On by default; applies to calls placed after the change.",
  }),
  voicemail_message: z
    .string()
    .max(MAX_MESSAGE_CHARS)
    .refine(notBlank, "must not be empty; send null to remove it")
    .nullable()
    .optional()
    .openapi({
      example: "Hi {{recipient_first_name}}, this is {{business_name}} about your appointment. Please call us back.",
      description: "Left after the beep when an answering machine picks up (may use `{{variables}}`); without one, Parley hangs up on machines. The call ends as `voicemail` either way.",
    }),
  transfer_number: DialableNumberSchema.nullable()
    .optional()
    .openapi({ example: "+14155550199", description: "Where the agent can put the callee through to a person (its `transfer_call` tool); without one the agent cannot transfer. A notification may set its own." }),
};

export const CreateAgentBody = z
  .strictObject({ ...agentFields, enabled: agentFields.enabled.default(true), recording_enabled: agentFields.recording_enabled.default(true) })
  .openapi("CreateAgentRequest", { example: { name: "Appointment Reminder", system_prompt: ECHO_PROMPT, output_schema: ECHO_OUTPUT_SCHEMA } });

export const UpdateAgentBody = z
  .strictObject({ ...agentFields, name: agentFields.name.optional(), system_prompt: agentFields.system_prompt.optional() })
  .openapi("UpdateAgentRequest", { minProperties: 1, example: { enabled: false } });

export const Agent = z
  .object({
    id: IdSchema,
    name: z.string().openapi({ example: "Appointment Reminder" }),
    status: z.enum(["active", "disabled"]).openapi({ example: "active", description: "`active` when enabled, `disabled` otherwise." }),
    enabled: z.boolean(),
    recording_enabled: z.boolean().openapi({ example: true, description: "Whether this agent's calls are recorded." }),
    system_prompt: z.string().openapi({ example: ECHO_PROMPT }),
    description: z.string().nullable(),
    starting_message: z.string().nullable(),
    output_schema: JsonObject.nullable().openapi({ example: ECHO_OUTPUT_SCHEMA }),
    voice_settings: JsonObject.nullable(),
    language: z.string().nullable().openapi({ example: "en-US" }),
    dtmf_rules: DtmfRules.nullable(),
    voicemail_message: z.string().nullable(),
    transfer_number: z.string().nullable().openapi({ example: "+14155550199" }),
    variables: z.array(z.string()).openapi({
      example: ["appointment_time", "business_name", "doctor_name", "recipient_first_name"],
      description: "The `{{variable}}` names the system prompt and starting message use, sorted.",
    }),
    created_at: TimestampSchema,
    updated_at: TimestampSchema,
  })
  .openapi("Agent");

export const AgentPage = pageSchema(Agent, "AgentPage");

export const AgentListQuery = z.object({
  ...PaginationQuery,
  enabled: z.enum(["true", "false"]).optional().openapi({ example: "true", description: "Only enabled (`true`) or disabled (`false`) agents." }),
});

export const AgentIdParam = z.object({ id: IdSchema.openapi({ param: { name: "id", in: "path" } }) });

export type AgentResponse = z.infer<typeof Agent>;
export type AgentFields = z.infer<typeof UpdateAgentBody>;
