import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { type Account, api, expectError, signup } from "../helpers/api";

const PHONE = "+14155552671";
const ENCODED = encodeURIComponent(PHONE);

const add = (account: Account, body: unknown) => api("/api/v1/do-not-call", { key: account.apiKey, body });
const importList = (account: Account, body: unknown) => api("/api/v1/do-not-call/import", { key: account.apiKey, body });
const listedCount = (account: Account) =>
  env.DB.prepare("SELECT COUNT(*) AS n FROM do_not_call WHERE project_id = ?").bind(account.projectId).first<number>("n");
/** Distinct valid US numbers: +1 415 555 2000 onwards. */
const numbers = (count: number, from = 2000) => Array.from({ length: count }, (_, i) => `+1415555${String(from + i).padStart(4, "0")}`);

describe("POST /api/v1/do-not-call", () => {
  it("lists a number in E.164 with 201, and answers 200 with the same entry when it is already listed", async () => {
    const account = await signup();
    const created = await add(account, { phone: "+1 (415) 555-2671", reason: "Asked not to be called" });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({ id: expect.any(String), phone: PHONE, reason: "Asked not to be called", source: "api", call_id: null, created_at: expect.any(String) });
    const again = await add(account, { phone: PHONE, reason: "another reason" });
    expect(again.status).toBe(200);
    expect(again.body).toEqual(created.body);
    expect(await listedCount(account)).toBe(1);
  });

  it("refuses an invalid number naming phone, and unknown fields", async () => {
    const account = await signup();
    expectError(await add(account, { phone: "4155552671" }), 400, "validation_failed", "phone");
    expectError(await add(account, { phone: "+15555555555" }), 400, "validation_failed", "phone");
    expectError(await add(account, { phone: PHONE, source: "call" }), 400, "unknown_field", "source");
    expect(await listedCount(account)).toBe(0);
  });

  it("needs the project's API key", async () => {
    const account = await signup();
    expectError(await api("/api/v1/do-not-call", { body: { phone: PHONE } }), 401, "unauthenticated");
    expectError(await api("/api/v1/do-not-call", { token: account.accessToken, body: { phone: PHONE } }), 403, "forbidden");
  });
});

describe("GET and DELETE /api/v1/do-not-call/{phone}", () => {
  it("reads a listed number by its URL-encoded E.164 form and 404s an unlisted one", async () => {
    const account = await signup();
    const created = await add(account, { phone: PHONE });
    const read = await api(`/api/v1/do-not-call/${ENCODED}`, { key: account.apiKey });
    expect(read.status).toBe(200);
    expect(read.body).toEqual(created.body);
    expectError(await api(`/api/v1/do-not-call/${encodeURIComponent("+14155552672")}`, { key: account.apiKey }), 404, "not_found", "phone");
    expectError(await api("/api/v1/do-not-call/not-a-number", { key: account.apiKey }), 400, "validation_failed", "phone");
  });

  it("removes a number with 204, then answers 404", async () => {
    const account = await signup();
    await add(account, { phone: PHONE });
    const removed = await api(`/api/v1/do-not-call/${ENCODED}`, { method: "DELETE", key: account.apiKey });
    expect(removed.status).toBe(204);
    expect(await listedCount(account)).toBe(0);
    expectError(await api(`/api/v1/do-not-call/${ENCODED}`, { method: "DELETE", key: account.apiKey }), 404, "not_found", "phone");
  });

  it("keeps another project's entries invisible: 404 on read and delete, and nothing changes", async () => {
    const mine = await signup();
    const theirs = await signup();
    await add(theirs, { phone: PHONE });
    expectError(await api(`/api/v1/do-not-call/${ENCODED}`, { key: mine.apiKey }), 404, "not_found");
    expectError(await api(`/api/v1/do-not-call/${ENCODED}`, { method: "DELETE", key: mine.apiKey }), 404, "not_found");
    expect((await api("/api/v1/do-not-call", { key: mine.apiKey })).body.data).toEqual([]);
    expect(await listedCount(theirs)).toBe(1);
    // Listing it in my project is a separate entry, not a clash with theirs.
    expect((await add(mine, { phone: PHONE })).status).toBe(201);
  });
});

