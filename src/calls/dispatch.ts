import { and, asc, desc, eq, getTableColumns, inArray, type SQL, sql } from "drizzle-orm";
import type { Db } from "../db/client";
import { agents, businesses, calls, customerPhones, customers, notifications, projects } from "../db/schema";
import { type ScriptOverrides, variablesFor, voicemailFor } from "../domain/call-script";
import { EMULATOR_FROM_NUMBER } from "../emulators/credentials";
import { ApiError, notFound } from "../lib/errors";
import { newId, nowIso } from "../lib/ids";
import type { CallPlan } from "./call-plan";
import { placeCall } from "./engine";
import { carrierFor } from "./providers";
import { applyHold, type Hold, noSlotHold, policyHold } from "./dispatch-policy";
import { CLOSING_GRACE_SECONDS, RING_TIMEOUT_SECONDS } from "./session-state";
import { effectiveConcurrency } from "../domain/policy";
import { remoteSlotGate, wakeDispatcher } from "../dispatch/project-dispatcher";

export type NotificationRow = typeof notifications.$inferSelect;
export type CallRow = typeof calls.$inferSelect;

/** Only these may start a call; the guarded update below is what makes that true under races. */
const DISPATCHABLE = ["pending", "scheduled"] as const;

export const notDispatchable = (status: string) =>
  new ApiError("conflict", `This notification is ${status.replace("_", " ")}, so it cannot be called now. Only pending and scheduled notifications can.`);

/**
 * The number to ring: the one the notification was made for while it is still an active phone
 * of the customer, else their primary active phone, else their first active one.
 */
export async function phoneToCall(db: Db, customerId: string, preferred: string | null): Promise<string | null> {
  const phones = await db
    .select({ value: customerPhones.value, isPrimary: customerPhones.isPrimary })
    .from(customerPhones)
    .where(and(eq(customerPhones.customerId, customerId), eq(customerPhones.status, "active")))
    .orderBy(desc(customerPhones.isPrimary), asc(customerPhones.position));
  return phones.find((phone) => phone.value === preferred)?.value ?? phones[0]?.value ?? null;
}

export const noPhone = () =>
  new ApiError("unprocessable", "This customer has no active phone number to call. Add one, or mark one active, first.", { param: "customer_id" });

export async function projectEnvironment(db: Db, projectId: string) {
  const project = await db.select({ environment: projects.environment }).from(projects).where(eq(projects.id, projectId)).get();
  if (!project) throw notFound("project");
  return project.environment;
}

/** `INSERT … SELECT` of one literal row, kept only when `condition` holds inside the same transaction. */
function insertCallIf(db: Db, row: CallRow, condition: SQL) {
  const values = Object.entries(getTableColumns(calls)).map(([key, column]) => sql.param(row[key as keyof CallRow] ?? null, column));
  return db.insert(calls).select(sql`SELECT ${sql.join(values, sql`, `)} WHERE ${condition}`);
}

type CustomerRow = typeof customers.$inferSelect;

