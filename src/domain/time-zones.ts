/**
 * Customers' time zones decide when calls may be placed, so only IANA names are accepted.
 * The runtime's own ICU data is the authority: it knows every zone and alias the calendar code
 * later uses, without shipping a zone list of our own.
 */

// Intl also accepts UTC offsets such as "+05:30"; those ignore daylight saving, so they are refused.
const ZONE_NAME = /^[A-Za-z][A-Za-z0-9_+\-/]*$/;

/** The zone's name in its canonical spelling (`america/new_york` → `America/New_York`), or null if unknown. */
export function canonicalTimeZone(name: string): string | null {
  if (!ZONE_NAME.test(name)) return null;
  let resolved: string;
  try {
    resolved = new Intl.DateTimeFormat(undefined, { timeZone: name }).resolvedOptions().timeZone;
  } catch {
    // RangeError: not a zone the runtime knows.
    return null;
  }
  // ICU may resolve a current name to an older alias (Asia/Kolkata → Asia/Calcutta); keep the
  // client's name then, and only take ICU's spelling when it differs by letter case.
  return resolved.toLowerCase() === name.toLowerCase() ? resolved : name;
}

export const isTimeZone = (name: string): boolean => canonicalTimeZone(name) !== null;
