import { drizzle } from "drizzle-orm/d1";
import { GroupCommit } from "./group-commit";
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

const groupCommits = new WeakMap<D1Database, GroupCommit<D1PreparedStatement>>();

/** The database's group commit (see group-commit.ts): one per database, shared by the isolate's requests. */
export function groupCommitOf(d1: D1Database): GroupCommit<D1PreparedStatement> {
  let group = groupCommits.get(d1);
  if (!group) {
    group = new GroupCommit((writes) => d1.batch(writes));
    groupCommits.set(d1, group);
  }
  return group;
}
