import { and, eq } from "drizzle-orm";
import type { Db } from "../db/client";
import { projects } from "../db/schema";
import { notFound } from "../lib/errors";

export type ProjectRow = typeof projects.$inferSelect;

/**
 * A project of the caller's business. Another business's project answers exactly like one
 * that does not exist, so ids cannot be probed across tenants.
 */
export async function findBusinessProject(db: Db, businessId: string, projectId: string): Promise<ProjectRow> {
  const project = await db
    .select()
    .from(projects)
    .where(and(eq(projects.id, projectId), eq(projects.businessId, businessId)))
    .get();
  if (!project) throw notFound("project", "projectId");
  return project;
}
