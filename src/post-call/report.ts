import { eq } from "drizzle-orm";
import { isTerminal } from "../calls/call-plan";
import type { CallRow } from "../calls/dispatch";
import type { Db } from "../db/client";
import { calls } from "../db/schema";
import { nowIso } from "../lib/ids";

export interface ReportLine {
  speaker: "agent" | "customer";
  text: string;
}

export const transcriptText = (lines: ReportLine[]) => lines.map((line) => `${line.speaker === "agent" ? "Agent" : "Customer"}: ${line.text}`).join("\n");

/** A readable markdown account of the call, built only from what is stored: the same call gives the same report. */
export function buildReport(call: CallRow, lines: ReportLine[]): string {
  const outcome = call.endReason ? `${call.status} (${call.endReason.replaceAll("_", " ")})` : call.status;
  const parts = [
    "# Call report",
    "",
    `- **Call:** ${call.id}`,
    `- **To:** ${call.toNumber}`,
    `- **Outcome:** ${outcome.replaceAll("_", " ")}`,
    `- **Duration:** ${call.durationSeconds ?? 0} s`,
    `- **Answered by:** ${call.answeredBy ?? "unknown"}`,
    "",
    "## Summary",
    "",
    call.summary ?? "No summary is available.",
    "",
    "## Analysis",
    "",
    call.analysis != null ? `\`\`\`json\n${JSON.stringify(call.analysis, null, 2)}\n\`\`\`` : (call.analysisError ?? "No structured results were requested."),
    "",
    "## Transcript",
    "",
    lines.length > 0 ? transcriptText(lines) : "Nothing was said.",
  ];
  return parts.join("\n");
}

/** The stored report, or a new one; it is kept only once the call is over and its results are in. */
export async function reportFor(db: Db, call: CallRow, lines: ReportLine[]): Promise<string> {
  if (call.report) return call.report;
  const report = buildReport(call, lines);
  if (isTerminal(call.status) && call.processedAt) await db.update(calls).set({ report, updatedAt: nowIso() }).where(eq(calls.id, call.id));
  return report;
}
