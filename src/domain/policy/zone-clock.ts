/**
 * Wall-clock time in an IANA zone, read from the runtime's ICU data (the same authority
 * `canonicalTimeZone` uses), so daylight-saving rules are never hand-written here.
 */

export const MINUTE_MS = 60_000;

/** The clock on the wall in a zone at one instant. */
export interface LocalTime {
  year: number;
  month: number;
  day: number;
  /** 0 = Sunday … 6 = Saturday, as `Date#getUTCDay`. */
  weekday: number;
  /** 0 … 1439. */
  minuteOfDay: number;
  /** The local date and time read as if it were UTC; `wallMs - instant` is the zone's offset. */
  wallMs: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(zone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(zone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat("en-US", {
      timeZone: zone,
      hourCycle: "h23",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      second: "numeric",
    });
    formatters.set(zone, formatter);
  }
  return formatter;
}

/** Whether the runtime knows the zone (an unknown one would throw at every read). */
export function isKnownZone(zone: string): boolean {
  try {
    formatterFor(zone);
    return true;
  } catch {
    return false;
  }
}

export function localTime(zone: string, instantMs: number): LocalTime {
  const fields: Record<string, number> = {};
  for (const part of formatterFor(zone).formatToParts(new Date(instantMs))) {
    if (part.type !== "literal") fields[part.type] = Number(part.value);
  }
  const year = fields.year ?? 1970;
  const month = fields.month ?? 1;
  const day = fields.day ?? 1;
  // Some ICU versions still print midnight as 24 despite h23.
  const hour = (fields.hour ?? 0) % 24;
  const minute = fields.minute ?? 0;
  const wallMs = Date.UTC(year, month - 1, day, hour, minute, fields.second ?? 0);
  return { year, month, day, weekday: new Date(Date.UTC(year, month - 1, day)).getUTCDay(), minuteOfDay: hour * 60 + minute, wallMs };
}

/** The zone's UTC offset at an instant, in ms (New York in winter: -5 h). */
export function offsetMs(zone: string, instantMs: number): number {
  const whole = Math.floor(instantMs / 1000) * 1000;
  return localTime(zone, whole).wallMs - whole;
}

/**
 * The first whole minute in (fromMs, toMs] at which the zone's offset is no longer `offset`,
 * given that it differs at `toMs`. Offsets change on whole minutes, so the answer is exact.
 */
export function offsetChangeBetween(zone: string, fromMs: number, toMs: number, offset: number): number {
  let lo = Math.floor(fromMs / MINUTE_MS);
  let hi = Math.ceil(toMs / MINUTE_MS);
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (offsetMs(zone, mid * MINUTE_MS) === offset) lo = mid;
    else hi = mid;
  }
  return hi * MINUTE_MS;
}
