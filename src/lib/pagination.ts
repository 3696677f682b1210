import { z } from "@hono/zod-openapi";
import { and, desc, eq, lt, or, type SQL } from "drizzle-orm";
import type { SQLiteColumn } from "drizzle-orm/sqlite-core";
import { fromBase64Url, toBase64Url } from "./crypto";
import { ApiError } from "./errors";

/**
 * Lists page newest first. `limit`/`offset` work as the seeds document; `next_cursor` is a
 * keyset cursor (created_at, id) that stays correct while rows are being added, and is cheaper
 * than a deep offset. When `cursor` is given, `offset` is ignored.
 */
export const PaginationQuery = {
  limit: z.coerce.number().int().min(1).max(100).default(50).openapi({ example: 50, description: "1 to 100; default 50." }),
  offset: z.coerce.number().int().min(0).default(0).openapi({ example: 0 }),
  cursor: z.string().max(200).optional().openapi({ description: "`next_cursor` from the previous page." }),
};

export const pageSchema = <T extends z.ZodType>(item: T, name: string) =>
  z
    .object({
      data: z.array(item),
      has_more: z.boolean(),
      next_cursor: z.string().nullable().openapi({ description: "Pass as `cursor` for the next page; null on the last page." }),
    })
    .openapi(name);

interface Position {
  createdAt: string;
  id: string;
}

function decodeCursor(cursor: string): Position {
  try {
    const [createdAt, id] = JSON.parse(new TextDecoder().decode(fromBase64Url(cursor))) as [unknown, unknown];
    if (typeof createdAt === "string" && typeof id === "string") return { createdAt, id };
  } catch {
    // fall through to the error below
  }
  throw new ApiError("validation_failed", "Invalid 'cursor': pass the next_cursor of a previous page unchanged.", { param: "cursor" });
}

const encodeCursor = (row: Position) => toBase64Url(new TextEncoder().encode(JSON.stringify([row.createdAt, row.id])));

export interface PageRequest {
  limit: number;
  offset: number;
  cursor?: string | undefined;
}

/** The WHERE fragment, ORDER BY and LIMIT/OFFSET for one page over (created_at, id). */
export function pageClauses(columns: { createdAt: SQLiteColumn; id: SQLiteColumn }, request: PageRequest) {
  let after: SQL | undefined;
  if (request.cursor) {
    const position = decodeCursor(request.cursor);
    after = or(lt(columns.createdAt, position.createdAt), and(eq(columns.createdAt, position.createdAt), lt(columns.id, position.id)));
  }
  return {
    after,
    orderBy: [desc(columns.createdAt), desc(columns.id)],
    // One extra row tells whether another page exists.
    limit: request.limit + 1,
    offset: request.cursor ? 0 : request.offset,
  };
}

/** Cuts the extra row off and says where the next page starts. */
export function toPage<R extends Position, T>(rows: R[], request: PageRequest, present: (row: R) => T) {
  const hasMore = rows.length > request.limit;
  const data = rows.slice(0, request.limit);
  const last = data.at(-1);
  return { data: data.map(present), has_more: hasMore, next_cursor: hasMore && last ? encodeCursor(last) : null };
}
