import { z } from "@hono/zod-openapi";
import { EmailSchema, IdSchema } from "../../lib/schemas";

/** Elemente's `POST /api/v1/calls` body, accepted as Elemente documents it (camelCase). */
const MAX_TEXT = 2_000;
const isLanguageTag = (tag: string) => {
  try {
    return Intl.getCanonicalLocales(tag).length === 1;
  } catch {
    return false;
  }
};
const Language = z.string().max(35).refine(isLanguageTag, "must be a BCP 47 language tag such as en-US").openapi({ example: "en-US" });
const Phone = z.string().min(1).max(40).openapi({ example: "+14155552671" });

export const CHANNELS = ["call", "sms", "whatsapp", "email", "webchat"] as const;

const CustomField = z.strictObject({
  name: z.string().trim().min(1).max(100).openapi({ example: "Order ID" }),
  value: z.union([z.string().max(MAX_TEXT), z.number(), z.boolean(), z.null()]).openapi({ example: "12345" }),
});

const CustomerOverride = z
  .strictObject({
    firstName: z.string().trim().min(1).max(200).optional().openapi({ example: "John" }),
    lastName: z.string().trim().min(1).max(200).optional().openapi({ example: "Doe" }),
    phoneNumber: Phone.optional().openapi({ description: "The number to call (E.164). Matches an existing customer of the project, or creates one." }),
    email: EmailSchema.optional(),
    language: Language.optional(),
    customFields: z
      .array(CustomField)
      .max(50)
      .optional()
      .openapi({ description: "Each becomes a `{{name}}` variable for this call, e.g. `{{Order ID}}`; stored on a newly created customer." }),
  })
  .openapi("CustomerOverride");

const AgentOverride = z
  .strictObject({
    name: z.string().trim().min(1).max(200).optional().openapi({ example: "John Doe", description: "The agent's name for this call; fills `{{aiName}}`." }),
    phone: Phone.optional().openapi({ description: "Accepted for compatibility; calls come from the project's caller id." }),
    imageURL: z.url().max(2048).optional().openapi({ description: "Accepted for compatibility; not used on phone calls." }),
    language: Language.optional(),
    voiceStability: z.number().min(0).max(1).optional().openapi({ description: "Accepted for compatibility; not used by the realtime voice." }),
    voiceSpeed: z.number().min(0.25).max(1.5).optional().openapi({ example: 1.2 }),
    prompt: z
      .strictObject({
        initialMessage: z.string().max(MAX_TEXT).optional().openapi({ example: "Hello {{firstName}}, My name is {{aiName}}. I am calling you about your order ID {{Order ID}}" }),
        prompt: z.string().trim().min(1).max(20_000).optional().openapi({ description: "Replaces the agent's system prompt for this call." }),
        routingConditions: z.record(z.string(), z.unknown()).optional().openapi({ description: "Accepted for compatibility." }),
      })
      .optional(),
  })
  .openapi("AgentOverride");

export const CreateCallBody = z
  .strictObject({
    agentId: IdSchema,
    channel: z.enum(CHANNELS).openapi({ example: "call", description: "Only `call` is supported yet; the others answer 422." }),
    skillId: z.string().max(200).optional().openapi({ example: "123e4567-e89b-12d3-a456-426614174000", description: "Echoed back; Parley has no skills." }),
    customerOverride: CustomerOverride,
    agentOverride: AgentOverride.optional(),
    customerName: z.string().trim().min(1).max(400).optional().openapi({ example: "John Does", description: "Name of a customer to create." }),
    customerPhone: Phone.optional().openapi({ description: "Used when `customerOverride.phoneNumber` is absent." }),
    customerEmail: EmailSchema.optional(),
  })
  .openapi("CreateCallRequest");

export const CallInteraction = z
  .object({
    id: IdSchema.openapi({ description: "The interaction id: the notification made for this call." }),
    status: z.string().openapi({ example: "in-progress" }),
    agentPhone: z.string().nullable().openapi({ example: "+14155550100", description: "The number the call comes from; null while no call is placed." }),
    agentEmail: z.string().nullable(),
    customerPhone: z.string().openapi({ example: "+14155552671" }),
    customerEmail: z.string().nullable(),
    agentId: IdSchema,
    customerId: IdSchema,
    skillId: z.string().nullable(),
    customerName: z.string().nullable().openapi({ example: "John Doe" }),
    transcription: z.string().openapi({ example: "" }),
    recordingUrl: z.string().nullable(),
    messages: z.array(z.object({ sender: z.string(), content: z.string(), timestamp: z.string() })),
    duration: z.number().openapi({ example: 0, description: "Seconds." }),
    call_id: IdSchema.nullable().openapi({ description: "The call; read it at `GET /calls/{id}`. Null while the calling policy holds the interaction (outside the recipient's calling window, or no free call slot): `status` then says it waits." }),
    call_status: z.string().nullable().openapi({ example: "queued" }),
  })
  .openapi("CallInteraction");

export type CreateCallInput = z.infer<typeof CreateCallBody>;
