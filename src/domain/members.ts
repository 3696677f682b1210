import { and, eq, isNull, sql } from "drizzle-orm";
import type { Db } from "../db/client";
import { memberships, sessions, users, type Role } from "../db/schema";
import { ApiError, notFound } from "../lib/errors";
import { nowIso } from "../lib/ids";

/** What the API shows of a member: their user and their place in this business. */
export const memberColumns = {
  id: memberships.id,
  createdAt: memberships.createdAt,
  userId: users.id,
  email: users.email,
  firstName: users.firstName,
  lastName: users.lastName,
  role: memberships.role,
};

export interface MemberRow {
  id: string;
  createdAt: string;
  userId: string;
  email: string;
  firstName: string | null;
  lastName: string | null;
  role: Role;
}

export const presentMember = (m: MemberRow) => ({
  id: m.userId,
  email: m.email,
  first_name: m.firstName,
  last_name: m.lastName,
  role: m.role,
  joined_at: m.createdAt,
});

export async function findMember(db: Db, businessId: string, userId: string): Promise<MemberRow> {
  const member = await db
    .select(memberColumns)
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(and(eq(memberships.businessId, businessId), eq(memberships.userId, userId)))
    .get();
  if (!member) throw notFound("member", "userId");
  return member;
}

const lastOwner = () =>
  new ApiError("conflict", "A business needs at least one owner: make someone else an owner first.", { param: "userId" });

/**
 * Evaluated inside the same statement as the change, so two owners demoting or removing each
 * other at once cannot leave the business with none.
 */
const keepsAnOwner = (businessId: string) =>
  sql`(${memberships.role} <> 'owner' OR (SELECT count(*) FROM ${memberships} WHERE ${memberships.businessId} = ${businessId} AND ${memberships.role} = 'owner') > 1)`;

export async function changeRole(db: Db, businessId: string, userId: string, role: Role): Promise<void> {
  const updated = await db
    .update(memberships)
    .set({ role })
    .where(and(eq(memberships.businessId, businessId), eq(memberships.userId, userId), role === "owner" ? undefined : keepsAnOwner(businessId)))
    .returning({ id: memberships.id });
  if (updated.length === 0) throw lastOwner();
}

/** Removes the membership and ends every session the user has in this business, in one transaction. */
export async function removeMember(db: Db, businessId: string, userId: string): Promise<void> {
  const [removed] = await db.batch([
    db
      .delete(memberships)
      .where(and(eq(memberships.businessId, businessId), eq(memberships.userId, userId), keepsAnOwner(businessId)))
      .returning({ id: memberships.id }),
    db
      .update(sessions)
      .set({ revokedAt: nowIso(), revokedReason: "membership_removed" })
      .where(
        and(
          eq(sessions.userId, userId),
          eq(sessions.businessId, businessId),
          isNull(sessions.revokedAt),
          sql`NOT EXISTS (SELECT 1 FROM ${memberships} WHERE ${memberships.businessId} = ${businessId} AND ${memberships.userId} = ${userId})`,
        ),
      ),
  ]);
  if (removed.length === 0) throw lastOwner();
}
