import { createRoute } from "@hono/zod-openapi";
import { commonErrors, errors, json, jsonBody, sessionSecurity } from "../../lib/openapi";
import { SessionResponse } from "../auth/auth.schemas";
import { ListQuery } from "./members.schemas";
import { AcceptInvitationBody, CreateInvitationBody, InvitationListSchema, InvitationParams, InvitationWithTokenSchema } from "./invitations.schemas";

const tags = ["Members"];
const security = sessionSecurity;

export const createInvitation = createRoute({
  method: "post",
  path: "/members/invitations",
  tags,
  summary: "Invite someone to the business",
  description:
    "Owners and admins only. Answers a `token`, shown once, valid seven days; pass it to the invitee. " +
    "Inviting the same email again replaces the pending invitation.",
  security,
  request: { body: jsonBody(CreateInvitationBody) },
  responses: {
    201: json(InvitationWithTokenSchema, "The invitation and its token."),
    ...commonErrors,
    403: errors[403],
    409: errors[409],
    415: errors[415],
    422: errors[422],
  },
});

export const listInvitations = createRoute({
  method: "get",
  path: "/members/invitations",
  tags,
  summary: "List pending invitations",
  description: "Owners and admins only. Accepted and expired invitations are not listed.",
  security,
  request: { query: ListQuery },
  responses: { 200: json(InvitationListSchema, "A page of pending invitations, newest first."), ...commonErrors, 403: errors[403] },
});

export const deleteInvitation = createRoute({
  method: "delete",
  path: "/members/invitations/{invitationId}",
  tags,
  summary: "Withdraw a pending invitation",
  description: "Owners and admins only. Its token stops working at once.",
  security,
  request: { params: InvitationParams },
  responses: { 204: { description: "Withdrawn." }, ...commonErrors, 403: errors[403], 404: errors[404] },
});

export const acceptInvitation = createRoute({
  method: "post",
  path: "/accept",
  tags,
  summary: "Accept an invitation and sign in",
  description:
    "Public. With no account for the invited email, one is created with this password; with one, the password must be its current one. " +
    "Answers a session for the inviting business, like `/auth/login`.",
  request: { body: jsonBody(AcceptInvitationBody) },
  responses: {
    200: json(SessionResponse, "Now a member, signed in."),
    ...commonErrors,
    409: errors[409],
    415: errors[415],
    422: errors[422],
  },
});
