import type { RecipientZones } from "./recipient-zones";

const DAY_NAMES: Record<string, string> = { mon: "Mon", tue: "Tue", wed: "Wed", thu: "Thu", fri: "Fri", sat: "Sat", sun: "Sun" };
const ORDER = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

export const formatClock = (minutes: number) => `${String(Math.floor(minutes / 60)).padStart(2, "0")}:${String(minutes % 60).padStart(2, "0")}`;

/** "every day", "Mon–Fri", "Mon, Wed, Fri" or "Sat–Sun". */
export function describeDays(days: readonly string[]): string {
  const sorted = ORDER.filter((day) => days.includes(day));
  if (sorted.length === 7) return "every day";
  const runs: string[][] = [];
  for (const day of sorted) {
    const run = runs.at(-1);
    if (run && ORDER.indexOf(day) === ORDER.indexOf(run.at(-1)!) + 1) run.push(day);
    else runs.push([day]);
  }
  return runs.map((run) => (run.length > 2 ? `${DAY_NAMES[run[0]!]}–${DAY_NAMES[run.at(-1)!]}` : run.map((day) => DAY_NAMES[day]).join(", "))).join(", ");
}

function describeZones(where: RecipientZones): string {
  if (where.source === "customer") return where.zones[0]!;
  if (where.source === "unknown") return "UTC, as the number's time zone is unknown";
  if (where.zones.length === 1) return where.zones[0]!;
  return `in all ${where.zones.length} time zones of ${where.country}`;
}

/** "09:00–20:00 Mon–Fri, America/New_York" as a reason shows it, the US limit noted when it narrowed the hours. */
export function describeWindow(input: { start: number; end: number; days: readonly string[]; usLimit: boolean; where: RecipientZones }): string {
  const hours = `${formatClock(input.start)}–${formatClock(input.end)} ${describeDays(input.days)}`;
  const limit = input.usLimit ? "; US numbers are called only 08:00–21:00 local" : "";
  return `${hours}, ${describeZones(input.where)}${limit}`;
}
