import { createRoute } from "@hono/zod-openapi";
import { apiKeySecurity, commonErrors, errors, json } from "../../lib/openapi";
import { CallIdParam } from "./calls.schemas";
import { CallReport, CallResults, CallTranscript, LiveConnection } from "./transcript.schemas";

const tags = ["Calls"];
const security = apiKeySecurity;
const scoped = "Calls belong to the project of the API key; another project's call answers 404.";

export const getTranscript = createRoute({
  method: "get",
  path: "/calls/{id}/transcript",
  tags,
  security,
  summary: "Get a call's transcript",
  description: `What was said so far, as lines with timings and as plain text (\`Agent: …\\nCustomer: …\`). ${scoped}`,
  request: { params: CallIdParam },
  responses: { 200: json(CallTranscript, "The transcript."), ...commonErrors, 403: errors[403], 404: errors[404] },
});

export const reprocessTranscript = createRoute({
  method: "post",
  path: "/calls/{id}/transcript",
  tags,
  security,
  summary: "Work a finished call's results out again",
  description:
    "Recomputes the summary, the structured analysis and the report from the stored transcript and stores them. " +
    `Webhook events already sent for the call are not sent again. 409 while the call is not finished. ${scoped}`,
  request: { params: CallIdParam },
  responses: { 200: json(CallResults, "The call's new results."), ...commonErrors, 403: errors[403], 404: errors[404], 409: errors[409] },
});

export const getReport = createRoute({
  method: "get",
  path: "/calls/{id}/report",
  tags,
  security,
  summary: "Get a call's report",
  description: `A markdown report (outcome, duration, summary, analysis, transcript), made when first asked for. ${scoped}`,
  request: { params: CallIdParam },
  responses: { 200: json(CallReport, "The report."), ...commonErrors, 403: errors[403], 404: errors[404] },
});

export const getLive = createRoute({
  method: "get",
  path: "/calls/{id}/live",
  tags,
  security,
  summary: "Get the live transcript socket of a call",
  description:
    "Where to open a WebSocket that streams the call as it happens: `connected` (the status and the lines said so far), " +
    "`transcript_update` (each new line, with `transcript`: the whole text so far), `call_status_update`, and `error`. " +
    'Authenticate with `?api_key=` or with `?session_token=` set to `temp_token` (valid 5 minutes, for this call only). Send `{"type":"ping"}` ' +
    `to keep it open (answered \`{"type":"pong"}\`). The socket closes when the call ends. ${scoped}`,
  request: { params: CallIdParam },
  responses: { 200: json(LiveConnection, "How to connect."), ...commonErrors, 403: errors[403], 404: errors[404] },
});
