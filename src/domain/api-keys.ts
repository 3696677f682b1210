import { generateApiKey } from "../auth/credentials";
import type { Db } from "../db/client";
import { apiKeys } from "../db/schema";
import { newId, nowIso } from "../lib/ids";

export interface ApiKeyDraft {
  projectId: string;
  businessId: string;
  name: string;
  createdBy: string | null;
  expiresAt?: string | null;
}

/** Makes a key's row and its secret; the secret exists only in the response that shows it. */
export async function prepareApiKey(db: Db, draft: ApiKeyDraft) {
  const key = await generateApiKey();
  const row = {
    id: newId(),
    projectId: draft.projectId,
    businessId: draft.businessId,
    name: draft.name,
    keyHash: key.hash,
    prefix: key.prefix,
    lastFour: key.lastFour,
    expiresAt: draft.expiresAt ?? null,
    revokedAt: null,
    createdBy: draft.createdBy,
    createdAt: nowIso(),
  };
  return { row, secret: key.secret, statement: db.insert(apiKeys).values(row) };
}
