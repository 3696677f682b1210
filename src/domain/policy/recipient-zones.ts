import { getCountry } from "countries-and-timezones";
import { parsePhoneNumberFromString } from "libphonenumber-js/max";
import { canonicalTimeZone } from "../time-zones";
import { isKnownZone } from "./zone-clock";

/** Where the recipient's clock is read: their own zone, or every zone of their number's country. */
export interface RecipientZones {
  zones: string[];
  source: "customer" | "country" | "unknown";
  /** ISO 3166 code of the number's country, when libphonenumber knows it. */
  country: string | null;
}

// NANP numbers 555-0100 … 555-0199 are reserved for fiction (films, docs, the emulator's magic numbers).
const FICTIONAL_NANP = /^\+1\d{3}55501\d{2}$/;

export const isFictionalNanpNumber = (phoneE164: string): boolean => FICTIONAL_NANP.test(phoneE164);

/** The number's country (`US`, `DE`), or null for non-geographic or unparseable numbers. */
export function phoneCountry(phoneE164: string): string | null {
  return parsePhoneNumberFromString(phoneE164)?.country ?? null;
}

/**
 * Whether the US limit of 08:00–21:00 local applies: a +1 number libphonenumber places in the
 * US. Canadian and Caribbean +1 numbers are not US numbers. The fictional 555-01xx range reaches
 * no subscriber, so it is exempt (the emulator's magic numbers live there).
 */
export function usCallingHoursApply(phoneE164: string): boolean {
  const parsed = parsePhoneNumberFromString(phoneE164);
  return parsed?.countryCallingCode === "1" && parsed.country === "US" && !isFictionalNanpNumber(phoneE164);
}

/**
 * The zones whose clocks must all agree before the recipient may be called: the customer's
 * `timezone` when set (and known), else every zone of the number's country (so a US number with
 * no timezone must be inside the window from Eastern to Hawaii at once), else UTC.
 */
export function recipientZones(phoneE164: string, customerTimezone: string | null | undefined): RecipientZones {
  const country = phoneCountry(phoneE164);
  const own = customerTimezone ? canonicalTimeZone(customerTimezone) : null;
  if (own && isKnownZone(own)) return { zones: [own], source: "customer", country };
  const zones = (country ? (getCountry(country)?.timezones ?? []) : []).filter(isKnownZone);
  if (zones.length > 0) return { zones: [...zones], source: "country", country };
  return { zones: ["UTC"], source: "unknown", country };
}
