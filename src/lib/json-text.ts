import type { Context, TypedResponse } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { JSONParsed } from "hono/utils/types";

/** Answers with JSON that is already text (made once and cached), typed as `c.json<T>` would type it. */
export function jsonText<T, S extends ContentfulStatusCode>(c: Context, text: string, status: S): Response & TypedResponse<JSONParsed<T>, S, "json"> {
  return c.body(text, status, { "content-type": "application/json" }) as unknown as Response & TypedResponse<JSONParsed<T>, S, "json">;
}
