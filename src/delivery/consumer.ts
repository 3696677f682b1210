import type { WebhookMessage } from "../queues";

// Skeleton: webhook delivery is being written.
export async function handleDeliveryBatch(batch: MessageBatch<WebhookMessage>, _env: Env): Promise<void> {
  batch.retryAll();
}

export async function handleDeliveryDeadLetters(batch: MessageBatch<WebhookMessage>, _env: Env): Promise<void> {
  batch.ackAll();
}
