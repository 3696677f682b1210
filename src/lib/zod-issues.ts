import type { z } from "@hono/zod-openapi";
import { ApiError } from "./errors";

/** Dotted path of an issue, as a client would name the field: `phones.0.value`. */
function pathOf(path: readonly PropertyKey[]): string {
  return path.map(String).join(".");
}

/**
 * Turns the first zod issue into an ApiError naming the offending field. Unknown keys are
 * reported as such: silently dropping them would hide typos and invite mass assignment.
 */
export function apiErrorFromZod(error: z.ZodError, target: string): ApiError {
  const issue = error.issues[0];
  if (!issue) return new ApiError("validation_failed", `Invalid ${target}.`);
  const base = pathOf(issue.path);
  if (issue.code === "unrecognized_keys") {
    const key = issue.keys[0] ?? "";
    const param = base ? `${base}.${key}` : key;
    return new ApiError("unknown_field", `Unknown or read-only field '${param}' in the ${target}.`, { param });
  }
  const param = base || null;
  const where = param ? `'${param}'` : `the ${target}`;
  return new ApiError("validation_failed", `Invalid ${where}: ${issue.message}`, { param });
}
