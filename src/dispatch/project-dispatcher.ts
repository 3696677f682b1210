import { DurableObject } from "cloudflare:workers";
import { and, asc, desc, eq, gt, lte, min } from "drizzle-orm";
import { type DispatchOutcome, dispatchNotification, type SlotGate } from "../calls/dispatch";
import { createDb, type Db } from "../db/client";
import { notifications } from "../db/schema";
import { ApiError } from "../lib/errors";
import { nowIso } from "../lib/ids";
import { CallSlots, type Lease, type SlotAnswer } from "./call-slots";

/** How many due notifications one alarm starts before re-arming, so each run stays short. */
const BATCH = 25;

/** Due scheduled notifications of a project, in the order they are called: priority, then oldest. */
export async function dueNotificationIds(db: Db, projectId: string, now: string, limit = BATCH): Promise<string[]> {
  const rows = await db
    .select({ id: notifications.id })
    .from(notifications)
    .where(and(eq(notifications.projectId, projectId), eq(notifications.status, "scheduled"), lte(notifications.scheduledAt, now)))
    .orderBy(desc(notifications.priority), asc(notifications.createdAt), asc(notifications.id))
    .limit(limit);
  return rows.map((row) => row.id);
}

/** When the next scheduled notification of the project falls due after `now`. */
async function nextDueAfter(db: Db, projectId: string, now: string): Promise<string | null> {
  const row = await db
    .select({ at: min(notifications.scheduledAt) })
    .from(notifications)
    .where(and(eq(notifications.projectId, projectId), eq(notifications.status, "scheduled"), gt(notifications.scheduledAt, now)))
    .get();
  return row?.at ?? null;
}

export interface ProjectUsage {
  active: Lease[];
  /** Notifications due now that wait for a free slot. */
  waiting: boolean;
}

/**
 * One per project (`idFromName(projectId)`): decides when the project's notifications are
 * dialled. It starts scheduled notifications when they fall due, and holds the project's call
 * slots (see CallSlots): a notification that finds every slot taken waits, due, until a call
 * ends and frees one, then the waiting ones start in priority order, oldest first.
 *
 * D1 is the source of truth for what is due, the alarm (persisted by the runtime) only says
 * when to look, so a restart loses nothing, and `dispatchNotification`'s guarded update means a
 * notification is never called twice even if two alarms overlap.
 */
export class ProjectDispatcher extends DurableObject<Env> {
  readonly #slots = new CallSlots(this.ctx.storage.kv);

  /** Makes sure the alarm fires no later than `atIso`. */
  async wake(projectId: string, atIso: string): Promise<void> {
    this.ctx.storage.kv.put("projectId", projectId);
    await this.#alarmNoLaterThan(Date.parse(atIso));
  }

  /** A slot for a call about to be placed, or a refusal (every slot is held): the caller waits. */
  async takeSlot(projectId: string, callId: string, limit: number, ttlMs: number): Promise<SlotAnswer> {
    this.ctx.storage.kv.put("projectId", projectId);
    const answer = this.#slots.take(callId, limit, ttlMs);
    if (!answer.granted) await this.#waitForSlot();
    return answer;
  }

  /** The call ended (or was never placed): its slot goes to whoever waits. */
  async freeSlot(callId: string): Promise<void> {
    const freed = this.#slots.free(callId);
    if (freed && this.ctx.storage.kv.get<boolean>("waiting")) await this.#alarmNoLaterThan(Date.now());
  }

  async usage(): Promise<ProjectUsage> {
    return { active: this.#slots.active(), waiting: this.ctx.storage.kv.get<boolean>("waiting") ?? false };
  }

  override async alarm(): Promise<void> {
    const projectId = this.ctx.storage.kv.get<string>("projectId");
    if (!projectId) return;
    const db = createDb(this.env.DB);
    const due = await dueNotificationIds(db, projectId, nowIso());
    let outOfSlots = false;
    for (const id of due) {
      if ((await this.#start(db, id)) === "waiting_for_slot") {
        outOfSlots = true;
        break;
      }
    }
    this.ctx.storage.kv.put("waiting", outOfSlots);
    if (outOfSlots) {
      // A call ending wakes us; a lease running out (its release lost) must too.
      const expiry = this.#slots.earliestExpiry();
      const later = await nextDueAfter(db, projectId, nowIso());
      const next = Math.min(expiry ?? Number.POSITIVE_INFINITY, later ? Date.parse(later) : Number.POSITIVE_INFINITY);
      if (Number.isFinite(next)) await this.ctx.storage.setAlarm(Math.max(next, Date.now()));
      return;
    }
    const next = due.length === BATCH ? nowIso() : await nextDueAfter(db, projectId, nowIso());
    if (next) await this.ctx.storage.setAlarm(Math.max(Date.parse(next), Date.now()));
  }

  async #waitForSlot(): Promise<void> {
    this.ctx.storage.kv.put("waiting", true);
    const expiry = this.#slots.earliestExpiry();
    if (expiry !== null) await this.#alarmNoLaterThan(expiry);
  }

  async #alarmNoLaterThan(atMs: number): Promise<void> {
    const at = Math.max(atMs, Date.now());
    const current = await this.ctx.storage.getAlarm();
    if (current === null || at < current) await this.ctx.storage.setAlarm(at);
  }

  /** Slots taken from inside this object, without a round trip to itself. */
  readonly #localGate: SlotGate = {
    take: async (_projectId, callId, limit, ttlMs) => this.#slots.take(callId, limit, ttlMs),
    free: async (_projectId, callId) => {
      this.#slots.free(callId);
    },
  };

  async #start(db: Db, id: string): Promise<DispatchOutcome | "skipped"> {
    try {
      return (await dispatchNotification(this.env, db, id, this.#localGate)).outcome;
    } catch (error) {
      // Taken by someone else (a manual execute, a cancel) between the query and the claim.
      if (error instanceof ApiError && error.code === "conflict") return "skipped";
      // Could not even be claimed (no phone left, no credentials): fail it visibly instead of retrying forever.
      const reason = error instanceof Error ? error.message : String(error);
      await db
        .update(notifications)
        .set({ status: "failed", failureReason: `The scheduled call could not be started: ${reason}`, waitReason: null, nextAttemptAt: null, updatedAt: nowIso() })
        .where(and(eq(notifications.id, id), eq(notifications.status, "scheduled")));
      return "skipped";
    }
  }
}

const dispatcher = (env: Env, projectId: string) => env.PROJECT_DISPATCHER.get(env.PROJECT_DISPATCHER.idFromName(projectId));

/** Asks the project's dispatcher to look again no later than `atIso`. */
export function wakeDispatcher(env: Env, projectId: string, atIso: string): Promise<void> {
  return dispatcher(env, projectId).wake(projectId, atIso);
}

/** The project's call slots, reached from outside its dispatcher (API requests, call endings). */
export function remoteSlotGate(env: Env): SlotGate {
  return {
    take: (projectId, callId, limit, ttlMs) => dispatcher(env, projectId).takeSlot(projectId, callId, limit, ttlMs),
    free: (projectId, callId) => dispatcher(env, projectId).freeSlot(callId),
  };
}

export function projectUsage(env: Env, projectId: string): Promise<ProjectUsage> {
  return dispatcher(env, projectId).usage();
}
