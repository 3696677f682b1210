import { and, eq, isNull } from "drizzle-orm";
import type { Db } from "../db/client";
import { projects } from "../db/schema";
import { newSigningSecret, sealSecret, unsealSecret } from "./secrets";

/** How long a rotated-out project secret keeps signing alongside the new one, unless the caller says otherwise. */
export const PROJECT_SECRET_OVERLAP_SECONDS = 86_400;

/**
 * The project's secret for notifications' own webhook_url. The one column holds the current
 * secret and, during a rotation overlap, the previous one with its end, all sealed together:
 * a receiver switching secrets keeps verifying, and nothing about either is readable in the table.
 */
export interface ProjectSecretState {
  secret: string;
  previous: string | null;
  previousExpiresAt: string | null;
}

// Its own key context, so a project's ciphertext can never stand in for an endpoint's (or the reverse).
const context = (projectId: string) => `project-webhooks:${projectId}`;

const seal = (env: Env, projectId: string, state: ProjectSecretState) => sealSecret(env.JWT_SECRET, context(projectId), JSON.stringify(state));

async function unseal(env: Env, projectId: string, sealed: string): Promise<ProjectSecretState> {
  return JSON.parse(await unsealSecret(env.JWT_SECRET, context(projectId), sealed)) as ProjectSecretState;
}

const readSealed = (db: Db, projectId: string) =>
  db.select({ sealed: projects.webhookSecretSealed }).from(projects).where(eq(projects.id, projectId)).get();

/** The project's secret state, made on first use. Null only when the project does not exist. */
export async function projectSecret(env: Env, db: Db, projectId: string): Promise<ProjectSecretState | null> {
  const row = await readSealed(db, projectId);
  if (!row) return null;
  if (row.sealed) return unseal(env, projectId, row.sealed);
  const fresh: ProjectSecretState = { secret: newSigningSecret(), previous: null, previousExpiresAt: null };
  // Only the first of two racing first uses may write; the other reads what won.
  const written = await db
    .update(projects)
    .set({ webhookSecretSealed: await seal(env, projectId, fresh) })
    .where(and(eq(projects.id, projectId), isNull(projects.webhookSecretSealed)))
    .returning({ id: projects.id });
  if (written.length) return fresh;
  const winner = await readSealed(db, projectId);
  return winner?.sealed ? unseal(env, projectId, winner.sealed) : null;
}

/** A new secret; the old one keeps signing for `overlapSeconds` (0 retires it at once). */
export async function rotateProjectSecret(env: Env, db: Db, projectId: string, overlapSeconds: number): Promise<ProjectSecretState> {
  const current = await projectSecret(env, db, projectId);
  const next: ProjectSecretState = {
    secret: newSigningSecret(),
    previous: current && overlapSeconds > 0 ? current.secret : null,
    previousExpiresAt: current && overlapSeconds > 0 ? new Date(Date.now() + overlapSeconds * 1000).toISOString() : null,
  };
  await db
    .update(projects)
    .set({ webhookSecretSealed: await seal(env, projectId, next) })
    .where(eq(projects.id, projectId));
  return next;
}

/** Whether the previous secret still signs at `now`. */
export const overlapLasts = (state: ProjectSecretState, now: string) => Boolean(state.previous && state.previousExpiresAt && state.previousExpiresAt > now);

/** What signs a delivery to a notification's webhook_url: the current secret, then the previous during its overlap. */
export async function projectSigningSecrets(env: Env, db: Db, projectId: string, now: string): Promise<string[]> {
  const state = await projectSecret(env, db, projectId);
  if (!state) return [];
  return overlapLasts(state, now) && state.previous ? [state.secret, state.previous] : [state.secret];
}
