import { z } from "@hono/zod-openapi";
import { RECORDING_STATUSES } from "../../recordings/recording-records";
import { IdSchema, TimestampSchema } from "../../lib/schemas";

export const CallRecordingState = z
  .object({
    status: z.enum(RECORDING_STATUSES).openapi({
      example: "available",
      description:
        "`recording` while the call runs (and for a moment after it ends, while the file is completed), `available` to play, " +
        "`failed` if it could not be saved (the call itself was not affected), `deleted` once removed.",
    }),
    duration_ms: z.number().int().nullable().openapi({ example: 42180, description: "Length of the audio, once available." }),
    size_bytes: z.number().int().nullable().openapi({ example: 1349804, description: "Size of the WAV file, once available." }),
  })
  .nullable()
  .openapi("CallRecordingState", {
    description: "The call's recording (two-channel WAV: the callee left, the agent right); null when there is none (not answered, or the agent does not record).",
  });

export const RecordingLink = z
  .object({
    call_id: IdSchema,
    url: z.string().openapi({
      example: "https://api.parley.example/api/v1/calls/8cc6199f-9466-46f2-9db7-936f3c2c1c0b/recording/stream?token=eyJjIjoiOGNj….q1w2e3r4",
      description: "Plays the recording without an API key (for `<audio src>`), until `expires_at`; it opens this call's recording only.",
    }),
    expires_at: TimestampSchema.openapi({ example: "2026-03-18T17:58:46.000Z" }),
    duration_ms: z.number().int().openapi({ example: 42180 }),
    size_bytes: z.number().int().openapi({ example: 1349804 }),
    content_type: z.literal("audio/wav"),
  })
  .openapi("RecordingLink");

export const RecordingStreamQuery = z.object({
  token: z
    .string()
    .max(1024)
    .optional()
    .openapi({ example: "eyJjIjoiOGNj….q1w2e3r4", description: "The token of a URL from `GET /calls/{id}/recording`, instead of an API key." }),
});

export const WavAudio = z.string().openapi({ type: "string", format: "binary", description: "16-bit PCM WAV, 8 kHz, two channels." });
