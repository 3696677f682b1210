import { describe, expect, it } from "vitest";
import { api, signup } from "../helpers/api";
import { consume, emit, receiverLog, receiverUrl, scheduledNotification } from "./helpers";

const COMPLETED = { call_id: "c", status: "completed" };

async function delivered() {
  const account = await signup();
  const key = crypto.randomUUID();
  const notificationId = await scheduledNotification(account, { webhook_url: receiverUrl("/ok", key), webhook_events: ["call_completed"] });
  const { deliveryIds } = await emit(account, { type: "call.completed", notificationId, data: COMPLETED });
  await consume(deliveryIds[0]!);
  return { account, key, notificationId, deliveryId: deliveryIds[0]! };
}

describe("deliveries to a notification's own webhook_url", () => {
  it("are listed on the notification with every attempt", async () => {
    const { account, notificationId, deliveryId } = await delivered();
    const res = await api(`/api/v1/notifications/${notificationId}/deliveries`, { key: account.apiKey });
    expect(res.status).toBe(200);
    expect(res.body.data).toEqual([
      expect.objectContaining({ id: deliveryId, event_type: "call.completed", status: "succeeded", attempts: [expect.objectContaining({ attempt: 1, status_code: 200 })] }),
    ]);
  });

  it("can be sent again: the receiver gets the same event a second time", async () => {
    const { account, key, notificationId, deliveryId } = await delivered();
    const res = await api(`/api/v1/notifications/${notificationId}/deliveries/${deliveryId}/redeliver`, { key: account.apiKey, body: {} });
    expect(res.status).toBe(202);
    await consume(deliveryId, 2);
    const log = await receiverLog(key);
    expect(log).toHaveLength(2);
    expect(JSON.parse(log[1]!.body).id).toBe(JSON.parse(log[0]!.body).id);
  });

  it("are another project's business: its key gets 404 and cannot redeliver", async () => {
    const { notificationId, deliveryId } = await delivered();
    const other = await signup();
    expect((await api(`/api/v1/notifications/${notificationId}/deliveries`, { key: other.apiKey })).status).toBe(404);
    expect((await api(`/api/v1/notifications/${notificationId}/deliveries/${deliveryId}/redeliver`, { key: other.apiKey, body: {} })).status).toBe(404);
  });
});
