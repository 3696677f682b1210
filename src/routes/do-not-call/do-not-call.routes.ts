import { createRoute } from "@hono/zod-openapi";
import { apiKeySecurity, commonErrors, errors, json, jsonBody } from "../../lib/openapi";
import { AddDoNotCallBody, DoNotCallEntry, DoNotCallListQuery, DoNotCallPage, ImportDoNotCallBody, ImportDoNotCallResult, PhoneParam } from "./do-not-call.schemas";

const tags = ["Do not call"];
const security = apiKeySecurity;
const scoped =
  "The list belongs to the project of the API key; other projects' entries are not visible. Notifications to a listed number are stored as `blocked` and nobody is called.";

export const addDoNotCall = createRoute({
  method: "post",
  path: "/do-not-call",
  tags,
  security,
  summary: "Add a number to the do-not-call list",
  description: `The number is normalised to E.164. Idempotent: a number already listed answers 200 with its existing entry, unchanged. ${scoped}`,
  request: { body: jsonBody(AddDoNotCallBody) },
  responses: {
    201: json(DoNotCallEntry, "The number is now listed."),
    200: json(DoNotCallEntry, "The number was already listed; its entry is unchanged."),
    ...commonErrors,
    403: errors[403],
    409: errors[409],
    415: errors[415],
    422: errors[422],
  },
});

export const importDoNotCall = createRoute({
  method: "post",
  path: "/do-not-call/import",
  tags,
  security,
  summary: "Add up to 1000 numbers to the do-not-call list at once",
  description:
    "Valid numbers are listed (in batches of 100) and invalid ones reported by index; one bad entry does not refuse the rest. " +
    `Sending the same import again is safe: listed numbers count as \`already_listed\`. ${scoped}`,
  request: { body: jsonBody(ImportDoNotCallBody) },
  responses: { 200: json(ImportDoNotCallResult, "What was listed, what already was, and what was invalid."), ...commonErrors, 403: errors[403], 415: errors[415], 422: errors[422] },
});

export const listDoNotCall = createRoute({
  method: "get",
  path: "/do-not-call",
  tags,
  security,
  summary: "List the do-not-call list, newest first",
  description: `Filter with \`phone\` (a number or its beginning); page with \`limit\` and \`offset\`, or \`cursor\`. ${scoped}`,
  request: { query: DoNotCallListQuery },
  responses: { 200: json(DoNotCallPage, "A page of entries."), ...commonErrors, 403: errors[403] },
});

export const getDoNotCall = createRoute({
  method: "get",
  path: "/do-not-call/{phone}",
  tags,
  security,
  summary: "Check whether a number is on the do-not-call list",
  description: `404 when it is not listed. ${scoped}`,
  request: { params: PhoneParam },
  responses: { 200: json(DoNotCallEntry, "The number's entry."), ...commonErrors, 403: errors[403], 404: errors[404] },
});

export const deleteDoNotCall = createRoute({
  method: "delete",
  path: "/do-not-call/{phone}",
  tags,
  security,
  summary: "Remove a number from the do-not-call list",
  description: `It may be called again; notifications already \`blocked\` stay so until reset. 404 when it is not listed. ${scoped}`,
  request: { params: PhoneParam },
  responses: { 204: { description: "Removed." }, ...commonErrors, 403: errors[403], 404: errors[404] },
});
