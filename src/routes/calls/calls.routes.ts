import { createRoute } from "@hono/zod-openapi";
import { apiKeySecurity, commonErrors, ErrorSchema, errors, json, jsonBody } from "../../lib/openapi";
import { Call, CallDetail, CallIdParam, CallListQuery, CallPage } from "./calls.schemas";
import { CallInteraction, CreateCallBody } from "./one-shot.schemas";

const tags = ["Calls"];
const security = apiKeySecurity;
const scoped = "A call is one attempt to reach a person for a notification. Calls belong to the project of the API key.";

export const createCall = createRoute({
  method: "post",
  path: "/calls",
  tags,
  security,
  summary: "Call someone now with an agent (Elemente's one-shot interaction)",
  description:
    "Elemente's body, camelCase as documented. The customer is found by phone in the project, or created. `customFields` fill " +
    "`{{name}}` placeholders (`{{Order ID}}`), as do `{{firstName}}`, `{{lastName}}` and `{{aiName}}`; `agentOverride` replaces the agent's " +
    "prompt, first message, speed and language for this call only. An unfilled placeholder answers 422 naming it, and nothing is stored. " +
    "Channels other than `call` answer 422. The call is recorded as a notification with `source: \"one_shot\"`.",
  request: { body: jsonBody(CreateCallBody) },
  responses: {
    201: json(CallInteraction, "The interaction (in Elemente's shape) and the call placed."),
    ...commonErrors,
    403: errors[403],
    404: errors[404],
    409: errors[409],
    415: errors[415],
    422: errors[422],
    503: json(ErrorSchema, "A live project on a deployment without Twilio and OpenAI credentials cannot place calls."),
  },
});

export const listCalls = createRoute({
  method: "get",
  path: "/calls",
  tags,
  security,
  summary: "List calls, newest first",
  description: `Filter by \`notification_id\` (or its alias \`task_id\`), \`agent_id\` and \`status\`; page with \`limit\` and \`offset\`, or \`cursor\`. ${scoped}`,
  request: { query: CallListQuery },
  responses: { 200: json(CallPage, "A page of calls."), ...commonErrors, 403: errors[403] },
});

export const getCall = createRoute({
  method: "get",
  path: "/calls/{id}",
  tags,
  security,
  summary: "Get a call with its transcript",
  description: `Status, timings, who answered, why it ended, and what was said so far, as \`transcript\` and as Elemente's \`messages\`. ${scoped}`,
  request: { params: CallIdParam },
  responses: { 200: json(CallDetail, "The call."), ...commonErrors, 403: errors[403], 404: errors[404] },
});

const stop = (path: "end" | "cancel", summary: string, description: string) =>
  createRoute({
    method: "post",
    path: `/calls/{id}/${path}`,
    tags,
    security,
    summary,
    description: `${description} 409 when the call has already ended. ${scoped}`,
    request: { params: CallIdParam },
    responses: { 200: json(Call, "The call as it stands."), ...commonErrors, 403: errors[403], 404: errors[404], 409: errors[409] },
  });

export const endCallRoute = stop("end", "End a call politely", "The agent says goodbye, then the call is hung up.");
export const cancelCallRoute = stop("cancel", "Stop a call now", "Cancels it while ringing, hangs up while in progress.");
