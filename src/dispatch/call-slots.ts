/**
 * A project's simultaneous-call limit, as leases held in its dispatcher's storage: one per call
 * in progress, keyed by call id, each with an expiry. A call that ends frees its slot; a slot
 * whose release was lost (an object reset mid-call) frees itself when its lease runs out, so no
 * slot ever leaks for longer than the longest call could last.
 */
export interface Lease {
  callId: string;
  /** Epoch ms. */
  expiresAt: number;
}

export type SlotAnswer = { granted: true; active: number } | { granted: false; active: number };

const PREFIX = "lease:";

export class CallSlots {
  constructor(private readonly kv: SyncKvStorage) {}

  /** The leases still running at `now`; expired ones are forgotten on the way. */
  active(now = Date.now()): Lease[] {
    const leases: Lease[] = [];
    for (const [key, expiresAt] of [...this.kv.list<number>({ prefix: PREFIX })]) {
      if (expiresAt <= now) this.kv.delete(key);
      else leases.push({ callId: key.slice(PREFIX.length), expiresAt });
    }
    return leases;
  }

  /** Takes a slot for `callId` when fewer than `limit` are held (taking one already held renews it). */
  take(callId: string, limit: number, ttlMs: number, now = Date.now()): SlotAnswer {
    const leases = this.active(now);
    const held = leases.some((lease) => lease.callId === callId);
    if (!held && leases.length >= limit) return { granted: false, active: leases.length };
    this.kv.put(PREFIX + callId, now + ttlMs);
    return { granted: true, active: held ? leases.length : leases.length + 1 };
  }

  /** True when the call held a slot. */
  free(callId: string): boolean {
    return this.kv.delete(PREFIX + callId);
  }

  earliestExpiry(now = Date.now()): number | null {
    const leases = this.active(now);
    return leases.length === 0 ? null : Math.min(...leases.map((lease) => lease.expiresAt));
  }
}
