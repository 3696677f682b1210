import type { PostCallMessage } from "../queues";

// Skeleton: post-call processing (extraction, summary, events) is being written.
export async function handlePostCallBatch(batch: MessageBatch<PostCallMessage>, _env: Env): Promise<void> {
  batch.retryAll();
}

export async function handlePostCallDeadLetters(batch: MessageBatch<PostCallMessage>, _env: Env): Promise<void> {
  batch.ackAll();
}
