import { z } from "@hono/zod-openapi";
import { SPEAKERS } from "../../db/schema";
import { IdSchema } from "../../lib/schemas";

export const TranscriptLine = z
  .object({
    speaker: z.enum(SPEAKERS).openapi({ example: "agent" }),
    text: z.string().openapi({ example: "Hi John, this is Acme Inc calling to confirm your appointment." }),
    start_ms: z.number().int().openapi({ example: 0, description: "Milliseconds from the moment the call was answered." }),
    end_ms: z.number().int().openapi({ example: 4200 }),
    interrupted: z.boolean().openapi({ example: false, description: "The callee talked over the agent; the rest of this line was not heard." }),
  })
  .openapi("TranscriptLine");

export const CallTranscript = z
  .object({
    call_id: IdSchema,
    entries: z.array(TranscriptLine).openapi({ description: "What was said, in order." }),
    text: z.string().openapi({ example: "Agent: Hi John, this is Acme Inc calling to confirm your appointment.\nCustomer: Yes, that works." }),
  })
  .openapi("CallTranscript");

export const CallReport = z
  .object({
    call_id: IdSchema,
    report: z.string().openapi({ example: "# Call report\n\n- **Outcome:** completed (agent ended)\n…", description: "Markdown." }),
  })
  .openapi("CallReport");

export const CallResults = z
  .object({
    transcript: CallTranscript,
    analysis: z.unknown().nullable().openapi({ example: { confirmed: true }, description: "Results in the shape of the agent's output_schema, or null." }),
    summary: z.string().nullable().openapi({ example: "John confirmed his appointment on Thursday at 2 PM." }),
    report: z.string().openapi({ description: "Markdown, as `GET /calls/{id}/report` answers it." }),
  })
  .openapi("CallResults");

const LiveUrl = z.string().openapi({ example: "wss://api.parley.example/ws/calls/8cc6199f-9466-46f2-9db7-936f3c2c1c0b" });

export const LiveConnection = z
  .object({
    websocket_url: LiveUrl,
    call_id: IdSchema,
    temp_token: z.string().openapi({ example: "eyJjIjoiOGNjNjE5OWYi….q1w2e3r4", description: "Opens this call's socket only, for 5 minutes." }),
    connection_info: z.object({
      url: LiveUrl,
      auth_method: z.literal("query_param"),
      auth_param: z.literal("api_key"),
      temp_auth_param: z.literal("session_token"),
      example: z.string().openapi({ example: "wss://api.parley.example/ws/calls/{call_id}?api_key=YOUR_API_KEY" }),
      example_session: z.string().openapi({ example: "wss://api.parley.example/ws/calls/{call_id}?session_token=TEMP_TOKEN" }),
      message_format: z.literal("json"),
      message_types: z.array(z.enum(["connected", "transcript_update", "call_status_update", "error"])),
    }),
  })
  .openapi("LiveConnection");