async function planFor(db: Db, notification: NotificationRow, call: CallRow, customer: CustomerRow | undefined): Promise<CallPlan> {
  const overrides = (notification.overrides ?? {}) as ScriptOverrides;
  const agent = notification.agentId
    ? await db
        .select({
          voiceSettings: agents.voiceSettings,
          language: agents.language,
          recordingEnabled: agents.recordingEnabled,
          voicemailMessage: agents.voicemailMessage,
          transferNumber: agents.transferNumber,
          dtmfRules: agents.dtmfRules,
        })
        .from(agents)
        .where(eq(agents.id, notification.agentId))
        .get()
    : undefined;
  const business = agent?.voicemailMessage
    ? await db.select({ name: businesses.name, summary: businesses.summary, industry: businesses.industry }).from(businesses).innerJoin(projects, eq(projects.businessId, businesses.id)).where(eq(projects.id, notification.projectId)).get()
    : undefined;
  const variables = business && customer ? variablesFor({ business, customer, request: notification.variables }) : {};
  const voice = overrides.voice ?? agent?.voiceSettings?.voice;
  const speed = overrides.speed ?? agent?.voiceSettings?.speed;
  return {
    callId: call.id,
    notificationId: notification.id,
    projectId: notification.projectId,
    carrier: call.carrier,
    to: call.toNumber,
    from: call.fromNumber,
    instructions: notification.instructions,
    greeting: notification.greeting,
    voice: typeof voice === "string" ? voice : null,
    speed: typeof speed === "number" ? speed : null,
    language: overrides.language ?? agent?.language ?? customer?.language ?? null,
    maxDurationSeconds: notification.maxDurationSeconds,
    recording: agent?.recordingEnabled ?? true,
    transferNumber: notification.transferNumber ?? agent?.transferNumber ?? null,
    voicemailMessage: voicemailFor(agent?.voicemailMessage, variables),
    dtmfRules: agent?.dtmfRules ?? null,
    attempt: call.attempt,
  };
}

async function markPlacementFailed(db: Db, notificationId: string, callId: string, error: unknown) {
  const detail = error instanceof Error ? error.message : String(error);
  const reason = `The call could not be placed: ${detail}`;
  const code = (error as { code?: unknown })?.code;
  const now = nowIso();
  await db.batch([
    db
      .update(calls)
      .set({ status: "failed", endReason: "placement_failed", errorMessage: detail, errorCode: code === undefined ? null : String(code), endedAt: now, updatedAt: now })
      .where(eq(calls.id, callId)),
    db
      .update(notifications)
      .set({ status: "failed", failureReason: reason, updatedAt: now })
      .where(and(eq(notifications.id, notificationId), eq(notifications.lastCallId, callId), eq(notifications.status, "in_progress"))),
  ]);
}

/** A project's call slots: taken just before a call is placed, freed when it ends (see CallSlots). */
export interface SlotGate {
  take(projectId: string, callId: string, limit: number, ttlMs: number): Promise<{ granted: boolean; active: number }>;
  free(projectId: string, callId: string): Promise<void>;
}

export type DispatchOutcome = "placed" | "blocked" | "waiting_for_window" | "waiting_for_slot";

export interface Dispatched {
  notification: NotificationRow;
  /** Null when the notification was held (blocked, outside its calling window, no free slot). */
  call: CallRow | null;
  outcome: DispatchOutcome;
}

/** Longer than any call can last (ringing, its time limit, the closing grace), so a lost release only delays. */
const slotTtlMs = (maxDurationSeconds: number) => (RING_TIMEOUT_SECONDS + maxDurationSeconds + 3 * CLOSING_GRACE_SECONDS) * 1000;

const OUTCOME_OF_HOLD = { blocked: "blocked", outside_window: "waiting_for_window", no_slot: "waiting_for_slot" } as const;

async function held(env: Env, db: Db, notification: NotificationRow, hold: Hold): Promise<Dispatched> {
  await applyHold(db, notification.id, hold);
  const after = (await db.select().from(notifications).where(eq(notifications.id, notification.id)).get()) ?? notification;
  // Woken when the window opens; a free slot wakes the dispatcher by itself.
  if (hold.kind === "outside_window" && after.status === "scheduled" && after.scheduledAt) await wakeDispatcher(env, after.projectId, after.scheduledAt);
  return { notification: after, call: null, outcome: OUTCOME_OF_HOLD[hold.kind] };
}

/**
 * Starts one attempt: checks the calling policy (do-not-call list, calling window, a free call
 * slot), then stores the call and moves the notification to `in_progress` in one transaction
 * that only succeeds while the notification is still pending or scheduled, so two dispatchers
 * racing for it place one call. A held notification is left scheduled (or blocked) with the
 * reason, and no call. A failure to place the call is recorded on both rows (the client reads
 * it there) rather than thrown.
 */
