/**
 * Calling policy (issue 5): what decides whether, when and how often a person may be called.
 * Pure functions for the dispatcher (retries, calling windows, concurrency) and the do-not-call
 * list's storage; the API routes and the dispatcher both import from here.
 */
export * from "./calling-window";
export * from "./concurrency";
export * from "./do-not-call";
export { isFictionalNanpNumber, phoneCountry, type RecipientZones, recipientZones, usCallingHoursApply } from "./recipient-zones";
export * from "./retry-policy";
