import { createRoute } from "@hono/zod-openapi";
import { apiKeySecurity, commonErrors, ErrorSchema, errors, json } from "../../lib/openapi";
import { CallIdParam } from "./calls.schemas";
import { RecordingLink, RecordingStreamQuery, WavAudio } from "./recording.schemas";

const tags = ["Calls"];
const security = apiKeySecurity;
const scoped = "Calls belong to the project of the API key; another project's call answers 404.";
const unavailable = "404 while there is no recording to play: the call is still running, was not answered, its agent does not record, or the recording failed or was deleted.";
const wav = (description: string) => ({ content: { "audio/wav": { schema: WavAudio } }, description });

export const getRecording = createRoute({
  method: "get",
  path: "/calls/{id}/recording",
  tags,
  security,
  summary: "Get a link to a call's recording",
  description:
    "A URL that plays the recording (a two-channel WAV: the callee left, the agent right, 8 kHz) without an API key, so it can go straight " +
    "into an `<audio src>`. It is valid for 15 minutes and opens this call's recording only; ask again for a fresh one. " +
    `The recording is available once the call has ended (completed or failed). ${unavailable} ${scoped}`,
  request: { params: CallIdParam },
  responses: { 200: json(RecordingLink, "Where to play or download the recording."), ...commonErrors, 403: errors[403], 404: errors[404] },
});

export const streamRecording = createRoute({
  method: "get",
  path: "/calls/{id}/recording/stream",
  tags,
  security,
  summary: "Download or stream a call's recording",
  description:
    "The WAV file, with `Accept-Ranges: bytes`: a `Range` header gets 206 and that part (players seek this way), or 416 if it starts past the end. " +
    "Authenticate with the API key, or with `?token=` from `GET /calls/{id}/recording` (401 if it is forged or expired, 403 if it is for another call). " +
    `${unavailable} ${scoped}`,
  request: { params: CallIdParam, query: RecordingStreamQuery },
  responses: {
    200: wav("The whole recording."),
    206: wav("The requested byte range, described by `Content-Range`."),
    ...commonErrors,
    403: errors[403],
    404: errors[404],
    416: { content: { "application/json": { schema: ErrorSchema } }, description: "The range starts past the end; `Content-Range: bytes */size`." },
  },
});

export const deleteRecording = createRoute({
  method: "delete",
  path: "/calls/{id}/recording",
  tags,
  security,
  summary: "Delete a call's recording",
  description:
    "Removes the audio for good; the call keeps `recording.status: deleted`. Deleting again answers 204 too. 404 when the call never had a recording, " +
    `409 while it is still being recorded. ${scoped}`,
  request: { params: CallIdParam },
  responses: { 204: { description: "Deleted." }, ...commonErrors, 403: errors[403], 404: errors[404], 409: errors[409] },
});
