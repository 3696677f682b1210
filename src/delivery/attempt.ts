import { eq } from "drizzle-orm";
import type { Db } from "../db/client";
import { webhookAttempts, webhookDeliveries, webhookEndpoints, webhookEvents } from "../db/schema";
import { newId, nowIso } from "../lib/ids";
import { disableEndpoint, recordFailure, recordSuccess } from "./endpoint-health";
import { projectSigningSecrets } from "./project-secret";
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

interface PostResult {
  statusCode: number | null;
  error: string | null;
  retryAfter: number | null;
}

async function post(url: string, body: string, headers: Record<string, string>): Promise<PostResult> {
  try {
    const response = await fetch(url, { method: "POST", headers, body, redirect: "manual", signal: AbortSignal.timeout(TIMEOUT_MS) });
    await response.body?.cancel();
    return { statusCode: response.status, error: null, retryAfter: retryAfterSeconds(response) };
  } catch (cause) {
    const error = (cause as Error)?.name === "TimeoutError" ? `no answer within ${TIMEOUT_MS / 1000} seconds` : String((cause as Error)?.message ?? cause);
    return { statusCode: null, error, retryAfter: null };
  }
}

/** Sends one delivery once, logs the attempt, and says whether it still needs another try. */
export async function attemptDelivery(env: Env, db: Db, deliveryId: string): Promise<AttemptOutcome> {
  // One read for the delivery, its event and its endpoint: deliveries come in bursts, and each D1 round trip counts.
  const row = await db
    .select({ delivery: webhookDeliveries, event: webhookEvents, endpoint: webhookEndpoints })
    .from(webhookDeliveries)
    .leftJoin(webhookEvents, eq(webhookEvents.id, webhookDeliveries.eventId))
    .leftJoin(webhookEndpoints, eq(webhookEndpoints.id, webhookDeliveries.endpointId))
    .where(eq(webhookDeliveries.id, deliveryId))
    .get();
  if (row?.delivery.status !== "pending") return { kind: "done" };
  const { delivery, event, endpoint } = row;
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
  // A notification's own webhook_url has no endpoint of its own: the project's secret signs it.
  const secrets = endpoint ? await signingSecrets(env, endpoint, now) : await projectSigningSecrets(env, db, delivery.projectId, now);
  const headers = await signatureHeaders(event.body, event.id, secrets, Math.floor(started / 1000));
  const { statusCode, error, retryAfter } = await post(delivery.url, event.body, headers);
  const attempt = delivery.attempts + 1;
  const succeeded = statusCode !== null && statusCode >= 200 && statusCode < 300;
  const logAttempt = db.insert(webhookAttempts).values({ id: newId(), deliveryId, attempt, statusCode, error, durationMs: Date.now() - started, createdAt: nowIso() });
  const outcome = succeeded ? { status: "succeeded" as const, nextAttemptAt: null, lastError: null } : { lastError: error };
  await db.batch([
    logAttempt,
    db.update(webhookDeliveries).set({ attempts: attempt, lastStatusCode: statusCode, ...outcome, updatedAt: nowIso() }).where(eq(webhookDeliveries.id, deliveryId)),
  ]);

  if (succeeded) {
    if (endpoint) await recordSuccess(db, endpoint);
    return { kind: "done" };
  }
  if (statusCode === 410) {
    // 410 Gone is the receiver saying "stop": retrying would only keep knocking on a closed door.
    if (endpoint) await disableEndpoint(db, endpoint.id, "The endpoint answered 410 Gone.");
    await finish(db, deliveryId, "failed", { lastError: "the endpoint answered 410 Gone" });
    return { kind: "done" };
  }
  const failure = error ?? `the endpoint answered ${statusCode}`;
  if (endpoint && (await recordFailure(db, endpoint, now))) {
    await finish(db, deliveryId, "failed", { lastError: `${failure}; the endpoint was disabled after failing for days` });
    return { kind: "done" };
  }
  return { kind: "retry", retryAfterSeconds: retryAfter, failure };
}

export async function finish(db: Db, deliveryId: string, status: "succeeded" | "failed", extra: { lastError?: string | null } = {}) {
  await db.update(webhookDeliveries).set({ status, nextAttemptAt: null, ...extra, updatedAt: nowIso() }).where(eq(webhookDeliveries.id, deliveryId));
}
