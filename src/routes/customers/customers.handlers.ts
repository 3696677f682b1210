import type { RouteHandler, z } from "@hono/zod-openapi";
import { and, eq } from "drizzle-orm";
import { customerPhones, customers, notifications } from "../../db/schema";
import { type ResolvedPhone, resolvePhones } from "../../domain/phone-numbers";
import { canonicalTimeZone } from "../../domain/time-zones";
import type { AppEnv } from "../../lib/app-env";
import { projectCaller } from "../../lib/caller";
import { isUniqueViolation } from "../../lib/d1-errors";
import { ApiError, notFound } from "../../lib/errors";
import { newId, nowIso } from "../../lib/ids";
import { pageClauses, toPage } from "../../lib/pagination";
import { normalizeEmail } from "../../lib/schemas";
import { assertExternalIdFree, type CustomerRow, externalIdTaken, findCustomer, insertPhones, phonesOf, present, searchCondition } from "./customers.records";
import type { createCustomer, deleteCustomer, getCustomer, getCustomerByExternalId, listCustomers, updateCustomer } from "./customers.routes";
import type { UpdateCustomerBody } from "./customers.schemas";
import { storeNewCustomer } from "./customers.store";

type CustomerFields = z.infer<typeof UpdateCustomerBody>;

/** The phones the client sent, in whichever of the two accepted forms, or undefined if none. */
function requestedPhones(body: CustomerFields): ResolvedPhone[] | undefined {
  if (body.phone !== undefined && body.phones !== undefined) {
    throw new ApiError("validation_failed", "Send the customer's number as `phone` or the full list as `phones`, not both.", { param: "phones" });
  }
  if (body.phone !== undefined) return resolvePhones([{ value: body.phone }], "phone");
  if (body.phones !== undefined) return resolvePhones(body.phones, "phones");
  return undefined;
}

/** The columns a request sets; fields it leaves out are absent, so they stay as they are. */
function columnsOf(body: CustomerFields): Partial<CustomerRow> {
  const columns: Partial<CustomerRow> = {};
  if (body.external_id !== undefined) columns.externalId = body.external_id;
  if (body.first_name !== undefined) columns.firstName = body.first_name;
  if (body.last_name !== undefined) columns.lastName = body.last_name;
  if (body.email !== undefined) columns.email = body.email === null ? null : normalizeEmail(body.email);
  if (body.language !== undefined) columns.language = body.language;
  if (body.timezone !== undefined) columns.timezone = body.timezone === null ? null : (canonicalTimeZone(body.timezone) ?? body.timezone);
  if (body.custom_fields !== undefined) columns.customFields = body.custom_fields;
  return columns;
}

/** Runs a write, answering a duplicate external_id with 409 rather than the database's error. */
async function writing(write: Promise<unknown>, externalId: string | null | undefined) {
  try {
    await write;
  } catch (error) {
    if (externalId && isUniqueViolation(error, "customers.external_id")) throw externalIdTaken(externalId);
    throw error;
  }
}

export const createCustomerHandler: RouteHandler<typeof createCustomer, AppEnv> = async (c) => {
  const { projectId } = projectCaller(c);
  const body = c.req.valid("json");
  const db = c.get("db");
  const phones = requestedPhones(body);
  if (!phones) throw new ApiError("validation_failed", "A customer needs at least one phone number: send `phone` or `phones`.", { param: "phones" });

  const now = nowIso();
  const row: CustomerRow = {
    id: newId(),
    projectId,
    externalId: null,
    firstName: null,
    lastName: null,
    email: null,
    language: null,
    timezone: null,
    customFields: null,
    ...columnsOf(body),
    createdAt: now,
    updatedAt: now,
  };
  if (row.externalId) await assertExternalIdFree(db, projectId, row.externalId);
  // With its phones, all or nothing; together with other customers created at the same moment.
  const write = storeNewCustomer(c.env.DB, row, phones, (work) => c.executionCtx.waitUntil(work));
  await writing(write, row.externalId);
  return c.json(present(row, phones), 201);
};

