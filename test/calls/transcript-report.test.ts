import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { api, expectError, signup } from "../helpers/api";
import { notify, setUpCall, storedCall, waitForCallEnd, waitForCallStatus } from "../helpers/calls";

const CONFIRMS = "+14155550101";
const NO_ANSWER = "+14155550105"; // rings for a few seconds: the call is live and unfinished

async function placeCall(phone: string) {
  const setup = await setUpCall(phone);
  const res = await notify(setup);
  expect(res.status).toBe(201);
  return { setup, callId: res.body.call.callId as string };
}

/** The post-call queue works results out after the call ends. */
async function waitForResults(callId: string, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const row = await storedCall(callId);
    if (row?.processed_at) return row;
    if (Date.now() > deadline) throw new Error(`call ${callId} was never processed`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function finishedCall() {
  const { setup, callId } = await placeCall(CONFIRMS);
  expect((await waitForCallEnd(setup.account, callId)).status).toBe("completed");
  await waitForResults(callId);
  return { setup, callId };
}

describe("a call's transcript, results and report", () => {
  it("GET /calls/{id}/transcript answers the lines and the text, agent first", async () => {
    const { setup, callId } = await finishedCall();
    const res = await api(`/api/v1/calls/${callId}/transcript`, { key: setup.account.apiKey });
    expect(res.status).toBe(200);
    expect(res.body.call_id).toBe(callId);
    expect(res.body.entries[0]).toMatchObject({ speaker: "agent", start_ms: expect.any(Number), end_ms: expect.any(Number), interrupted: false });
    expect(res.body.entries.map((e: { speaker: string }) => e.speaker)).toContain("customer");
    expect(res.body.text.split("\n")).toEqual(res.body.entries.map((e: { speaker: string; text: string }) => `${e.speaker === "agent" ? "Agent" : "Customer"}: ${e.text}`));
    expect(res.body.text).toMatch(/^Agent: Hi John, this is Acme Inc/);
  }, 60_000);

  it("GET /calls/{id}/report makes a markdown report once and stores it", async () => {
    const { setup, callId } = await finishedCall();
    const res = await api(`/api/v1/calls/${callId}/report`, { key: setup.account.apiKey });
    expect(res.status).toBe(200);
    expect(res.body.call_id).toBe(callId);
    expect(res.body.report).toMatch(/^# Call report/);
    expect(res.body.report).toContain("**Outcome:** completed (agent ended)");
    expect(res.body.report).toContain("## Transcript\n\nAgent: Hi John");
    expect(res.body.report).toContain('"confirmed": true');
    expect((await storedCall(callId))?.report).toBe(res.body.report);
    const again = await api(`/api/v1/calls/${callId}/report`, { key: setup.account.apiKey });
    expect(again.body.report).toBe(res.body.report);
  }, 60_000);

  it("POST /calls/{id}/transcript works the results out again and answers them", async () => {
    const { setup, callId } = await finishedCall();
    await api(`/api/v1/calls/${callId}/report`, { key: setup.account.apiKey });
    await env.DB.prepare("UPDATE calls SET summary = 'stale', report = 'stale' WHERE id = ?").bind(callId).run();
    const before = await storedCall(callId);

    const res = await api(`/api/v1/calls/${callId}/transcript`, { method: "POST", key: setup.account.apiKey });
    expect(res.status).toBe(200);
    expect(res.body.transcript).toMatchObject({ call_id: callId, text: expect.stringMatching(/^Agent: /) });
    expect(res.body.analysis).toEqual({ confirmed: true, reschedule_request: null });
    expect(res.body.summary).toEqual(expect.any(String));
    expect(res.body.summary).not.toBe("stale");
    expect(res.body.report).toMatch(/^# Call report/);

    const after = await storedCall(callId);
    expect(after?.summary).toBe(res.body.summary);
    expect(after?.report).toBe(res.body.report);
    expect(after?.processed_at).not.toBe(before?.processed_at);
  }, 60_000);

  it("POST /calls/{id}/transcript answers 409 while the call is not finished, and changes nothing", async () => {
    const { setup, callId } = await placeCall(NO_ANSWER);
    await waitForCallStatus(setup.account, callId, "ringing");
    expectError(await api(`/api/v1/calls/${callId}/transcript`, { method: "POST", key: setup.account.apiKey }), 409, "conflict");
    expect((await storedCall(callId))?.processed_at).toBeNull();
  }, 40_000);

  it("another project's call answers 404 on transcript, report, reprocessing and live", async () => {
    const { callId } = await placeCall("+14155550104");
    const stranger = await signup();
    for (const [method, path] of [
      ["GET", "transcript"],
      ["POST", "transcript"],
      ["GET", "report"],
      ["GET", "live"],
    ]) {
      expectError(await api(`/api/v1/calls/${callId}/${path}`, { method, key: stranger.apiKey }), 404, "not_found");
    }
    expect((await storedCall(callId))?.report).toBeNull();
  }, 40_000);

  it("an unknown call answers 404", async () => {
    const account = await signup();
    expectError(await api(`/api/v1/calls/${crypto.randomUUID()}/transcript`, { key: account.apiKey }), 404, "not_found");
  });

  it("without an API key the transcript answers 401", async () => {
    expectError(await api(`/api/v1/calls/${crypto.randomUUID()}/transcript`), 401, "unauthenticated");
  });
});
