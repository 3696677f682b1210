import { and, asc, eq, inArray, ne, or, type SQL, sql } from "drizzle-orm";
import type { SQLiteColumn } from "drizzle-orm/sqlite-core";
import type { Db } from "../../db/client";
import { customerPhones, customers } from "../../db/schema";
import type { ResolvedPhone } from "../../domain/phone-numbers";
import { ApiError } from "../../lib/errors";
import { newId } from "../../lib/ids";
import type { CustomerResponse, CustomFieldValues } from "./customers.schemas";

export type CustomerRow = typeof customers.$inferSelect;

export const externalIdTaken = (externalId: string) =>
  new ApiError("external_id_taken", `Another customer in this project already has external_id "${externalId}".`, { param: "external_id" });

/** The caller's customer, or null: another project's customer is as absent as a missing one. */
export async function findCustomer(db: Db, projectId: string, match: { id: string } | { externalId: string }): Promise<CustomerRow | null> {
  const condition = "id" in match ? eq(customers.id, match.id) : eq(customers.externalId, match.externalId);
  return (await db.select().from(customers).where(and(eq(customers.projectId, projectId), condition)).get()) ?? null;
}

/** Checked before writing so the answer is a clear 409; the unique index still guards races. */
export async function assertExternalIdFree(db: Db, projectId: string, externalId: string, exceptCustomerId?: string) {
  const clash = await db
    .select({ id: customers.id })
    .from(customers)
    .where(and(eq(customers.projectId, projectId), eq(customers.externalId, externalId), exceptCustomerId ? ne(customers.id, exceptCustomerId) : undefined))
    .get();
  if (clash) throw externalIdTaken(externalId);
}

/** Phones of several customers in one query, each list in the client's order. */
export async function phonesOf(db: Db, customerIds: string[]): Promise<Map<string, ResolvedPhone[]>> {
  const byCustomer = new Map<string, ResolvedPhone[]>();
  if (customerIds.length === 0) return byCustomer;
  const rows = await db
    .select({ customerId: customerPhones.customerId, value: customerPhones.value, isPrimary: customerPhones.isPrimary, status: customerPhones.status })
    .from(customerPhones)
    .where(inArray(customerPhones.customerId, customerIds))
    .orderBy(asc(customerPhones.customerId), asc(customerPhones.position));
  for (const { customerId, ...phone } of rows) {
    const list = byCustomer.get(customerId) ?? [];
    list.push(phone);
    byCustomer.set(customerId, list);
  }
  return byCustomer;
}

/** A customer's phones as stored, in the client's order. */
export function phoneRows(customer: { id: string; projectId: string }, phones: ResolvedPhone[]): (typeof customerPhones.$inferSelect)[] {
  return phones.map((phone, position) => ({ id: newId(), customerId: customer.id, projectId: customer.projectId, ...phone, position }));
}

export function insertPhones(db: Db, customer: { id: string; projectId: string }, phones: ResolvedPhone[]) {
  return db.insert(customerPhones).values(phoneRows(customer, phones));
}

const escapeLike = (text: string) => text.replace(/[\\%_]/g, (ch) => `\\${ch}`);
const contains = (column: SQLiteColumn, text: string) => sql`${column} LIKE ${`%${escapeLike(text)}%`} ESCAPE '\\'`;

/**
 * `q` matches part of a name, email, external_id or phone. Phones are stored bare (+14155552671),
 * so a query typed as a formatted number ("(415) 555-2671") is stripped to digits first.
 */
export function searchCondition(q: string): SQL {
  const looksLikePhone = /^[+0-9 ().-]+$/.test(q) && /[0-9]/.test(q);
  const phoneText = looksLikePhone ? q.replace(/[^+0-9]/g, "") : q;
  const phoneMatches = sql`EXISTS (SELECT 1 FROM ${customerPhones} WHERE ${customerPhones.customerId} = ${customers.id} AND ${contains(customerPhones.value, phoneText)})`;
  return or(contains(customers.firstName, q), contains(customers.lastName, q), contains(customers.email, q), contains(customers.externalId, q), phoneMatches)!;
}

export function present(row: CustomerRow, phones: ResolvedPhone[]): CustomerResponse {
  return {
    id: row.id,
    project_id: row.projectId,
    external_id: row.externalId,
    first_name: row.firstName,
    last_name: row.lastName,
    phones: phones.map((phone) => ({ value: phone.value, is_primary: phone.isPrimary, status: phone.status })),
    email: row.email,
    language: row.language,
    timezone: row.timezone,
    custom_fields: (row.customFields ?? {}) as CustomFieldValues,
    created_at: row.createdAt,
    updated_at: row.updatedAt,
  };
}
