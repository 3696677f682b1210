import { createRoute } from "@hono/zod-openapi";
import { commonErrors, errors, json, jsonBody, sessionSecurity } from "../../lib/openapi";
import { ListQuery, MemberListSchema, MemberParams, MemberSchema, UpdateMemberBody } from "./members.schemas";

const tags = ["Members"];
const security = sessionSecurity;

export const listMembers = createRoute({
  method: "get",
  path: "/members",
  tags,
  summary: "List the business's members",
  description: "Any member may read the list. Newest members first.",
  security,
  request: { query: ListQuery },
  responses: { 200: json(MemberListSchema, "A page of members."), ...commonErrors, 403: errors[403] },
});

export const updateMember = createRoute({
  method: "patch",
  path: "/members/{userId}",
  tags,
  summary: "Change a member's role",
  description:
    "Owners and admins only; only an owner can make someone an owner or change an owner's role. " +
    "The last owner cannot be demoted (409). The new role applies to the member's next request.",
  security,
  request: { params: MemberParams, body: jsonBody(UpdateMemberBody) },
  responses: {
    200: json(MemberSchema, "The member with their new role."),
    ...commonErrors,
    403: errors[403],
    404: errors[404],
    409: errors[409],
    415: errors[415],
  },
});

export const removeMember = createRoute({
  method: "delete",
  path: "/members/{userId}",
  tags,
  summary: "Remove a member from the business",
  description:
    "Owners and admins only; only an owner can remove an owner, and the last owner cannot be removed (409). " +
    "The member's sessions for this business end at once; their user account and the API keys they made remain.",
  security,
  request: { params: MemberParams },
  responses: { 204: { description: "Removed." }, ...commonErrors, 403: errors[403], 404: errors[404], 409: errors[409] },
});
