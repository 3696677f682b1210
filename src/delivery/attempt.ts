import { and, eq, isNull } from "drizzle-orm";
import type { Db } from "../db/client";
import { webhookAttempts, webhookDeliveries, webhookEndpoints, webhookEvents } from "../db/schema";
import { newId, nowIso } from "../lib/ids";
import { unsealSecret } from "./secrets";
import { signatureHeaders } from "./signing";
import { allowsLocalhost, webhookUrlProblem } from "./url-policy";

const TIMEOUT_MS = 10_000;

export type AttemptOutcome = { kind: "done" } | { kind: "retry"; retryAfterSeconds: number | null; failure: string };

/** The current secret, then the previous one while its rotation overlap lasts. */
async function signingSecrets(env: Env, endpoint: typeof webhookEndpoints.$inferSelect, now: string): Promise<string[]> {
  const secrets = [await unsealSecret(env.JWT_SECRET, endpoint.id, endpoint.secretSealed)];
  if (endpoint.previousSecretSealed && endpoint.previousSecretExpiresAt && endpoint.previousSecretExpiresAt > now) {
    secrets.push(await unsealSecret(env.JWT_SECRET, endpoint.id, endpoint.previousSecretSealed));
  }
  return secrets;
}

function retryAfterSeconds(response: Response): number | null {
  const value = response.headers.get("retry-after");
  return value && /^\d+$/.test(value.trim()) ? Number(value.trim()) : null;
}

/** Sends one delivery once, logs the attempt, and says whether it still needs another try. */
export async function attemptDelivery(env: Env, db: Db, deliveryId: string): Promise<AttemptOutcome> {
  const delivery = await db.select().from(webhookDeliveries).where(eq(webhookDeliveries.id, deliveryId)).get();
  if (delivery?.status !== "pending") return { kind: "done" };
  const event = await db.select().from(webhookEvents).where(eq(webhookEvents.id, delivery.eventId)).get();
  const endpoint = delivery.endpointId ? await db.select().from(webhookEndpoints).where(eq(webhookEndpoints.id, delivery.endpointId)).get() : null;
  const refusal = !event
    ? "the event no longer exists"
    : endpoint && !endpoint.enabled
      ? "the endpoint is disabled"
      : webhookUrlProblem(delivery.url, allowsLocalhost(env));
  if (refusal || !event) {
    await finish(db, deliveryId, "failed", { lastError: refusal ?? "the event no longer exists" });
    return { kind: "done" };
  }

  const started = Date.now();
  const now = nowIso();
  // Per-notification webhook_url deliveries have no endpoint, hence no secret: they go unsigned.
  const secrets = endpoint ? await signingSecrets(env, endpoint, now) : [];
  const headers = await signatureHeaders(event.body, event.id, secrets, Math.floor(started / 1000));
  let statusCode: number | null = null;
  let error: string | null = null;
  let retryAfter: number | null = null;
  try {
    const response = await fetch(delivery.url, { method: "POST", headers, body: event.body, redirect: "manual", signal: AbortSignal.timeout(TIMEOUT_MS) });
    statusCode = response.status;
    retryAfter = retryAfterSeconds(response);
    await response.body?.cancel();
  } catch (cause) {
    error = (cause as Error)?.name === "TimeoutError" ? `no answer within ${TIMEOUT_MS / 1000} seconds` : String((cause as Error)?.message ?? cause);
  }
  const attempt = delivery.attempts + 1;
  await db.insert(webhookAttempts).values({ id: newId(), deliveryId, attempt, statusCode, error, durationMs: Date.now() - started, createdAt: nowIso() });
  await db.update(webhookDeliveries).set({ attempts: attempt, lastStatusCode: statusCode, lastError: error, updatedAt: nowIso() }).where(eq(webhookDeliveries.id, deliveryId));

  if (statusCode !== null && statusCode >= 200 && statusCode < 300) {
    await finish(db, deliveryId, "succeeded", { lastError: null });
    if (endpoint) await db.update(webhookEndpoints).set({ failingSince: null }).where(eq(webhookEndpoints.id, endpoint.id));
    return { kind: "done" };
  }
  if (endpoint) {
    await db.update(webhookEndpoints).set({ failingSince: now }).where(and(eq(webhookEndpoints.id, endpoint.id), isNull(webhookEndpoints.failingSince)));
  }
  if (statusCode === 410) {
    // 410 Gone is the receiver saying "stop": retrying would only keep knocking on a closed door.
    if (endpoint) {
      await db.update(webhookEndpoints).set({ enabled: false, disabledReason: "The endpoint answered 410 Gone.", updatedAt: nowIso() }).where(eq(webhookEndpoints.id, endpoint.id));
    }
    await finish(db, deliveryId, "failed", { lastError: "the endpoint answered 410 Gone" });
    return { kind: "done" };
  }
  return { kind: "retry", retryAfterSeconds: retryAfter, failure: error ?? `the endpoint answered ${statusCode}` };
}

export async function finish(db: Db, deliveryId: string, status: "succeeded" | "failed", extra: { lastError?: string | null } = {}) {
  await db.update(webhookDeliveries).set({ status, nextAttemptAt: null, ...extra, updatedAt: nowIso() }).where(eq(webhookDeliveries.id, deliveryId));
}
