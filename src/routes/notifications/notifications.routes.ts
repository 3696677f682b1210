import { createRoute, z } from "@hono/zod-openapi";
import { apiKeySecurity, commonErrors, ErrorSchema, errors, json, jsonBody } from "../../lib/openapi";
import { Call } from "../calls/calls.schemas";
import {
  CreateNotificationBody,
  Notification,
  NotificationCreated,
  NotificationIdParam,
  NotificationListQuery,
  NotificationPage,
  UpdateNotificationBody,
} from "./notifications.schemas";

const tags = ["Notifications"];
const security = apiKeySecurity;
const scoped = "A notification is what other platforms call a task or an interaction. It belongs to the project of the API key.";

const unavailable = json(ErrorSchema, "A live project on a deployment without Twilio and OpenAI credentials cannot place calls.");

export const NotificationDetail = Notification.extend({ calls: z.array(Call).openapi({ description: "Every call attempt, oldest first." }) }).openapi(
  "NotificationDetail",
);

export const createNotification = createRoute({
  method: "post",
  path: "/notifications",
  tags,
  security,
  summary: "Send a notification: call a customer now, later or on demand",
  description:
    "Agent path: set `agent_id`; the agent's prompt drives the call and `variables` fill its `{{tokens}}`. " +
    "LLM path: omit `agent_id` and send `message`; Parley writes the agent's prompt. A prompt with an unfilled " +
    "`{{token}}` is refused with 422 naming every missing variable, and nothing is stored. With a future `scheduled_at` " +
    "the notification is `scheduled` and called when due (higher `priority` first); with `dispatch: \"manual\"` it waits, " +
    `\`pending\`, for \`POST /notifications/{id}/execute\`. When the number to call is on the project's do-not-call list, the notification ` +
    "is stored as `blocked` with `failure_reason` saying so, nobody is called, and the answer is still 201 with `call: null` (the notification " +
    "exists, so it can be read, reset once the number is unlisted, or deleted). `retry_policy` overrides fields of the project's retry policy for " +
    `this notification only. ${scoped}`,
  request: { body: jsonBody(CreateNotificationBody) },
  responses: {
    201: json(NotificationCreated, "The notification, and the call placed for it (null when scheduled, manual or blocked)."),
    ...commonErrors,
    403: errors[403],
    404: errors[404],
    409: errors[409],
    415: errors[415],
    422: errors[422],
    503: unavailable,
  },
});

export const listNotifications = createRoute({
  method: "get",
  path: "/notifications",
  tags,
  security,
  summary: "List notifications, newest first",
  description: `Filter by \`status\`, \`agent_id\`, \`customer_id\` and creation time; page with \`limit\` and \`offset\`, or \`cursor\`. ${scoped}`,
  request: { query: NotificationListQuery },
  responses: { 200: json(NotificationPage, "A page of notifications."), ...commonErrors, 403: errors[403] },
});

export const getNotification = createRoute({
  method: "get",
  path: "/notifications/{id}",
  tags,
  security,
  summary: "Get a notification with its calls",
  description: scoped,
  request: { params: NotificationIdParam },
  responses: { 200: json(NotificationDetail, "The notification and its call attempts."), ...commonErrors, 403: errors[403], 404: errors[404] },
});

export const updateNotification = createRoute({
  method: "patch",
  path: "/notifications/{id}",
  tags,
  security,
  summary: "Change a notification that has not been called yet",
  description:
    "Only while `pending` or `scheduled` (409 otherwise). The script is rendered again, so the same 404/409/422 rules as creation apply. " +
    "`variables` replaces the whole set. A future `scheduled_at` makes it `scheduled`; `scheduled_at: null` makes it `pending` (call it with execute). " +
    "`retry_policy` fields are merged into this notification's override (null removes it). If the number to call is now on the do-not-call list, " +
    "the notification becomes `blocked`.",
  request: { params: NotificationIdParam, body: jsonBody(UpdateNotificationBody) },
  responses: {
    200: json(Notification, "The updated notification."),
    ...commonErrors,
    403: errors[403],
    404: errors[404],
    409: errors[409],
    415: errors[415],
    422: errors[422],
  },
});

export const deleteNotification = createRoute({
  method: "delete",
  path: "/notifications/{id}",
  tags,
  security,
  summary: "Delete a pending, failed or blocked notification",
  description: "Its calls and their transcripts are deleted with it. Any other status answers 409: cancel a scheduled one instead.",
  request: { params: NotificationIdParam },
  responses: { 204: { description: "Deleted." }, ...commonErrors, 403: errors[403], 404: errors[404], 409: errors[409] },
});

const actionResponses = {
  200: json(NotificationCreated, "The notification, and the call placed for it (null unless executed)."),
  ...commonErrors,
  403: errors[403],
  404: errors[404],
  409: errors[409],
};

export const executeNotification = createRoute({
  method: "post",
  path: "/notifications/{id}/execute",
  tags,
  security,
  summary: "Call a pending notification now",
  description:
    "Only `pending` notifications (409 otherwise), such as those created with `dispatch: \"manual\"` or reset. If the number is on the " +
    "do-not-call list, nobody is called: the notification becomes `blocked` and the answer is 200 with `call: null`.",
  request: { params: NotificationIdParam },
  responses: { ...actionResponses, 422: errors[422], 503: unavailable },
});

export const resetNotification = createRoute({
  method: "post",
  path: "/notifications/{id}/reset",
  tags,
  security,
  summary: "Make a notification pending again",
  description:
    "For a scheduled, completed, failed, canceled or blocked notification, so it can be executed again; 409 while pending or in progress. " +
    "A blocked one becomes pending, but is blocked again when executed or dispatched while its number is still on the do-not-call list.",
  request: { params: NotificationIdParam },
  responses: actionResponses,
});

export const cancelNotification = createRoute({
  method: "post",
  path: "/notifications/{id}/cancel",
  tags,
  security,
  summary: "Cancel a notification",
  description: "A pending or scheduled notification is canceled; one in progress has its call stopped first. 409 once it has finished.",
  request: { params: NotificationIdParam },
  responses: actionResponses,
});
