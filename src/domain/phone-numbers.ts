/**
 * Phone numbers are checked against libphonenumber's "max" metadata rather than the default
 * ("min") set. "min" only checks a number's length for its country, so it lets through numbers
 * no carrier can ring (e.g. +491234567890, a German number with no such area code); "max" checks
 * every number-type pattern, so such numbers are refused before a call is ever attempted. Both
 * accept +14155552671 and refuse +1234567890 and +15555555555. "max" costs ~150 KB of bundle,
 * which is well within a Worker's limit and cheaper than a failed call.
 */
import { parsePhoneNumberFromString } from "libphonenumber-js/max";
import type { PHONE_STATUSES } from "../db/schema";
import { ApiError } from "../lib/errors";

export type PhoneStatus = (typeof PHONE_STATUSES)[number];

/** A phone as the client sends it. */
export interface PhoneEntry {
  value: string;
  is_primary?: boolean | undefined;
  status?: PhoneStatus | undefined;
}

/** A phone ready to store: E.164, with exactly one primary in its list. */
export interface ResolvedPhone {
  value: string;
  isPrimary: boolean;
  status: PhoneStatus;
}

// International form only: without a leading "+" the country would be a guess.
const INTERNATIONAL_FORM = /^\+[0-9 ().-]+$/;

/** The number in E.164 (`+14155552671`), or null when it is not a number that can be called. */
export function toE164(raw: string): string | null {
  const text = raw.trim();
  if (!INTERNATIONAL_FORM.test(text)) return null;
  const parsed = parsePhoneNumberFromString(text);
  if (!parsed?.isValid() || parsed.ext) return null;
  return parsed.number;
}

/**
 * Normalises a customer's phones and enforces the list's rules: every number real, none twice,
 * exactly one primary (the first, when none is marked). `field` is how the client sent them —
 * the seed's single `phone` or the `phones` list — so errors name the field the client wrote.
 */
export function resolvePhones(entries: PhoneEntry[], field: "phone" | "phones"): ResolvedPhone[] {
  const valueParam = (index: number) => (field === "phone" ? "phone" : `phones.${index}.value`);
  const seen = new Set<string>();
  let primaryIndex: number | null = null;

  const phones = entries.map((entry, index): ResolvedPhone => {
    const value = toE164(entry.value);
    if (!value) {
      throw new ApiError(
        "validation_failed",
        `Invalid '${valueParam(index)}': "${entry.value}" is not a valid phone number. Use E.164 format with the country code, such as +14155552671.`,
        { param: valueParam(index) },
      );
    }
    if (seen.has(value)) {
      throw new ApiError("validation_failed", `Invalid '${valueParam(index)}': ${value} is listed more than once for this customer.`, { param: valueParam(index) });
    }
    seen.add(value);
    if (entry.is_primary) {
      if (primaryIndex !== null) {
        const param = `phones.${index}.is_primary`;
        throw new ApiError("validation_failed", `Invalid '${param}': only one phone can be primary, and phones.${primaryIndex} already is.`, { param });
      }
      primaryIndex = index;
    }
    return { value, isPrimary: Boolean(entry.is_primary), status: entry.status ?? "active" };
  });

  const first = phones[0];
  if (!first) {
    throw new ApiError("validation_failed", "A customer needs at least one phone number: send `phone` or `phones`.", { param: "phones" });
  }
  if (primaryIndex === null) first.isPrimary = true;
  return phones;
}
