import { createRouter } from "../../lib/router";
import * as invitationHandlers from "./invitations.handlers";
import * as invitationRoutes from "./invitations.routes";
import * as handlers from "./members.handlers";
import * as routes from "./members.routes";

// Invitation paths are registered before `/members/{userId}` so `invitations` is never read as a user id.
export const membersRouter = createRouter()
  .openapi(routes.listMembers, handlers.listMembersHandler)
  .openapi(invitationRoutes.createInvitation, invitationHandlers.createInvitationHandler)
  .openapi(invitationRoutes.listInvitations, invitationHandlers.listInvitationsHandler)
  .openapi(invitationRoutes.deleteInvitation, invitationHandlers.deleteInvitationHandler)
  .openapi(routes.updateMember, handlers.updateMemberHandler)
  .openapi(routes.removeMember, handlers.removeMemberHandler);

/** Public: mounted at /auth/invitations, for people who are not members yet. */
export const invitationsRouter = createRouter().openapi(invitationRoutes.acceptInvitation, invitationHandlers.acceptInvitationHandler);
