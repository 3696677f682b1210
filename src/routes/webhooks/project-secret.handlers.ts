import type { RouteHandler } from "@hono/zod-openapi";
import { overlapLasts, PROJECT_SECRET_OVERLAP_SECONDS, type ProjectSecretState, projectSecret, rotateProjectSecret } from "../../delivery/project-secret";
import { findBusinessProject } from "../../domain/business-projects";
import type { AppEnv } from "../../lib/app-env";
import { sessionCaller } from "../../lib/caller";
import { notFound } from "../../lib/errors";
import { nowIso } from "../../lib/ids";
import type { getProjectWebhookSecret, rotateProjectWebhookSecret } from "./project-secret.routes";

const present = (projectId: string, state: ProjectSecretState) => ({
  project_id: projectId,
  signing_secret: state.secret,
  previous_secret_expires_at: overlapLasts(state, nowIso()) ? state.previousExpiresAt : null,
});

export const getProjectWebhookSecretHandler: RouteHandler<typeof getProjectWebhookSecret, AppEnv> = async (c) => {
  const caller = sessionCaller(c, "admin");
  const { projectId } = c.req.valid("param");
  const db = c.get("db");
  await findBusinessProject(db, caller.businessId, projectId);
  const state = await projectSecret(c.env, db, projectId);
  if (!state) throw notFound("project", "projectId");
  return c.json(present(projectId, state), 200);
};

export const rotateProjectWebhookSecretHandler: RouteHandler<typeof rotateProjectWebhookSecret, AppEnv> = async (c) => {
  const caller = sessionCaller(c, "admin");
  const { projectId } = c.req.valid("param");
  const db = c.get("db");
  await findBusinessProject(db, caller.businessId, projectId);
  const overlap = c.req.valid("json")?.expires_in_seconds ?? PROJECT_SECRET_OVERLAP_SECONDS;
  return c.json(present(projectId, await rotateProjectSecret(c.env, db, projectId, overlap)), 200);
};
