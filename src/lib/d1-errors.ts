/** D1 reports constraint violations only in the message text; this reads it in one place. */
export function isUniqueViolation(error: unknown, column?: string): boolean {
  const message = String((error as { message?: unknown })?.message ?? "") + String((error as { cause?: { message?: unknown } })?.cause?.message ?? "");
  if (!message.includes("UNIQUE constraint failed")) return false;
  return column === undefined || message.includes(column);
}
