import { getTableColumns, getTableName, type InferInsertModel } from "drizzle-orm";
import type { SQLiteColumn, SQLiteTable } from "drizzle-orm/sqlite-core";

/**
 * INSERT statements for the hottest writes, with their SQL worked out once per table and row count.
 *
 * Building an insert through drizzle's query builder re-derives the same SQL text on every request
 * (a sixth of the worker's CPU on POST /customers); the rows here are stored with exactly the same
 * columns and value conversions (JSON and boolean columns) that drizzle would use.
 * Rows must give every column (null for none): a row is a full record, so nothing falls to a default.
 */
const D1_MAX_PARAMETERS = 100;

type Row<T extends SQLiteTable> = Required<InferInsertModel<T>>;

interface TablePlan {
  keys: string[];
  columns: SQLiteColumn[];
  prefix: string;
  placeholders: string;
  sqlByRows: Map<number, string>;
}

const plans = new WeakMap<SQLiteTable, TablePlan>();

function planOf(table: SQLiteTable): TablePlan {
  let plan = plans.get(table);
  if (!plan) {
    const entries = Object.entries(getTableColumns(table));
    const names = entries.map(([, column]) => `"${column.name}"`).join(", ");
    plan = {
      keys: entries.map(([key]) => key),
      columns: entries.map(([, column]) => column),
      prefix: `insert into "${getTableName(table)}" (${names}) values `,
      placeholders: `(${entries.map(() => "?").join(", ")})`,
      sqlByRows: new Map(),
    };
    plans.set(table, plan);
  }
  return plan;
}

function sqlFor(plan: TablePlan, rows: number): string {
  let text = plan.sqlByRows.get(rows);
  if (!text) {
    text = plan.prefix + Array.from({ length: rows }, () => plan.placeholders).join(", ");
    plan.sqlByRows.set(rows, text);
  }
  return text;
}

/** Statements inserting `rows` into `table`: as few as D1's 100 bound parameters per statement allow. */
export function insertStatements<T extends SQLiteTable>(d1: D1Database, table: T, rows: Row<T>[]): D1PreparedStatement[] {
  const plan = planOf(table);
  const perStatement = Math.max(1, Math.floor(D1_MAX_PARAMETERS / plan.columns.length));
  const statements: D1PreparedStatement[] = [];
  for (let start = 0; start < rows.length; start += perStatement) {
    const chunk = rows.slice(start, start + perStatement);
    const values: unknown[] = [];
    for (const row of chunk) {
      const record = row as Record<string, unknown>;
      plan.keys.forEach((key, i) => {
        const value = record[key];
        values.push(value === null || value === undefined ? null : plan.columns[i]!.mapToDriverValue(value));
      });
    }
    statements.push(d1.prepare(sqlFor(plan, chunk.length)).bind(...values));
  }
  return statements;
}
