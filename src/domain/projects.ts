import type { Db } from "../db/client";
import { projects, type Environment } from "../db/schema";
import { newId, nowIso } from "../lib/ids";

export interface ProjectDraft {
  businessId: string;
  name: string;
  environment: Environment;
  rateLimitPerMinute?: number | null;
}

export function prepareProject(db: Db, draft: ProjectDraft) {
  const now = nowIso();
  const row = {
    id: newId(),
    businessId: draft.businessId,
    name: draft.name,
    environment: draft.environment,
    rateLimitPerMinute: draft.rateLimitPerMinute ?? null,
    maxConcurrentCalls: null,
    retryPolicy: null,
    callingWindow: null,
    webhookSecretSealed: null,
    createdAt: now,
    updatedAt: now,
  };
  return { row, statement: db.insert(projects).values(row) };
}