export async function dispatchNotification(env: Env, db: Db, notificationId: string, gate: SlotGate = remoteSlotGate(env)): Promise<Dispatched> {
  const found = await db.select().from(notifications).where(eq(notifications.id, notificationId)).get();
  if (!found) throw notFound("notification", "id");
  if (!(DISPATCHABLE as readonly string[]).includes(found.status)) throw notDispatchable(found.status);
  const project = await db.select().from(projects).where(eq(projects.id, found.projectId)).get();
  if (!project) throw notFound("project");
  const carrier = carrierFor(env, project.environment);
  const to = await phoneToCall(db, found.customerId, found.targetPhone);
  if (!to) throw noPhone();
  // Read once: its timezone decides the calling window, its name and fields the voicemail message.
  const customer = await db.select().from(customers).where(eq(customers.id, found.customerId)).get();
  const hold = await policyHold(db, project, customer?.timezone ?? null, to, carrier === "twilio");
  if (hold) return held(env, db, found, hold);

  const call = newCallRow(env, found, carrier, to);
  const limit = effectiveConcurrency(project);
  const slot = await gate.take(project.id, call.id, limit, slotTtlMs(found.maxDurationSeconds));
  if (!slot.granted) return held(env, db, found, noSlotHold(limit));

  const now = call.createdAt;
  const [claimed] = await db.batch([
    db
      .update(notifications)
      .set({
        status: "in_progress",
        attempts: sql`${notifications.attempts} + 1`,
        lastCallId: call.id,
        targetPhone: to,
        failureReason: null,
        waitReason: null,
        nextAttemptAt: null,
        updatedAt: now,
      })
      .where(and(eq(notifications.id, found.id), inArray(notifications.status, DISPATCHABLE)))
      .returning(),
    insertCallIf(db, call, sql`EXISTS (SELECT 1 FROM ${notifications} WHERE ${notifications.id} = ${found.id} AND ${notifications.lastCallId} = ${call.id})`),
  ]);
  const notification = claimed[0];
  if (!notification) {
    await gate.free(project.id, call.id);
    const current = await db.select({ status: notifications.status }).from(notifications).where(eq(notifications.id, found.id)).get();
    throw notDispatchable(current?.status ?? "gone");
  }

  try {
    await placeCall(env, await planFor(db, notification, call, customer));
  } catch (error) {
    await markPlacementFailed(db, notification.id, call.id, error);
    await gate.free(project.id, call.id);
  }
  // The call session may already have moved both rows on; answer with what is stored now.
  const [latestNotification, latestCall] = await Promise.all([
    db.select().from(notifications).where(eq(notifications.id, notification.id)).get(),
    db.select().from(calls).where(eq(calls.id, call.id)).get(),
  ]);
  return { notification: latestNotification ?? notification, call: latestCall ?? call, outcome: "placed" };
}

function newCallRow(env: Env, notification: NotificationRow, carrier: CallRow["carrier"], to: string): CallRow {
  const now = nowIso();
  return {
    id: newId(),
    projectId: notification.projectId,
    notificationId: notification.id,
    agentId: notification.agentId,
    customerId: notification.customerId,
    carrier,
    status: "queued",
    toNumber: to,
    fromNumber: carrier === "twilio" ? env.TWILIO_FROM_NUMBER : EMULATOR_FROM_NUMBER,
    carrierCallSid: null,
    answeredBy: null,
    endReason: null,
    errorCode: null,
    errorMessage: null,
    queuedAt: now,
    ringingAt: null,
    answeredAt: null,
    endedAt: null,
    durationSeconds: null,
    summary: null,
    analysis: null,
    analysisError: null,
    report: null,
    processedAt: null,
    attempt: notification.attempts + 1,
    transferredTo: null,
    recordingKey: null,
    recordingStatus: null,
    recordingDurationMs: null,
    recordingBytes: null,
    createdAt: now,
    updatedAt: now,
  };
}
