import { and, eq } from "drizzle-orm";
import type { Db } from "../../db/client";
import { type DO_NOT_CALL_SOURCES, doNotCallEntries } from "../../db/schema";
import { ApiError } from "../../lib/errors";
import { newId, nowIso } from "../../lib/ids";
import { toE164 } from "../phone-numbers";

export type DoNotCallSource = (typeof DO_NOT_CALL_SOURCES)[number];
export type DoNotCallEntry = typeof doNotCallEntries.$inferSelect;

export interface DoNotCallMatch {
  reason: string | null;
  source: DoNotCallSource;
  createdAt: string;
}

/** D1 runs at most this many statements in one batch here. */
export const DO_NOT_CALL_BATCH = 100;

/** The listing for this project and number (E.164, as stored), or null when it may be called. */
export async function isOnDoNotCallList(db: Db, projectId: string, phoneE164: string): Promise<DoNotCallMatch | null> {
  const entry = await db
    .select({ reason: doNotCallEntries.reason, source: doNotCallEntries.source, createdAt: doNotCallEntries.createdAt })
    .from(doNotCallEntries)
    .where(and(eq(doNotCallEntries.projectId, projectId), eq(doNotCallEntries.phone, phoneE164)))
    .get();
  return entry ?? null;
}

/** A sentence for `failure_reason` / `wait_reason` when a listed number is not called. */
export function doNotCallReason(phoneE164: string, match: DoNotCallMatch): string {
  const why = match.reason ? ` (reason: ${match.reason})` : "";
  return `${phoneE164} is on the project's do-not-call list since ${match.createdAt}${why}, so nobody is called. Remove it from the list (DELETE /api/v1/do-not-call/{phone}) to call it again.`;
}

function entryRow(projectId: string, phone: string, details: { reason?: string | null; source: DoNotCallSource; callId?: string | null }, now: string): DoNotCallEntry {
  return { id: newId(), projectId, phone, reason: details.reason ?? null, source: details.source, callId: details.callId ?? null, createdAt: now };
}

/**
 * Lists a number for the project. Idempotent: a number already listed keeps its entry (reason,
 * source and date unchanged) and `created` is false. The number is normalised to E.164; one that
 * is not a callable number throws a 400 naming `phone`. For the agent's "don't call me again"
 * tool pass `{ source: "call", callId }`.
 */
export async function addToDoNotCallList(
  db: Db,
  projectId: string,
  phone: string,
  details: { reason?: string | null; source: DoNotCallSource; callId?: string | null },
): Promise<{ entry: DoNotCallEntry; created: boolean }> {
  const e164 = toE164(phone);
  if (!e164) throw new ApiError("validation_failed", `Invalid 'phone': "${phone}" is not a valid phone number. Use E.164 format, such as +14155552671.`, { param: "phone" });
  const [inserted] = await db
    .insert(doNotCallEntries)
    .values(entryRow(projectId, e164, details, nowIso()))
    .onConflictDoNothing({ target: [doNotCallEntries.projectId, doNotCallEntries.phone] })
    .returning();
  if (inserted) return { entry: inserted, created: true };
  const existing = await db
    .select()
    .from(doNotCallEntries)
    .where(and(eq(doNotCallEntries.projectId, projectId), eq(doNotCallEntries.phone, e164)))
    .get();
  if (!existing) throw new ApiError("conflict", "The number was removed from the list while it was being added; send the request again.", { param: "phone" });
  return { entry: existing, created: false };
}

export interface ImportResult {
  added: number;
  already_listed: number;
  invalid: { index: number; phone: string; message: string }[];
}

/**
 * Lists many numbers at once, in D1 batches of at most 100 single-row inserts. Invalid entries
 * are reported by index and the valid ones kept; a number listed before, or twice in the same
 * import, counts as already listed. Batches commit one by one, so a failure midway keeps the
 * batches before it (sending the same import again is safe).
 */
export async function importToDoNotCallList(
  db: Db,
  projectId: string,
  phones: readonly string[],
  details: { reason?: string | null; source: DoNotCallSource },
): Promise<ImportResult> {
  const result: ImportResult = { added: 0, already_listed: 0, invalid: [] };
  const unique = new Set<string>();
  phones.forEach((phone, index) => {
    const e164 = toE164(phone);
    if (!e164) result.invalid.push({ index, phone, message: `"${phone}" is not a valid phone number. Use E.164 format, such as +14155552671.` });
    else if (unique.has(e164)) result.already_listed++;
    else unique.add(e164);
  });
  const now = nowIso();
  const numbers = [...unique];
  for (let from = 0; from < numbers.length; from += DO_NOT_CALL_BATCH) {
    const statements = numbers.slice(from, from + DO_NOT_CALL_BATCH).map((phone) =>
      db
        .insert(doNotCallEntries)
        .values(entryRow(projectId, phone, details, now))
        .onConflictDoNothing({ target: [doNotCallEntries.projectId, doNotCallEntries.phone] })
        .returning({ id: doNotCallEntries.id }),
    );
    const inserted = await db.batch(statements as [(typeof statements)[number], ...typeof statements]);
    const added = inserted.filter((rows) => rows.length > 0).length;
    result.added += added;
    result.already_listed += statements.length - added;
  }
  return result;
}

/** Unlists a number; false when it was not listed. */
export async function removeFromDoNotCallList(db: Db, projectId: string, phoneE164: string): Promise<boolean> {
  const deleted = await db
    .delete(doNotCallEntries)
    .where(and(eq(doNotCallEntries.projectId, projectId), eq(doNotCallEntries.phone, phoneE164)))
    .returning({ id: doNotCallEntries.id });
  return deleted.length > 0;
}
