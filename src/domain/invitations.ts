import { and, eq, isNull } from "drizzle-orm";
import type { Db } from "../db/client";
import { invitations, memberships, users, type Role } from "../db/schema";
import { randomToken, sha256Hex } from "../lib/crypto";
import { ApiError } from "../lib/errors";
import { newId, nowIso } from "../lib/ids";

export const INVITATION_TTL_SECONDS = 7 * 24 * 60 * 60;

export type InvitationRow = typeof invitations.$inferSelect;

export const presentInvitation = (i: InvitationRow) => ({
  id: i.id,
  email: i.email,
  role: i.role,
  invited_by: i.invitedBy,
  expires_at: i.expiresAt,
  created_at: i.createdAt,
});

export interface InvitationDraft {
  businessId: string;
  email: string;
  role: Role;
  invitedBy: string;
}

/**
 * Invites someone by email. Inviting the same address again replaces the pending invitation,
 * so only the newest link works.
 */
export async function createInvitation(db: Db, draft: InvitationDraft) {
  const member = await db
    .select({ id: memberships.id })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(and(eq(memberships.businessId, draft.businessId), eq(users.email, draft.email)))
    .get();
  if (member) throw new ApiError("conflict", "This person is already a member of the business.", { param: "email" });

  const token = `inv_${randomToken()}`;
  const now = Date.now();
  const row: InvitationRow = {
    id: newId(),
    businessId: draft.businessId,
    email: draft.email,
    role: draft.role,
    tokenHash: await sha256Hex(token),
    invitedBy: draft.invitedBy,
    expiresAt: new Date(now + INVITATION_TTL_SECONDS * 1000).toISOString(),
    acceptedAt: null,
    createdAt: new Date(now).toISOString(),
  };
  await db.batch([
    db
      .delete(invitations)
      .where(and(eq(invitations.businessId, draft.businessId), eq(invitations.email, draft.email), isNull(invitations.acceptedAt))),
    db.insert(invitations).values(row),
  ]);
  return { row, token };
}

export const invalidInvitation = () =>
  new ApiError("invalid_token", "This invitation is invalid, expired or already used; ask for a new one.", { param: "token" });

/** The pending invitation a token stands for; anything else is refused the same way. */
export async function findPendingInvitation(db: Db, token: string): Promise<InvitationRow> {
  const invitation = await db
    .select()
    .from(invitations)
    .where(eq(invitations.tokenHash, await sha256Hex(token)))
    .get();
  if (!invitation || invitation.acceptedAt || invitation.expiresAt <= nowIso()) throw invalidInvitation();
  return invitation;
}

/** Statements that turn the invitation into a membership; they join the caller's batch. */
export function prepareAcceptance(db: Db, invitation: InvitationRow, userId: string) {
  const now = nowIso();
  return [
    db.insert(memberships).values({ id: newId(), businessId: invitation.businessId, userId, role: invitation.role, createdAt: now }),
    db.update(invitations).set({ acceptedAt: now }).where(eq(invitations.id, invitation.id)),
  ] as const;
}
