import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { insertStatements } from "../src/db/insert-statement";
import { customers } from "../src/db/schema";
import { signup } from "./helpers/api";

describe("insert statements worked out once per table", () => {
  it("split many rows across statements within D1's 100 bound parameters, and store every value as drizzle would", async () => {
    const account = await signup();
    const now = new Date().toISOString();
    const rows = Array.from({ length: 20 }, (_, i) => ({
      id: crypto.randomUUID(),
      projectId: account.projectId,
      externalId: `bulk_${i}`,
      firstName: `First ${i}`,
      lastName: null,
      email: null,
      language: "en-US",
      timezone: null,
      customFields: { plan: "gold", seats: i },
      createdAt: now,
      updatedAt: now,
    }));
    const statements = insertStatements(env.DB, customers, rows);
    // 11 columns: at most 9 rows per statement.
    expect(statements).toHaveLength(3);
    await env.DB.batch(statements);

    const stored = await env.DB.prepare("SELECT external_id, first_name, last_name, language, custom_fields FROM customers WHERE project_id = ? ORDER BY external_id")
      .bind(account.projectId)
      .all();
    expect(stored.results).toHaveLength(20);
    expect(stored.results.find((r) => r.external_id === "bulk_7")).toEqual({
      external_id: "bulk_7",
      first_name: "First 7",
      last_name: null,
      language: "en-US",
      custom_fields: JSON.stringify({ plan: "gold", seats: 7 }),
    });
  });
});