export const listCustomersHandler: RouteHandler<typeof listCustomers, AppEnv> = async (c) => {
  const { projectId } = projectCaller(c);
  const query = c.req.valid("query");
  const db = c.get("db");
  const page = pageClauses({ createdAt: customers.createdAt, id: customers.id }, query);
  const rows = await db
    .select()
    .from(customers)
    .where(
      and(
        eq(customers.projectId, projectId),
        page.after,
        query.external_id !== undefined ? eq(customers.externalId, query.external_id) : undefined,
        query.q !== undefined ? searchCondition(query.q) : undefined,
      ),
    )
    .orderBy(...page.orderBy)
    .limit(page.limit)
    .offset(page.offset);
  const phones = await phonesOf(db, rows.map((row) => row.id));
  return c.json(toPage(rows, query, (row) => present(row, phones.get(row.id) ?? [])), 200);
};

async function presentOne(db: AppEnv["Variables"]["db"], row: CustomerRow) {
  return present(row, (await phonesOf(db, [row.id])).get(row.id) ?? []);
}

export const getCustomerHandler: RouteHandler<typeof getCustomer, AppEnv> = async (c) => {
  const { projectId } = projectCaller(c);
  const db = c.get("db");
  const row = await findCustomer(db, projectId, { id: c.req.valid("param").id });
  if (!row) throw notFound("customer", "id");
  return c.json(await presentOne(db, row), 200);
};

export const getCustomerByExternalIdHandler: RouteHandler<typeof getCustomerByExternalId, AppEnv> = async (c) => {
  const { projectId } = projectCaller(c);
  const db = c.get("db");
  const row = await findCustomer(db, projectId, { externalId: c.req.valid("param").external_id });
  if (!row) throw new ApiError("not_found", "No customer in this project has that external_id.", { param: "external_id" });
  return c.json(await presentOne(db, row), 200);
};

export const updateCustomerHandler: RouteHandler<typeof updateCustomer, AppEnv> = async (c) => {
  const { projectId } = projectCaller(c);
  const body = c.req.valid("json");
  const db = c.get("db");
  const existing = await findCustomer(db, projectId, { id: c.req.valid("param").id });
  if (!existing) throw notFound("customer", "id");

  const phones = requestedPhones(body);
  const columns = columnsOf(body);
  if (Object.keys(columns).length === 0 && !phones) return c.json(await presentOne(db, existing), 200);

  const updated: CustomerRow = { ...existing, ...columns, updatedAt: nowIso() };
  if (columns.externalId) await assertExternalIdFree(db, projectId, columns.externalId, existing.id);
  const ownRow = and(eq(customers.id, existing.id), eq(customers.projectId, projectId));
  // Replacing the phones and the row together keeps the customer whole if either write fails.
  await writing(
    db.batch([
      db.update(customers).set({ ...columns, updatedAt: updated.updatedAt }).where(ownRow),
      ...(phones ? [db.delete(customerPhones).where(eq(customerPhones.customerId, existing.id)), insertPhones(db, existing, phones)] : []),
    ]),
    columns.externalId,
  );
  return c.json(phones ? present(updated, phones) : await presentOne(db, updated), 200);
};

const hasNotifications = () =>
  new ApiError("conflict", "This customer has notifications and is kept for their history; it cannot be deleted.", { param: "id" });

export const deleteCustomerHandler: RouteHandler<typeof deleteCustomer, AppEnv> = async (c) => {
  const { projectId } = projectCaller(c);
  const db = c.get("db");
  const existing = await findCustomer(db, projectId, { id: c.req.valid("param").id });
  if (!existing) throw notFound("customer", "id");
  if (await db.select({ id: notifications.id }).from(notifications).where(eq(notifications.customerId, existing.id)).get()) throw hasNotifications();

  try {
    await db.batch([
      db.delete(customerPhones).where(eq(customerPhones.customerId, existing.id)),
      db.delete(customers).where(and(eq(customers.id, existing.id), eq(customers.projectId, projectId))),
    ]);
  } catch (error) {
    // A notification created since the check above still holds the customer in place.
    if (String((error as Error)?.message).includes("FOREIGN KEY constraint failed")) throw hasNotifications();
    throw error;
  }
  return c.body(null, 204);
};
