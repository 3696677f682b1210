import { z } from "@hono/zod-openapi";
import { recipientZones, usCallingHoursApply } from "./recipient-zones";
import { describeWindow, formatClock } from "./window-text";
import { type DailyRule, firstInstantInsideAll } from "./window-search";

export const WEEKDAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"] as const;
export type Weekday = (typeof WEEKDAYS)[number];

/** A project's calling hours, in the recipient's local time: [start, end) on the listed days. */
export interface CallingWindow {
  start: string;
  end: string;
  days: Weekday[];
}

/** No US number is called outside 08:00–21:00 local, whatever the project says. */
export const US_CALLING_HOURS = { start: 8 * 60, end: 21 * 60 } as const;

const START = /^([01]\d|2[0-3]):[0-5]\d$/;
const END = /^(([01]\d|2[0-3]):[0-5]\d|24:00)$/;
export const clockMinutes = (clock: string) => Number(clock.slice(0, 2)) * 60 + Number(clock.slice(3, 5));

export const CallingWindowSchema = z
  .strictObject({
    start: z.string().regex(START, "must be a local time of day as HH:MM, from 00:00 to 23:59").openapi({ example: "09:00" }),
    end: z
      .string()
      .regex(END, "must be a local time of day as HH:MM, up to 24:00 (midnight)")
      .openapi({ example: "20:00", description: "Exclusive: a window ending 20:00 allows 19:59, not 20:00." }),
    days: z
      .array(z.enum(WEEKDAYS))
      .min(1, "must list at least one day")
      .refine((days) => new Set(days).size === days.length, "must not list a day twice")
      .default([...WEEKDAYS])
      .openapi({ example: ["mon", "tue", "wed", "thu", "fri"], description: "Defaults to all seven." }),
  })
  .superRefine((window, ctx) => {
    if (START.test(window.start) && END.test(window.end) && clockMinutes(window.end) <= clockMinutes(window.start)) {
      ctx.addIssue({ code: "custom", path: ["end"], message: "must be after start (windows that cross midnight are not supported)" });
    }
  })
  .openapi("CallingWindow", { description: "Local hours in which recipients may be called; end after start." });

/** A stored window read back; anything malformed counts as no window rather than failing a call. */
export function parseCallingWindow(value: unknown): CallingWindow | null {
  if (value === null || value === undefined) return null;
  const parsed = CallingWindowSchema.safeParse(value);
  return parsed.success ? parsed.data : null;
}

/** The project's window, or null for "no project window" (the US limit still applies). */
export const effectiveCallingWindow = (project: { callingWindow: unknown }): CallingWindow | null => parseCallingWindow(project.callingWindow);

export type CallingWindowDecision = { allowed: true } | { allowed: false; nextAllowedAt: Date | null; reason: string };

export interface CallingWindowInput {
  /** The project's window (see `effectiveCallingWindow`); null means none. */
  window: CallingWindow | null;
  /** The customer's IANA `timezone`; when null the number's country decides. */
  customerTimezone?: string | null;
  /** The number to be dialled, E.164. */
  phone: string;
  now: Date;
  /**
   * False when the call goes to the emulated carrier (sandbox projects, deployments without
   * credentials): it reaches nobody, so the US calling-hours rule, which protects people, does not
   * hold it back. A project's own window still applies, so it can be tried out in the sandbox.
   */
  reachesPeople?: boolean;
}

const dayIndex = (day: Weekday) => (WEEKDAYS.indexOf(day) + 1) % 7;

/**
 * May this number be dialled at `now`? Evaluated in the recipient's local time: the customer's
 * timezone, else every zone of the number's country at once (the most conservative reading).
 * US numbers (bar the fictional 555-01xx range) are also held to 08:00–21:00 local.
 *
 * When not allowed, `nextAllowedAt` is the earliest instant (to the minute, across DST changes)
 * at which the same question would answer yes; it is null when it never would within a year
 * (the window and the US limit do not overlap, or the country's zones are too far apart for the
 * window: set the customer's timezone then). `reason` is a sentence for users.
 */
export function callingWindowDecision(input: CallingWindowInput): CallingWindowDecision {
  const { window, phone, now } = input;
  const usLimit = (input.reachesPeople ?? true) && usCallingHoursApply(phone);
  if (!window && !usLimit) return { allowed: true };

  let start = window ? clockMinutes(window.start) : 0;
  let end = window ? clockMinutes(window.end) : 24 * 60;
  if (usLimit) {
    start = Math.max(start, US_CALLING_HOURS.start);
    end = Math.min(end, US_CALLING_HOURS.end);
  }
  const rule: DailyRule = { start, end, days: new Set((window?.days ?? WEEKDAYS).map(dayIndex)) };
  const where = recipientZones(phone, input.customerTimezone);
  const narrowed = usLimit && (!window || start !== clockMinutes(window.start) || end !== clockMinutes(window.end));
  const described = describeWindow({ start, end, days: window?.days ?? [...WEEKDAYS], usLimit: narrowed, where });

  if (end <= start) {
    const reason = `The project's calling window (${window?.start}–${window?.end}) lies outside the US limit of ${formatClock(US_CALLING_HOURS.start)}–${formatClock(US_CALLING_HOURS.end)} local time, so this US number is never called.`;
    return { allowed: false, nextAllowedAt: null, reason };
  }
  const at = firstInstantInsideAll(where.zones, rule, now.getTime());
  if (at === now.getTime()) return { allowed: true };
  if (at === null) {
    const reason = `Outside the calling window (${described}): no time falls inside it in all those time zones at once, so the call cannot be placed. Set the customer's timezone.`;
    return { allowed: false, nextAllowedAt: null, reason };
  }
  const nextAllowedAt = new Date(at);
  return { allowed: false, nextAllowedAt, reason: `Outside the calling window (${described}); next allowed ${nextAllowedAt.toISOString().replace(".000Z", "Z")}` };
}
