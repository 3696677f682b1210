import type { RouteHandler } from "@hono/zod-openapi";
import { and, eq } from "drizzle-orm";
import { memberships, users } from "../../db/schema";
import { changeRole, findMember, memberColumns, presentMember, removeMember } from "../../domain/members";
import type { AppEnv } from "../../lib/app-env";
import { sessionCaller } from "../../lib/caller";
import { ApiError } from "../../lib/errors";
import { pageClauses, toPage } from "../../lib/pagination";
import type { listMembers, removeMember as removeMemberRoute, updateMember } from "./members.routes";

const ownersOnly = (what: string) => new ApiError("forbidden", `Only an owner can ${what}.`, { param: "userId" });

export const listMembersHandler: RouteHandler<typeof listMembers, AppEnv> = async (c) => {
  const caller = sessionCaller(c);
  const query = c.req.valid("query");
  const page = pageClauses({ createdAt: memberships.createdAt, id: memberships.id }, query);
  const rows = await c
    .get("db")
    .select(memberColumns)
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(and(eq(memberships.businessId, caller.businessId), page.after))
    .orderBy(...page.orderBy)
    .limit(page.limit)
    .offset(page.offset);
  return c.json(toPage(rows, query, presentMember), 200);
};

export const updateMemberHandler: RouteHandler<typeof updateMember, AppEnv> = async (c) => {
  const caller = sessionCaller(c, "admin");
  const { userId } = c.req.valid("param");
  const { role } = c.req.valid("json");
  const db = c.get("db");
  const member = await findMember(db, caller.businessId, userId);
  if ((member.role === "owner" || role === "owner") && caller.role !== "owner") {
    throw ownersOnly("make someone an owner or change an owner's role");
  }
  if (member.role !== role) await changeRole(db, caller.businessId, userId, role);
  return c.json(presentMember({ ...member, role }), 200);
};

export const removeMemberHandler: RouteHandler<typeof removeMemberRoute, AppEnv> = async (c) => {
  const caller = sessionCaller(c, "admin");
  const { userId } = c.req.valid("param");
  const db = c.get("db");
  const member = await findMember(db, caller.businessId, userId);
  if (member.role === "owner" && caller.role !== "owner") throw ownersOnly("remove an owner");
  await removeMember(db, caller.businessId, userId);
  return c.body(null, 204);
};
