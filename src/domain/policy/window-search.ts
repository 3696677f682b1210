import { localTime, MINUTE_MS, offsetChangeBetween, offsetMs } from "./zone-clock";

/** A daily window in minutes of the local day, [start, end), on some weekdays (0 = Sunday). */
export interface DailyRule {
  start: number;
  end: number;
  days: ReadonlySet<number>;
}

const DAY_MS = 24 * 60 * MINUTE_MS;
/** Far enough to find a slot that only exists in one daylight-saving season. */
export const SEARCH_HORIZON_MS = 370 * DAY_MS;

export function insideRule(zone: string, rule: DailyRule, atMs: number): boolean {
  const local = localTime(zone, atMs);
  return rule.days.has(local.weekday) && local.minuteOfDay >= rule.start && local.minuteOfDay < rule.end;
}

/**
 * The earliest instant after `atMs` at which this zone could be inside the rule, and no later
 * than the true one: the next local start on an allowed day, or, when the zone's offset changes
 * first, the moment it changes (a clock jumping forward into the window, or falling back into it,
 * is then read afresh). Call only when `atMs` is outside the rule.
 */
function nextChanceInZone(zone: string, rule: DailyRule, atMs: number): number {
  const local = localTime(zone, atMs);
  let ahead = rule.days.has(local.weekday) && local.minuteOfDay < rule.start ? 0 : 1;
  while (!rule.days.has((local.weekday + ahead) % 7)) ahead++;
  const startWall = Date.UTC(local.year, local.month - 1, local.day + ahead) + rule.start * MINUTE_MS;
  const offset = offsetMs(zone, atMs);
  const candidate = startWall - offset;
  if (offsetMs(zone, candidate) === offset) return candidate;
  return offsetChangeBetween(zone, atMs, candidate, offset);
}

/**
 * The earliest instant at or after `fromMs` when every zone is inside the rule at once, or null
 * when there is none within the horizon (zones too far apart for the window). Exact to the
 * minute: each step jumps to the latest of the zones' next chances, which never passes a slot.
 */
export function firstInstantInsideAll(zones: readonly string[], rule: DailyRule, fromMs: number, horizonMs = SEARCH_HORIZON_MS): number | null {
  if (rule.days.size === 0 || rule.end <= rule.start) return null;
  let at = fromMs;
  const limit = fromMs + horizonMs;
  for (;;) {
    let next = at;
    for (const zone of zones) {
      if (insideRule(zone, rule, at)) continue;
      next = Math.max(next, nextChanceInZone(zone, rule, at));
    }
    if (next === at) return at;
    if (next > limit) return null;
    at = next;
  }
}
