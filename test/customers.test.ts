import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { type Account, api, expectError, signup } from "./helpers/api";

const SEED_CUSTOMER = { external_id: "user_12345", first_name: "John", last_name: "Smith", phone: "+14155552671" };

async function createCustomer(account: Account, body: Record<string, unknown> = SEED_CUSTOMER) {
  const res = await api("/api/v1/customers", { key: account.apiKey, body });
  if (res.status !== 201) throw new Error(`customer not created: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

const customerCount = async (account: Account) =>
  (await env.DB.prepare("SELECT COUNT(*) AS n FROM customers WHERE project_id = ?").bind(account.projectId).first<{ n: number }>())?.n;

const storedPhones = (customerId: string) =>
  env.DB.prepare("SELECT value, is_primary, status, position, project_id FROM customer_phones WHERE customer_id = ? ORDER BY position").bind(customerId).all().then((r) => r.results);

describe("POST /api/v1/customers", () => {
  it("accepts Echo's quickstart body verbatim and answers the documented fields", async () => {
    const account = await signup();
    const res = await api("/api/v1/customers", { key: account.apiKey, body: SEED_CUSTOMER });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      project_id: account.projectId,
      external_id: "user_12345",
      first_name: "John",
      last_name: "Smith",
      phones: [{ value: "+14155552671", is_primary: true, status: "active" }],
    });
    expect(res.body.phones).toEqual([{ value: "+14155552671", is_primary: true, status: "active" }]);
    expect(await storedPhones(res.body.id)).toEqual([{ value: "+14155552671", is_primary: 1, status: "active", position: 0, project_id: account.projectId }]);
  });

  it("accepts a phones list, normalises numbers to E.164 and makes the first one primary", async () => {
    const account = await signup();
    const body = {
      first_name: "Ana",
      phones: [{ value: "+1 (415) 555-2671" }, { value: "+44 20 7183 8750", status: "inactive" }],
      email: "Ana@Example.com",
      language: "es-MX",
      timezone: "america/new_york",
      custom_fields: { plan: "gold", visits: 3, vip: true, referrer: null },
    };
    const customer = await createCustomer(account, body);
    expect(customer).toMatchObject({
      external_id: null,
      last_name: null,
      phones: [
        { value: "+14155552671", is_primary: true, status: "active" },
        { value: "+442071838750", is_primary: false, status: "inactive" },
      ],
      email: "ana@example.com",
      language: "es-MX",
      timezone: "America/New_York",
      custom_fields: { plan: "gold", visits: 3, vip: true, referrer: null },
      created_at: expect.any(String),
      updated_at: customer.created_at,
    });
  });

  it("keeps the primary the client marked", async () => {
    const account = await signup();
    const customer = await createCustomer(account, { phones: [{ value: "+14155552671" }, { value: "+12025550123", is_primary: true }] });
    expect(customer.phones.map((p: { is_primary: boolean }) => p.is_primary)).toEqual([false, true]);
  });

  it("refuses a number that cannot exist, names the field and stores nothing", async () => {
    const account = await signup();
    expectError(await api("/api/v1/customers", { key: account.apiKey, body: { ...SEED_CUSTOMER, phone: "+1234567890" } }), 400, "validation_failed", "phone");
    const list = { phones: [{ value: "+14155552671" }, { value: "+15555555555" }] };
    expectError(await api("/api/v1/customers", { key: account.apiKey, body: list }), 400, "validation_failed", "phones.1.value");
    expect(await customerCount(account)).toBe(0);
    expect(await env.DB.prepare("SELECT COUNT(*) AS n FROM customer_phones WHERE project_id = ?").bind(account.projectId).first("n")).toBe(0);
  });

  it("requires a phone, and refuses both forms at once", async () => {
    const account = await signup();
    expectError(await api("/api/v1/customers", { key: account.apiKey, body: { first_name: "John" } }), 400, "validation_failed", "phones");
    expectError(await api("/api/v1/customers", { key: account.apiKey, body: { phones: [] } }), 400, "validation_failed", "phones");
    const both = { phone: "+14155552671", phones: [{ value: "+12025550123" }] };
    expectError(await api("/api/v1/customers", { key: account.apiKey, body: both }), 400, "validation_failed", "phones");
    expect(await customerCount(account)).toBe(0);
  });

  it("refuses two primaries and the same number twice", async () => {
    const account = await signup();
    const twoPrimaries = { phones: [{ value: "+14155552671", is_primary: true }, { value: "+12025550123", is_primary: true }] };
    expectError(await api("/api/v1/customers", { key: account.apiKey, body: twoPrimaries }), 400, "validation_failed", "phones.1.is_primary");
    const duplicate = { phones: [{ value: "+14155552671" }, { value: "+1 415 555 2671" }] };
    expectError(await api("/api/v1/customers", { key: account.apiKey, body: duplicate }), 400, "validation_failed", "phones.1.value");
    expect(await customerCount(account)).toBe(0);
  });

  it("refuses a time zone that is not IANA", async () => {
    const account = await signup();
    for (const timezone of ["Mars/Olympus", "+05:30"]) {
      expectError(await api("/api/v1/customers", { key: account.apiKey, body: { ...SEED_CUSTOMER, timezone } }), 400, "validation_failed", "timezone");
    }
    expect(await customerCount(account)).toBe(0);
  });

  it("refuses custom fields that are nested or too many", async () => {
    const account = await signup();
    const nested = { ...SEED_CUSTOMER, custom_fields: { address: { city: "Paris" } } };
    expectError(await api("/api/v1/customers", { key: account.apiKey, body: nested }), 400, "validation_failed", "custom_fields.address");
    const many = { ...SEED_CUSTOMER, custom_fields: Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, i])) };
    expectError(await api("/api/v1/customers", { key: account.apiKey, body: many }), 400, "validation_failed", "custom_fields");
  });

  it("refuses unknown and read-only fields instead of ignoring them", async () => {
    const account = await signup();
    const other = await signup();
    expectError(await api("/api/v1/customers", { key: account.apiKey, body: { ...SEED_CUSTOMER, project_id: other.projectId } }), 400, "unknown_field", "project_id");
    expectError(await api("/api/v1/customers", { key: account.apiKey, body: { phones: [{ value: "+14155552671", id: "x" }] } }), 400, "unknown_field", "phones.0.id");
    expect(await customerCount(other)).toBe(0);
  });

  it("answers 409 external_id_taken for an external_id already used in the project", async () => {
    const account = await signup();
    await createCustomer(account);
    expectError(await api("/api/v1/customers", { key: account.apiKey, body: { ...SEED_CUSTOMER, phone: "+12025550123" } }), 409, "external_id_taken", "external_id");
    expect(await customerCount(account)).toBe(1);
  });

  it("stores every customer sent at the same moment, each whole, and answers a duplicate among them alone with 409", async () => {
    const account = await signup();
    const bodies = Array.from({ length: 8 }, (_, i) => ({
      external_id: i === 5 ? "dup" : `crowd_${i}`,
      first_name: `Caller ${i}`,
      phones: [{ value: `+1415555${String(2600 + i)}` }, { value: `+1415555${String(2700 + i)}` }],
      custom_fields: { plan: `tier ${i}` },
    }));
    bodies.push({ ...bodies[0]!, external_id: "dup", first_name: "Twin" });
    const answers = await Promise.all(bodies.map((body) => api("/api/v1/customers", { key: account.apiKey, body })));

    expect(answers.map((a) => a.status).sort()).toEqual([...Array(8).fill(201), 409]);
    expectError(answers.find((a) => a.status === 409)!, 409, "external_id_taken", "external_id");
    expect(await customerCount(account)).toBe(8);
    for (const answer of answers.filter((a) => a.status === 201)) {
      expect((await storedPhones(answer.body.id)).map((p) => p.value)).toEqual(answer.body.phones.map((p: { value: string }) => p.value));
      const fetched = await api(`/api/v1/customers/${answer.body.id}`, { key: account.apiKey });
      expect(fetched.body).toEqual(answer.body);
    }
  });

  it("lets another project reuse the same external_id", async () => {
    const first = await signup();
    const second = await signup();
    const a = await createCustomer(first);
    const b = await createCustomer(second);
    expect(b.external_id).toBe(a.external_id);
    expect(b.project_id).toBe(second.projectId);
  });
});

describe("finding customers", () => {
  it("finds a customer by external_id, and 404s for an unknown one or another project's", async () => {
    const account = await signup();
    const other = await signup();
    const customer = await createCustomer(account);
    await createCustomer(other, { ...SEED_CUSTOMER, external_id: "theirs/1" });

    const found = await api("/api/v1/customers/by-external-id/user_12345", { key: account.apiKey });
    expect(found.status).toBe(200);
    expect(found.body).toEqual(customer);
    expectError(await api("/api/v1/customers/by-external-id/nobody", { key: account.apiKey }), 404, "not_found", "external_id");
    expectError(await api(`/api/v1/customers/by-external-id/${encodeURIComponent("theirs/1")}`, { key: account.apiKey }), 404, "not_found");
    expect((await api(`/api/v1/customers/by-external-id/${encodeURIComponent("theirs/1")}`, { key: other.apiKey })).status).toBe(200);
  });

  it("gets a customer by id", async () => {
    const account = await signup();
    const customer = await createCustomer(account);
    const res = await api(`/api/v1/customers/${customer.id}`, { key: account.apiKey });
    expect(res.status).toBe(200);
    expect(res.body).toEqual(customer);
  });

  it("searches names, email, external_id and phone numbers with q", async () => {
    const account = await signup();
    const john = await createCustomer(account);
    const ana = await createCustomer(account, { external_id: "crm_100%_off", first_name: "Ana", email: "ana@example.com", phone: "+12025550123" });
    const search = async (q: string) =>
      (await api(`/api/v1/customers?q=${encodeURIComponent(q)}`, { key: account.apiKey })).body.data.map((c: { id: string }) => c.id);

    expect(await search("smi")).toEqual([john.id]);
    expect(await search("ANA@EXAMPLE")).toEqual([ana.id]);
    expect(await search("user_123")).toEqual([john.id]);
    expect(await search("(202) 555-0123")).toEqual([ana.id]);
    // % and _ are matched literally, not as wildcards.
    expect(await search("100%")).toEqual([ana.id]);
    expect(await search("%")).toEqual([ana.id]);
    expect(await search("crm_")).toEqual([ana.id]);
    expect(await search("nobody")).toEqual([]);
  });

  it("filters by exact external_id and never lists another project's customers", async () => {
    const account = await signup();
    const other = await signup();
    const john = await createCustomer(account);
    await createCustomer(account, { external_id: "user_123456", phone: "+12025550123" });
    await createCustomer(other);

    const res = await api("/api/v1/customers?external_id=user_12345", { key: account.apiKey });
    expect(res.body.data.map((c: { id: string }) => c.id)).toEqual([john.id]);
    const all = await api("/api/v1/customers", { key: account.apiKey });
    expect(all.body.data).toHaveLength(2);
    expect(all.body.data.every((c: { project_id: string }) => c.project_id === account.projectId)).toBe(true);
  });

  it("pages through customers with next_cursor, and with offset", async () => {
    const account = await signup();
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await createCustomer(account, { external_id: `page_${i}`, phone: "+14155552671" })).id);

    const seen: string[] = [];
    const pages: { has_more: boolean; size: number }[] = [];
    let cursor: string | null = null;
    do {
      const query: string = cursor ? `limit=2&cursor=${encodeURIComponent(cursor)}` : "limit=2";
      const res = await api(`/api/v1/customers?${query}`, { key: account.apiKey });
      expect(res.status).toBe(200);
      seen.push(...res.body.data.map((c: { id: string }) => c.id));
      pages.push({ has_more: res.body.has_more, size: res.body.data.length });
      cursor = res.body.next_cursor;
    } while (cursor);

    expect(pages).toEqual([
      { has_more: true, size: 2 },
      { has_more: true, size: 2 },
      { has_more: false, size: 1 },
    ]);
    expect([...seen].sort()).toEqual([...ids].sort());
    const byOffset = await api("/api/v1/customers?limit=2&offset=2", { key: account.apiKey });
    expect(byOffset.body.data.map((c: { id: string }) => c.id)).toEqual(seen.slice(2, 4));
    expectError(await api("/api/v1/customers?cursor=garbage", { key: account.apiKey }), 400, "validation_failed", "cursor");
  });
});

describe("PATCH /api/v1/customers/{id}", () => {
  it("changes only the fields sent", async () => {
    const account = await signup();
    const customer = await createCustomer(account, { ...SEED_CUSTOMER, email: "john@example.com" });
    const res = await api(`/api/v1/customers/${customer.id}`, { method: "PATCH", key: account.apiKey, body: { first_name: "Johnny", email: null } });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ ...customer, first_name: "Johnny", email: null, updated_at: expect.any(String) });
    expect(res.body.updated_at >= customer.updated_at).toBe(true);
    const stored = await env.DB.prepare("SELECT first_name, last_name, email FROM customers WHERE id = ?").bind(customer.id).first();
    expect(stored).toEqual({ first_name: "Johnny", last_name: "Smith", email: null });
  });

  it("replaces the whole phone list when phones are sent", async () => {
    const account = await signup();
    const customer = await createCustomer(account, { phones: [{ value: "+14155552671" }, { value: "+12025550123" }] });
    const body = { phones: [{ value: "+442071838750" }, { value: "+14155552671", is_primary: true, status: "inactive" }] };
    const res = await api(`/api/v1/customers/${customer.id}`, { method: "PATCH", key: account.apiKey, body });
    expect(res.status).toBe(200);
    const expected = [
      { value: "+442071838750", is_primary: false, status: "active" },
      { value: "+14155552671", is_primary: true, status: "inactive" },
    ];
    expect(res.body.phones).toEqual(expected);
    expect((await api(`/api/v1/customers/${customer.id}`, { key: account.apiKey })).body.phones).toEqual(expected);
    expect(await storedPhones(customer.id)).toHaveLength(2);
  });

  it("refuses an invalid phone and leaves the customer as it was", async () => {
    const account = await signup();
    const customer = await createCustomer(account);
    const res = await api(`/api/v1/customers/${customer.id}`, { method: "PATCH", key: account.apiKey, body: { first_name: "X", phones: [{ value: "+1234567890" }] } });
    expectError(res, 400, "validation_failed", "phones.0.value");
    expect((await api(`/api/v1/customers/${customer.id}`, { key: account.apiKey })).body).toEqual(customer);
  });

  it("answers 409 when moving to an external_id another customer has", async () => {
    const account = await signup();
    await createCustomer(account);
    const other = await createCustomer(account, { external_id: "user_999", phone: "+12025550123" });
    const res = await api(`/api/v1/customers/${other.id}`, { method: "PATCH", key: account.apiKey, body: { external_id: "user_12345" } });
    expectError(res, 409, "external_id_taken", "external_id");
    const sameAgain = await api(`/api/v1/customers/${other.id}`, { method: "PATCH", key: account.apiKey, body: { external_id: "user_999" } });
    expect(sameAgain.status).toBe(200);
  });

  it("refuses read-only fields", async () => {
    const account = await signup();
    const customer = await createCustomer(account);
    const res = await api(`/api/v1/customers/${customer.id}`, { method: "PATCH", key: account.apiKey, body: { created_at: "2000-01-01T00:00:00.000Z" } });
    expectError(res, 400, "unknown_field", "created_at");
  });
});

describe("DELETE /api/v1/customers/{id}", () => {
  it("deletes the customer and their phones", async () => {
    const account = await signup();
    const customer = await createCustomer(account);
    const res = await api(`/api/v1/customers/${customer.id}`, { method: "DELETE", key: account.apiKey });
    expect(res.status).toBe(204);
    expectError(await api(`/api/v1/customers/${customer.id}`, { key: account.apiKey }), 404, "not_found", "id");
    expect(await storedPhones(customer.id)).toEqual([]);
  });

  it("keeps a customer who has notifications, with 409", async () => {
    const account = await signup();
    const customer = await createCustomer(account);
    const now = new Date().toISOString();
    await env.DB.prepare("INSERT INTO notifications (id, project_id, customer_id, status, created_at, updated_at) VALUES (?, ?, ?, 'completed', ?, ?)")
      .bind(crypto.randomUUID(), account.projectId, customer.id, now, now)
      .run();
    expectError(await api(`/api/v1/customers/${customer.id}`, { method: "DELETE", key: account.apiKey }), 409, "conflict");
    expect((await api(`/api/v1/customers/${customer.id}`, { key: account.apiKey })).body).toEqual(customer);
  });
});

describe("customer security", () => {
  it("answers 404 for another project's customer on GET, PATCH and DELETE, and changes nothing", async () => {
    const owner = await signup();
    const intruder = await signup();
    const customer = await createCustomer(owner);
    const path = `/api/v1/customers/${customer.id}`;
    expectError(await api(path, { key: intruder.apiKey }), 404, "not_found", "id");
    expectError(await api(path, { method: "PATCH", key: intruder.apiKey, body: { first_name: "Mallory", phones: [{ value: "+12025550123" }] } }), 404, "not_found", "id");
    expectError(await api(path, { method: "DELETE", key: intruder.apiKey }), 404, "not_found", "id");
    expect((await api(path, { key: owner.apiKey })).body).toEqual(customer);
  });

  it("refuses a session token with 403: customers are reached with the project's API key", async () => {
    const account = await signup();
    expectError(await api("/api/v1/customers", { token: account.accessToken }), 403, "forbidden");
    expectError(await api("/api/v1/customers", { token: account.accessToken, body: SEED_CUSTOMER }), 403, "forbidden");
    expect(await customerCount(account)).toBe(0);
  });

  it("refuses a missing or unknown API key with 401", async () => {
    expectError(await api("/api/v1/customers"), 401, "unauthenticated");
    expectError(await api("/api/v1/customers", { body: SEED_CUSTOMER }), 401, "unauthenticated");
    expectError(await api("/api/v1/customers", { key: `echo_${"0".repeat(64)}` }), 401, "invalid_api_key");
  });
});