describe("GET /api/v1/do-not-call", () => {
  it("pages newest first with limit and cursor, and filters by the beginning of the number", async () => {
    const account = await signup();
    const phones = numbers(5);
    for (const phone of phones) await add(account, { phone });
    await add(account, { phone: "+4930123456" });
    // Distinct creation times, so the expected order does not hang on a millisecond.
    for (const [i, phone] of [...phones, "+4930123456"].entries()) {
      await env.DB.prepare("UPDATE do_not_call SET created_at = ? WHERE phone_e164 = ? AND project_id = ?").bind(`2026-01-0${i + 1}T00:00:00.000Z`, phone, account.projectId).run();
    }
    const first = await api("/api/v1/do-not-call?limit=4", { key: account.apiKey });
    expect(first.body.has_more).toBe(true);
    const second = await api(`/api/v1/do-not-call?limit=4&cursor=${first.body.next_cursor}`, { key: account.apiKey });
    expect(second.body).toMatchObject({ has_more: false, next_cursor: null });
    const all = [...first.body.data, ...second.body.data].map((entry: { phone: string }) => entry.phone);
    expect(all).toEqual(["+4930123456", ...[...phones].reverse()]);

    const us = await api(`/api/v1/do-not-call?phone=${encodeURIComponent("+1415")}`, { key: account.apiKey });
    expect(us.body.data).toHaveLength(5);
    const one = await api(`/api/v1/do-not-call?phone=${encodeURIComponent(phones[2]!)}`, { key: account.apiKey });
    expect(one.body.data.map((entry: { phone: string }) => entry.phone)).toEqual([phones[2]]);
    expectError(await api("/api/v1/do-not-call?phone=abc", { key: account.apiKey }), 400, "validation_failed", "phone");
  });
});

describe("POST /api/v1/do-not-call/import", () => {
  it("lists the valid numbers, counts those already listed and reports invalid ones by index", async () => {
    const account = await signup();
    await add(account, { phone: PHONE });
    const res = await importList(account, { phones: ["+14155552672", "not a number", PHONE, "+1 415 555 2673", "+14155552672", "+15555555555"], reason: "CRM export" });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      added: 2,
      already_listed: 2,
      invalid: [
        { index: 1, phone: "not a number", message: expect.stringContaining("not a valid phone number") },
        { index: 5, phone: "+15555555555", message: expect.any(String) },
      ],
    });
    const stored = await env.DB.prepare("SELECT phone_e164, source, reason FROM do_not_call WHERE project_id = ? AND source = 'import' ORDER BY phone_e164")
      .bind(account.projectId)
      .all();
    expect(stored.results).toEqual([
      { phone_e164: "+14155552672", source: "import", reason: "CRM export" },
      { phone_e164: "+14155552673", source: "import", reason: "CRM export" },
    ]);
  });

  it("imports 1000 numbers over several batches, and again as already listed", async () => {
    const account = await signup();
    const phones = numbers(1000);
    const first = await importList(account, { phones });
    expect(first.body).toEqual({ added: 1000, already_listed: 0, invalid: [] });
    expect(await listedCount(account)).toBe(1000);
    const again = await importList(account, { phones: phones.slice(0, 250) });
    expect(again.body).toEqual({ added: 0, already_listed: 250, invalid: [] });
  });

  it("refuses more than 1000 numbers, an empty list and unknown fields", async () => {
    const account = await signup();
    expectError(await importList(account, { phones: numbers(1001) }), 400, "validation_failed", "phones");
    expectError(await importList(account, { phones: [] }), 400, "validation_failed", "phones");
    expectError(await importList(account, { phones: [PHONE], source: "call" }), 400, "unknown_field", "source");
    expect(await listedCount(account)).toBe(0);
  });
});

describe("addToDoNotCallList and isOnDoNotCallList (for the agent's tool and the dispatcher)", () => {
  it("lists a number once, normalised, and reports the listing", async () => {
    const { createDb } = await import("../../src/db/client");
    const { addToDoNotCallList, isOnDoNotCallList } = await import("../../src/domain/policy");
    const account = await signup();
    const db = createDb(env.DB);
    expect(await isOnDoNotCallList(db, account.projectId, PHONE)).toBeNull();
    const first = await addToDoNotCallList(db, account.projectId, "+1 415-555-2671", { reason: "Said so on the call", source: "call" });
    expect(first).toMatchObject({ created: true, entry: { phone: PHONE, source: "call", reason: "Said so on the call" } });
    const second = await addToDoNotCallList(db, account.projectId, PHONE, { source: "api" });
    expect(second).toEqual({ created: false, entry: first.entry });
    expect(await isOnDoNotCallList(db, account.projectId, PHONE)).toEqual({ reason: "Said so on the call", source: "call", createdAt: first.entry.createdAt });
    const other = await signup();
    expect(await isOnDoNotCallList(db, other.projectId, PHONE)).toBeNull();
  });
});
