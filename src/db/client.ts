import { drizzle } from "drizzle-orm/d1";
import * as schema from "./schema";

function connect(d1: D1Database) {
  return drizzle(d1, { schema });
}

export type Db = ReturnType<typeof connect>;

// drizzle works out the schema's relations each time it is set up, which cost more CPU than a
// request's own query did; a Db holds no request state, so one per D1 binding serves them all.
const databases = new WeakMap<D1Database, Db>();

export function createDb(d1: D1Database): Db {
  let db = databases.get(d1);
  if (!db) {
    db = connect(d1);
    databases.set(d1, db);
  }
  return db;
}
