import type { RouteHandler } from "@hono/zod-openapi";
import { and, eq, gt, isNull } from "drizzle-orm";
import { prepareSession } from "../../auth/sessions";
import { businesses, invitations, memberships, users } from "../../db/schema";
import { createInvitation as inviteSomeone, findPendingInvitation, invalidInvitation, prepareAcceptance, presentInvitation } from "../../domain/invitations";
import type { AppEnv } from "../../lib/app-env";
import { sessionCaller } from "../../lib/caller";
import { isUniqueViolation } from "../../lib/d1-errors";
import { ApiError, notFound } from "../../lib/errors";
import { newId, nowIso } from "../../lib/ids";
import { hashPassword, verifyPassword } from "../../lib/password";
import { pageClauses, toPage } from "../../lib/pagination";
import { normalizeEmail } from "../../lib/schemas";
import type { acceptInvitation, createInvitation, deleteInvitation, listInvitations } from "./invitations.routes";

export const createInvitationHandler: RouteHandler<typeof createInvitation, AppEnv> = async (c) => {
  const caller = sessionCaller(c, "admin");
  const body = c.req.valid("json");
  const { row, token } = await inviteSomeone(c.get("db"), {
    businessId: caller.businessId,
    email: normalizeEmail(body.email),
    role: body.role,
    invitedBy: caller.userId,
  });
  return c.json({ ...presentInvitation(row), token }, 201);
};

export const listInvitationsHandler: RouteHandler<typeof listInvitations, AppEnv> = async (c) => {
  const caller = sessionCaller(c, "admin");
  const query = c.req.valid("query");
  const page = pageClauses({ createdAt: invitations.createdAt, id: invitations.id }, query);
  const rows = await c
    .get("db")
    .select()
    .from(invitations)
    .where(and(eq(invitations.businessId, caller.businessId), isNull(invitations.acceptedAt), gt(invitations.expiresAt, nowIso()), page.after))
    .orderBy(...page.orderBy)
    .limit(page.limit)
    .offset(page.offset);
  return c.json(toPage(rows, query, presentInvitation), 200);
};

export const deleteInvitationHandler: RouteHandler<typeof deleteInvitation, AppEnv> = async (c) => {
  const caller = sessionCaller(c, "admin");
  const { invitationId } = c.req.valid("param");
  const deleted = await c
    .get("db")
    .delete(invitations)
    .where(and(eq(invitations.id, invitationId), eq(invitations.businessId, caller.businessId), isNull(invitations.acceptedAt)))
    .returning({ id: invitations.id });
  if (deleted.length === 0) throw notFound("pending invitation", "invitationId");
  return c.body(null, 204);
};

export const acceptInvitationHandler: RouteHandler<typeof acceptInvitation, AppEnv> = async (c) => {
  const body = c.req.valid("json");
  const db = c.get("db");
  const invitation = await findPendingInvitation(db, body.token);
  const business = await db.select({ id: businesses.id, name: businesses.name }).from(businesses).where(eq(businesses.id, invitation.businessId)).get();
  if (!business) throw invalidInvitation();

  const email = normalizeEmail(invitation.email);
  let user = await db.select().from(users).where(eq(users.email, email)).get();
  const newUser = !user;
  if (user) {
    if (!(await verifyPassword(body.password, user.passwordHash))) {
      throw new ApiError("invalid_credentials", "An account with this email exists; enter its current password to accept.", { param: "password" });
    }
    const already = await db
      .select({ id: memberships.id })
      .from(memberships)
      .where(and(eq(memberships.userId, user.id), eq(memberships.businessId, business.id)))
      .get();
    if (already) throw new ApiError("conflict", "You are already a member of this business; sign in instead.");
  } else {
    user = { id: newId(), email, passwordHash: await hashPassword(body.password), firstName: body.first_name ?? null, lastName: body.last_name ?? null, createdAt: nowIso() };
  }

  const session = await prepareSession(c.env, db, user.id, business.id);
  try {
    // One transaction: the account, the membership, the used invitation and the session, or none of them.
    const joining = [...prepareAcceptance(db, invitation, user.id), ...session.statements] as const;
    await db.batch(newUser ? [db.insert(users).values(user), ...joining] : joining);
  } catch (error) {
    // Two accepts racing: the loser trips a unique index and finds the invitation spent.
    if (isUniqueViolation(error)) throw invalidInvitation();
    throw error;
  }

  return c.json(
    { ...session.tokens, user: { id: user.id, email: user.email, first_name: user.firstName, last_name: user.lastName }, business, role: invitation.role },
    200,
  );
};
