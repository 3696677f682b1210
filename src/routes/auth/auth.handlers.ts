import type { RouteHandler } from "@hono/zod-openapi";
import { and, asc, eq } from "drizzle-orm";
import { prepareSession, revokeSession, rotateRefreshToken, sessionOfRefreshToken, startSession } from "../../auth/sessions";
import { defaultEnvironment } from "../../config/telephony";
import { businesses, memberships, users } from "../../db/schema";
import { prepareApiKey } from "../../domain/api-keys";
import { prepareProject } from "../../domain/projects";
import type { AppEnv } from "../../lib/app-env";
import { isUniqueViolation } from "../../lib/d1-errors";
import { ApiError } from "../../lib/errors";
import { newId, nowIso } from "../../lib/ids";
import { hashPassword, needsRehash, verifyPassword } from "../../lib/password";
import { normalizeEmail } from "../../lib/schemas";
import type { login, logout, refresh, signup } from "./auth.routes";

const emailTaken = () => new ApiError("email_taken", "An account with this email already exists; sign in instead.", { param: "email" });

export const signupHandler: RouteHandler<typeof signup, AppEnv> = async (c) => {
  const body = c.req.valid("json");
  const db = c.get("db");
  const email = normalizeEmail(body.email);
  if (await db.select({ id: users.id }).from(users).where(eq(users.email, email)).get()) throw emailTaken();

  const now = nowIso();
  const user = { id: newId(), email, passwordHash: await hashPassword(body.password), firstName: body.first_name ?? null, lastName: body.last_name ?? null, createdAt: now };
  const business = { id: newId(), name: body.business_name, summary: body.business_summary ?? null, industry: body.industry ?? null, createdAt: now, updatedAt: now };
  const project = prepareProject(db, { businessId: business.id, name: "default", environment: defaultEnvironment(c.env) });
  const key = await prepareApiKey(db, { projectId: project.row.id, businessId: business.id, name: "default", createdBy: user.id });
  const session = await prepareSession(c.env, db, user.id, business.id);

  try {
    // One batch is one transaction: the account exists whole or not at all.
    await db.batch([
      db.insert(businesses).values(business),
      db.insert(users).values(user),
      db.insert(memberships).values({ id: newId(), businessId: business.id, userId: user.id, role: "owner", createdAt: now }),
      project.statement,
      key.statement,
      ...session.statements,
    ]);
  } catch (error) {
    if (isUniqueViolation(error, "users.email")) throw emailTaken();
    throw error;
  }

  return c.json(
    {
      ...session.tokens,
      user: { id: user.id, email, first_name: user.firstName, last_name: user.lastName },
      business: { id: business.id, name: business.name },
      role: "owner" as const,
      default_project: { id: project.row.id, name: "default" as const, environment: project.row.environment, api_key: key.secret },
    },
    201,
  );
};

const badCredentials = () => new ApiError("invalid_credentials", "The email or password is wrong.");
// Verifying against a real hash when the email is unknown keeps both answers equally slow.
let decoyHash: Promise<string> | undefined;
const decoy = () => {
  decoyHash ??= hashPassword("decoy-password");
  return decoyHash;
};

export const loginHandler: RouteHandler<typeof login, AppEnv> = async (c) => {
  const body = c.req.valid("json");
  const db = c.get("db");
  const user = await db.select().from(users).where(eq(users.email, normalizeEmail(body.email))).get();
  if (!user) {
    await verifyPassword(body.password, await decoy());
    throw badCredentials();
  }
  if (!(await verifyPassword(body.password, user.passwordHash))) throw badCredentials();
  if (needsRehash(user.passwordHash)) {
    await db.update(users).set({ passwordHash: await hashPassword(body.password) }).where(eq(users.id, user.id));
  }

  const membership = await db
    .select({ role: memberships.role, business: { id: businesses.id, name: businesses.name } })
    .from(memberships)
    .innerJoin(businesses, eq(businesses.id, memberships.businessId))
    .where(body.business_id ? and(eq(memberships.userId, user.id), eq(memberships.businessId, body.business_id)) : eq(memberships.userId, user.id))
    .orderBy(asc(memberships.createdAt))
    .get();
  if (!membership) {
    throw body.business_id
      ? new ApiError("forbidden", "You are not a member of that business.", { param: "business_id" })
      : new ApiError("forbidden", "This account is no longer a member of any business.");
  }

  const tokens = await startSession(c.env, db, user.id, membership.business.id);
  return c.json(
    { ...tokens, user: { id: user.id, email: user.email, first_name: user.firstName, last_name: user.lastName }, business: membership.business, role: membership.role },
    200,
  );
};

export const refreshHandler: RouteHandler<typeof refresh, AppEnv> = async (c) => {
  const { refresh_token } = c.req.valid("json");
  return c.json(await rotateRefreshToken(c.env, c.get("db"), refresh_token), 200);
};

export const logoutHandler: RouteHandler<typeof logout, AppEnv> = async (c) => {
  const { refresh_token } = c.req.valid("json");
  const db = c.get("db");
  const sessionId = await sessionOfRefreshToken(db, refresh_token);
  if (sessionId) await revokeSession(db, sessionId, "logout");
  return c.body(null, 204);
};
