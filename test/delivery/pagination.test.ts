import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { type Account, api, expectError, signup } from "../helpers/api";
import { emit, webhooksPath } from "./helpers";

async function endpoints(account: Account, n: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const created = await api(webhooksPath(account), { key: account.apiKey, body: { url: `https://hooks.example.com/${i}`, events: ["call.summary"] } });
    ids.push(created.body.id);
  }
  return newestFirst("webhook_endpoints", ids);
}

/** The order lists promise: newest first, ties (same millisecond) by id, descending. */
async function newestFirst(table: string, ids: string[]): Promise<string[]> {
  const rows = await env.DB.prepare(`SELECT id FROM ${table} WHERE id IN (${ids.map(() => "?").join(",")}) ORDER BY created_at DESC, id DESC`)
    .bind(...ids)
    .all<{ id: string }>();
  return rows.results.map((r) => r.id);
}

/** Every page of a list, following next_cursor. */
async function walk(account: Account, path: string, limit: number) {
  const pages: { data: { id: string }[]; has_more: boolean; next_cursor: string | null }[] = [];
  let cursor: string | null = null;
  do {
    const res: { status: number; body: any } = await api(`${path}?limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`, { key: account.apiKey });
    expect(res.status).toBe(200);
    pages.push(res.body);
    cursor = res.body.next_cursor;
  } while (cursor && pages.length < 10);
  return pages;
}

describe("webhook lists are paginated", () => {
  it("pages endpoints newest first with limit and next_cursor", async () => {
    const account = await signup();
    const ids = await endpoints(account, 5);
    const pages = await walk(account, webhooksPath(account), 2);
    expect(pages.map((p) => p.data.map((e) => e.id))).toEqual([ids.slice(0, 2), ids.slice(2, 4), ids.slice(4)]);
    expect(pages.map((p) => p.has_more)).toEqual([true, true, false]);
    expect(pages.at(-1)!.next_cursor).toBeNull();
  });

  it("pages endpoints with limit and offset", async () => {
    const account = await signup();
    const ids = await endpoints(account, 3);
    const res = await api(`${webhooksPath(account)}?limit=1&offset=1`, { key: account.apiKey });
    expect(res.body).toMatchObject({ data: [{ id: ids[1] }], has_more: true, next_cursor: expect.any(String) });
  });

  it("pages an endpoint's deliveries, each with its attempts", async () => {
    const account = await signup();
    const [id] = await endpoints(account, 1);
    const emitted: string[] = [];
    for (let i = 0; i < 3; i++) emitted.push(...(await emit(account)).deliveryIds);
    const deliveries = await newestFirst("webhook_deliveries", emitted);
    expect(deliveries).toHaveLength(3);
    const path = webhooksPath(account, `/${id}/deliveries`);
    const pages = await walk(account, path, 2);
    expect(pages.flatMap((p) => p.data.map((d) => d.id))).toEqual(deliveries);
    expect(pages.map((p) => p.has_more)).toEqual([true, false]);
    expect(pages[0]!.data[0]).toMatchObject({ status: "pending", attempts: [] });
  });

  it("refuses a limit over 100 and a cursor it did not give out", async () => {
    const account = await signup();
    expectError(await api(`${webhooksPath(account)}?limit=101`, { key: account.apiKey }), 400, "validation_failed", "limit");
    expectError(await api(`${webhooksPath(account)}?cursor=not-a-cursor`, { key: account.apiKey }), 400, "validation_failed", "cursor");
  });
});
