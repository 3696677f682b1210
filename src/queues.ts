import { handleDeliveryBatch, handleDeliveryDeadLetters } from "./delivery/consumer";
import { handlePostCallBatch, handlePostCallDeadLetters } from "./post-call/consumer";

/** The queues' messages: ids only (bodies stay small; the records are in D1). */
export interface PostCallMessage {
  callId: string;
}

export interface WebhookMessage {
  deliveryId: string;
}

/** Routes each batch to its consumer by the queue it came from. */
export async function handleQueue(batch: MessageBatch<unknown>, env: Env): Promise<void> {
  switch (batch.queue) {
    case "parley-post-call":
      return handlePostCallBatch(batch as MessageBatch<PostCallMessage>, env);
    case "parley-post-call-dlq":
      return handlePostCallDeadLetters(batch as MessageBatch<PostCallMessage>, env);
    case "parley-webhooks":
      return handleDeliveryBatch(batch as MessageBatch<WebhookMessage>, env);
    case "parley-webhooks-dlq":
      return handleDeliveryDeadLetters(batch as MessageBatch<WebhookMessage>, env);
    default:
      console.error(JSON.stringify({ level: "error", message: "batch from an unknown queue", queue: batch.queue }));
      batch.retryAll();
  }
}
