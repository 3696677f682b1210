import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { DISABLE_AFTER_FAILING_DAYS } from "../../src/delivery/endpoint-health";
import { type Account, api, signup } from "../helpers/api";
import { consume, emit, receiverUrl, storedDelivery, webhooksPath } from "./helpers";

const DAY = 86_400_000;

/** An endpoint on the test receiver; without a secret in its URL, /echo-seed refuses every delivery with 401. */
async function endpoint(account: Account, route = "/echo-seed") {
  const created = await api(webhooksPath(account), { key: account.apiKey, body: { url: receiverUrl(route, crypto.randomUUID()), events: ["call.summary"] } });
  if (created.status !== 201) throw new Error(JSON.stringify(created.body));
  return created.body.id as string;
}

const read = (account: Account, id: string) => api(webhooksPath(account, `/${id}`), { key: account.apiKey });
const failingFor = (id: string, ms: number) => {
  const since = new Date(Date.now() - ms).toISOString();
  return env.DB.prepare("UPDATE webhook_endpoints SET failing_since = ? WHERE id = ?").bind(since, id).run().then(() => since);
};

describe("an endpoint that keeps failing", () => {
  it("shows failing_since from its first failed delivery until the next success", async () => {
    const account = await signup();
    const id = await endpoint(account, "/fail-once");
    const { deliveryIds } = await emit(account);
    await consume(deliveryIds[0]!, 1);
    const failing = (await read(account, id)).body.failing_since;
    expect(Date.parse(failing)).toBeGreaterThan(Date.now() - 60_000);
    await consume(deliveryIds[0]!, 2);
    expect((await read(account, id)).body).toMatchObject({ failing_since: null, enabled: true });
  });

  it(`is disabled, visibly, when it has failed for ${DISABLE_AFTER_FAILING_DAYS} days`, async () => {
    const account = await signup();
    const id = await endpoint(account);
    const since = await failingFor(id, DISABLE_AFTER_FAILING_DAYS * DAY + 60_000);
    const { deliveryIds } = await emit(account);
    const result = await consume(deliveryIds[0]!);
    expect(result).toEqual({ acked: ["msg-1"], retried: false });
    expect(await storedDelivery(deliveryIds[0]!)).toMatchObject({ status: "failed", last_status_code: 401, last_error: expect.stringContaining("disabled") });
    const shown = (await read(account, id)).body;
    expect(shown).toMatchObject({ enabled: false, failing_since: since });
    expect(shown.disabled_reason).toContain(`${DISABLE_AFTER_FAILING_DAYS} days`);
    expect(shown.disabled_reason).toContain('"enabled": true');
    const listed = await api(webhooksPath(account), { key: account.apiKey });
    expect(listed.body.data).toMatchObject([{ id, enabled: false, disabled_reason: shown.disabled_reason }]);
    // A disabled endpoint gets no new deliveries.
    expect((await emit(account)).deliveryIds).toEqual([]);
  });

  it(`is not disabled before ${DISABLE_AFTER_FAILING_DAYS} days of failing`, async () => {
    const account = await signup();
    const id = await endpoint(account);
    const since = await failingFor(id, DISABLE_AFTER_FAILING_DAYS * DAY - 3_600_000);
    const { deliveryIds } = await emit(account);
    expect((await consume(deliveryIds[0]!)).retried).toBe(true);
    expect(await storedDelivery(deliveryIds[0]!)).toMatchObject({ status: "pending" });
    expect((await read(account, id)).body).toMatchObject({ enabled: true, disabled_reason: null, failing_since: since });
  });

  it("is enabled again with PATCH enabled: true, which clears the reason and the failing streak", async () => {
    const account = await signup();
    const id = await endpoint(account);
    await failingFor(id, DISABLE_AFTER_FAILING_DAYS * DAY + 60_000);
    await consume((await emit(account)).deliveryIds[0]!);
    expect((await read(account, id)).body.enabled).toBe(false);
    const enabled = await api(webhooksPath(account, `/${id}`), { key: account.apiKey, method: "PATCH", body: { enabled: true } });
    expect(enabled.status).toBe(200);
    expect(enabled.body).toMatchObject({ enabled: true, disabled_reason: null, failing_since: null });
    expect(await env.DB.prepare("SELECT enabled, disabled_reason, failing_since FROM webhook_endpoints WHERE id = ?").bind(id).first()).toEqual({
      enabled: 1,
      disabled_reason: null,
      failing_since: null,
    });
    expect((await emit(account)).deliveryIds).toHaveLength(1);
  });
});
