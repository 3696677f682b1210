import type { RouteHandler } from "@hono/zod-openapi";
import { eq } from "drizzle-orm";
import type { Db } from "../../db/client";
import { businesses } from "../../db/schema";
import type { AppEnv } from "../../lib/app-env";
import { sessionCaller } from "../../lib/caller";
import { ApiError } from "../../lib/errors";
import { nowIso } from "../../lib/ids";
import type { getBusiness, updateBusiness } from "./business.routes";

type BusinessRow = typeof businesses.$inferSelect;

const present = (b: BusinessRow) => ({
  id: b.id,
  name: b.name,
  summary: b.summary,
  industry: b.industry,
  created_at: b.createdAt,
  updated_at: b.updatedAt,
});

async function load(db: Db, id: string): Promise<BusinessRow> {
  const business = await db.select().from(businesses).where(eq(businesses.id, id)).get();
  // A session outlives its business only if the business was deleted under it.
  if (!business) throw new ApiError("invalid_token", "The business of this session no longer exists; sign in again.");
  return business;
}

export const getBusinessHandler: RouteHandler<typeof getBusiness, AppEnv> = async (c) => {
  const caller = sessionCaller(c);
  return c.json(present(await load(c.get("db"), caller.businessId)), 200);
};

export const updateBusinessHandler: RouteHandler<typeof updateBusiness, AppEnv> = async (c) => {
  const caller = sessionCaller(c, "admin");
  const body = c.req.valid("json");
  const db = c.get("db");
  const changes = {
    ...(body.name !== undefined && { name: body.name }),
    ...(body.summary !== undefined && { summary: body.summary }),
    ...(body.industry !== undefined && { industry: body.industry }),
  };
  if (Object.keys(changes).length === 0) return c.json(present(await load(db, caller.businessId)), 200);
  const [updated] = await db
    .update(businesses)
    .set({ ...changes, updatedAt: nowIso() })
    .where(eq(businesses.id, caller.businessId))
    .returning();
  return c.json(present(updated ?? (await load(db, caller.businessId))), 200);
};
