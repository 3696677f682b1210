import { and, eq } from "drizzle-orm";
import { createDb, type Db } from "../db/client";
import { webhookDeliveries } from "../db/schema";
import { nowIso } from "../lib/ids";
import type { WebhookMessage } from "../queues";
import { attemptDelivery, finish } from "./attempt";

/** Seconds to wait before each retry: quick at first for blips, then spread over about a day. */
export const RETRY_SCHEDULE = [5, 300, 1800, 7200, 18000, 36000, 36000] as const;
const MAX_DELAY_SECONDS = 43_200;

export function retryDelay(previousAttempts: number, retryAfter: number | null): number | null {
  const scheduled = RETRY_SCHEDULE[previousAttempts - 1];
  if (scheduled === undefined) return null;
  return Math.min(MAX_DELAY_SECONDS, Math.max(scheduled, retryAfter ?? 0));
}

/** Deliveries in a batch go out side by side: one slow receiver must not hold back the others. */
export async function handleDeliveryBatch(batch: MessageBatch<WebhookMessage>, env: Env): Promise<void> {
  const db = createDb(env.DB);
  await Promise.all(batch.messages.map((message) => deliver(env, db, message)));
}

async function deliver(env: Env, db: Db, message: Message<WebhookMessage>): Promise<void> {
  const { deliveryId } = message.body;
  try {
    const outcome = await attemptDelivery(env, db, deliveryId);
    if (outcome.kind === "done") {
      message.ack();
      return;
    }
    // message.attempts counts this delivery's tries in the queue, starting at 1.
    const delay = retryDelay(message.attempts, outcome.retryAfterSeconds);
    if (delay === null) {
      await finish(db, deliveryId, "failed", { lastError: `retries exhausted; last: ${outcome.failure}` });
      message.ack();
      return;
    }
    await db
      .update(webhookDeliveries)
      .set({ nextAttemptAt: new Date(Date.now() + delay * 1000).toISOString(), updatedAt: nowIso() })
      .where(eq(webhookDeliveries.id, deliveryId));
    message.retry({ delaySeconds: delay });
  } catch (error) {
    console.error(JSON.stringify({ level: "error", message: "webhook delivery crashed", deliveryId, error: String(error) }));
    message.retry({ delaySeconds: RETRY_SCHEDULE[0] });
  }
}

/** What the queue gave up on is marked, so the deliveries list never shows it as still pending. */
export async function handleDeliveryDeadLetters(batch: MessageBatch<WebhookMessage>, env: Env): Promise<void> {
  const db = createDb(env.DB);
  for (const message of batch.messages) {
    await db
      .update(webhookDeliveries)
      .set({ status: "failed", nextAttemptAt: null, lastError: "retries exhausted", updatedAt: nowIso() })
      .where(and(eq(webhookDeliveries.id, message.body.deliveryId), eq(webhookDeliveries.status, "pending")));
    message.ack();
  }
}
