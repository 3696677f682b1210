import type { Context } from "hono";
import type { Role } from "../db/schema";
import type { AppEnv, Caller } from "./app-env";
import { ApiError } from "./errors";

type ApiKeyCaller = Extract<Caller, { kind: "api_key" }>;
type SessionCaller = Extract<Caller, { kind: "session" }>;

/** Project-scoped data (customers, notifications, calls) is reached with that project's API key. */
export function projectCaller(c: Context<AppEnv>): ApiKeyCaller {
  const caller = c.get("caller");
  if (caller.kind !== "api_key") {
    throw new ApiError("forbidden", "This endpoint is called with a project's API key (x-api-key), not a session token.");
  }
  return caller;
}

const RANK: Record<Role, number> = { member: 0, admin: 1, owner: 2 };

/** Account management is done by signed-in members; some of it only by admins and owners. */
export function sessionCaller(c: Context<AppEnv>, atLeast: Role = "member"): SessionCaller {
  const caller = c.get("caller");
  if (caller.kind !== "session") {
    throw new ApiError("forbidden", "This endpoint is for signed-in members: send the access token from /auth/login as Authorization: Bearer.");
  }
  if (RANK[caller.role] < RANK[atLeast]) {
    throw new ApiError("forbidden", `Only a business ${atLeast === "owner" ? "owner" : "owner or admin"} can do this.`);
  }
  return caller;
}

export const roleAtLeast = (role: Role, atLeast: Role) => RANK[role] >= RANK[atLeast];
