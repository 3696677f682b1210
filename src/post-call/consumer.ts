import { eq } from "drizzle-orm";
import { createDb } from "../db/client";
import { calls } from "../db/schema";
import { nowIso } from "../lib/ids";
import type { PostCallMessage } from "../queues";
import { processCall } from "./process-call";

/**
 * Each call on its own, all of the batch at once (each mostly waits on the model): one failing
 * does not hold back the others, and a batch takes as long as its slowest call, not their sum.
 */
export async function handlePostCallBatch(batch: MessageBatch<PostCallMessage>, env: Env): Promise<void> {
  await Promise.all(
    batch.messages.map(async (message) => {
      try {
        await processCall(env, message.body.callId);
        message.ack();
      } catch (error) {
        console.error(JSON.stringify({ level: "error", message: "post-call processing failed", call_id: message.body.callId, error: String(error) }));
        message.retry({ delaySeconds: Math.min(300, 5 * 2 ** message.attempts) });
      }
    }),
  );
}

/** Post-call work that kept failing: the call says so, so nobody waits for results that will not come. */
export async function handlePostCallDeadLetters(batch: MessageBatch<PostCallMessage>, env: Env): Promise<void> {
  const db = createDb(env.DB);
  for (const message of batch.messages) {
    await db
      .update(calls)
      .set({ analysisError: "Post-call processing failed repeatedly; reprocess the call to try again.", processedAt: nowIso(), updatedAt: nowIso() })
      .where(eq(calls.id, message.body.callId));
    message.ack();
  }
}
