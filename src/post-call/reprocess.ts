import { eq } from "drizzle-orm";
import { createDb } from "../db/client";
import { calls } from "../db/schema";
import { nowIso } from "../lib/ids";
import { processCall } from "./process-call";

/**
 * Works a finished call's results out again from its stored transcript: the old summary,
 * analysis and report are dropped first. Events already sent are not sent again.
 */
export async function reprocessCall(env: Env, callId: string): Promise<void> {
  await createDb(env.DB)
    .update(calls)
    .set({ processedAt: null, summary: null, analysis: null, analysisError: null, report: null, updatedAt: nowIso() })
    .where(eq(calls.id, callId));
  await processCall(env, callId);
}
