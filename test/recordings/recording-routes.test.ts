import { env } from "cloudflare:test";
import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { issueRecordingToken } from "../../src/recordings/recording-token";
import { api, expectError, signup } from "../helpers/api";
import { notify, setUpCall, storedCall, waitForCallEnd, waitForCallStatus } from "../helpers/calls";
import { recordedCall } from "./helpers";

const HANGS_UP = "+14155550108"; // a short call: the callee hangs up during the greeting
const SILENT = "+14155550109"; // stays on the line, saying nothing

/** GETs a path as a browser would, reading the body as bytes. */
async function fetchBytes(path: string, headers: Record<string, string> = {}) {
  const res = await exports.default.fetch(new Request(`https://parley.test${path}`, { headers }));
  const bytes = new Uint8Array(await res.arrayBuffer());
  const body = res.headers.get("content-type")?.includes("json") ? JSON.parse(new TextDecoder().decode(bytes)) : null;
  return { status: res.status, headers: res.headers, bytes, body };
}

const storedObject = async (key: string) => new Uint8Array(await (await env.RECORDINGS.get(key))!.arrayBuffer());
const pathOf = (url: string) => url.slice(new URL(url).origin.length);

describe("GET /api/v1/calls/{id}/recording", () => {
  it("answers a link valid for 15 minutes with the recording's length and size", async () => {
    const { setup, callId, row } = await recordedCall(HANGS_UP);
    const res = await api(`/api/v1/calls/${callId}/recording`, { key: setup.account.apiKey });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      call_id: callId,
      url: expect.stringMatching(new RegExp(`^https://parley\\.test/api/v1/calls/${callId}/recording/stream\\?token=[\\w.-]+$`)),
      expires_at: expect.any(String),
      duration_ms: row.recording_duration_ms,
      size_bytes: row.recording_bytes,
      content_type: "audio/wav",
    });
    const ttl = Date.parse(res.body.expires_at) - Date.now();
    expect(ttl).toBeGreaterThan(14 * 60_000);
    expect(ttl).toBeLessThanOrEqual(15 * 60_000);
  }, 30_000);

  it("says the recording is not ready while the call is still running, and refuses to delete it (409)", async () => {
    const setup = await setUpCall(SILENT);
    const callId = (await notify(setup)).body.call.callId as string;
    await waitForCallStatus(setup.account, callId, "in_progress");
    for (let i = 0; i < 50 && (await storedCall(callId))?.recording_status !== "recording"; i++) await new Promise((r) => setTimeout(r, 50));
    expect((await api(`/api/v1/calls/${callId}`, { key: setup.account.apiKey })).body.recording).toEqual({ status: "recording", duration_ms: null, size_bytes: null });
    const res = await api(`/api/v1/calls/${callId}/recording`, { key: setup.account.apiKey });
    expectError(res, 404, "not_found", "id");
    expect(res.body.error.message).toMatch(/still being recorded/);
    expectError(await api(`/api/v1/calls/${callId}/recording`, { method: "DELETE", key: setup.account.apiKey }), 409, "conflict");
    await api(`/api/v1/calls/${callId}/cancel`, { method: "POST", key: setup.account.apiKey });
    await waitForCallEnd(setup.account, callId);
  }, 30_000);
});

describe("GET /api/v1/calls/{id}/recording/stream", () => {
  it("plays the recording from the link without an API key, as audio/wav", async () => {
    const { setup, callId, row } = await recordedCall(HANGS_UP);
    const link = (await api(`/api/v1/calls/${callId}/recording`, { key: setup.account.apiKey })).body;
    const res = await fetchBytes(pathOf(link.url));
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("audio/wav");
    expect(res.headers.get("accept-ranges")).toBe("bytes");
    expect(res.headers.get("content-length")).toBe(String(row.recording_bytes));
    expect(res.bytes).toEqual(await storedObject(row.recording_key as string));
  }, 30_000);

  it("streams with the API key too, and refuses a request with neither key nor link (401)", async () => {
    const { setup, callId, row } = await recordedCall(HANGS_UP);
    const res = await fetchBytes(`/api/v1/calls/${callId}/recording/stream`, { "x-api-key": setup.account.apiKey });
    expect(res.status).toBe(200);
    expect(res.bytes.length).toBe(row.recording_bytes);
    const anonymous = await fetchBytes(`/api/v1/calls/${callId}/recording/stream`);
    expect(anonymous.status).toBe(401);
    expect(anonymous.body.error.code).toBe("unauthenticated");
  }, 30_000);

  it("answers a Range with 206 and exactly those bytes, and 416 for a range past the end", async () => {
    const { setup, callId, row } = await recordedCall(HANGS_UP);
    const stored = await storedObject(row.recording_key as string);
    const path = `/api/v1/calls/${callId}/recording/stream`;
    const key = setup.account.apiKey;
    const header = await fetchBytes(path, { "x-api-key": key, range: "bytes=0-43" });
    expect(header.status).toBe(206);
    expect(header.headers.get("content-range")).toBe(`bytes 0-43/${stored.length}`);
    expect(header.headers.get("content-length")).toBe("44");
    expect(new TextDecoder().decode(header.bytes.subarray(0, 4))).toBe("RIFF");
    expect(header.bytes).toEqual(stored.subarray(0, 44));
    const tail = await fetchBytes(path, { "x-api-key": key, range: "bytes=-100" });
    expect(tail.status).toBe(206);
    expect(tail.headers.get("content-range")).toBe(`bytes ${stored.length - 100}-${stored.length - 1}/${stored.length}`);
    expect(tail.bytes).toEqual(stored.subarray(-100));
    const past = await fetchBytes(path, { "x-api-key": key, range: `bytes=${stored.length}-` });
    expect(past.status).toBe(416);
    expect(past.headers.get("content-range")).toBe(`bytes */${stored.length}`);
    expect(past.body.error.param).toBe("Range");
  }, 30_000);

  it("does not open another call's recording with a link made for one call (403)", async () => {
    const setup = await setUpCall(HANGS_UP);
    const first = await recordedCall(HANGS_UP, setup);
    const second = await recordedCall(HANGS_UP, setup);
    const link = (await api(`/api/v1/calls/${first.callId}/recording`, { key: setup.account.apiKey })).body;
    const token = new URL(link.url).searchParams.get("token")!;
    const res = await fetchBytes(`/api/v1/calls/${second.callId}/recording/stream?token=${encodeURIComponent(token)}`);
    expect(res.status).toBe(403);
    expect(res.body.error).toMatchObject({ code: "forbidden", param: "token" });
  }, 40_000);

  it("refuses an expired or forged link with 401", async () => {
    const { setup, callId } = await recordedCall(HANGS_UP);
    const stream = (token: string) => fetchBytes(`/api/v1/calls/${callId}/recording/stream?token=${encodeURIComponent(token)}`);
    const expired = await issueRecordingToken(env, callId, setup.account.projectId, Date.now() - 16 * 60_000);
    const genuine = await issueRecordingToken(env, callId, setup.account.projectId);
    const [payload, signature] = genuine.token.split(".");
    const otherProject = btoa(JSON.stringify({ c: callId, p: crypto.randomUUID(), e: genuine.expiresAt })).replace(/=+$/, "");
    for (const token of [expired.token, `${otherProject}.${signature}`, `${payload}.${"A".repeat(signature!.length)}`, "not-a-token"]) {
      const res = await stream(token);
      expect(res.status, token).toBe(401);
      expect(res.body.error).toMatchObject({ code: "invalid_token", param: "token" });
    }
    expect((await stream(genuine.token)).status).toBe(200);
  }, 30_000);
});

describe("DELETE /api/v1/calls/{id}/recording", () => {
  it("removes the object; afterwards the recording answers 404 everywhere and deleting again is 204", async () => {
    const { setup, callId, row } = await recordedCall(HANGS_UP);
    const key = setup.account.apiKey;
    const link = (await api(`/api/v1/calls/${callId}/recording`, { key })).body;
    const res = await api(`/api/v1/calls/${callId}/recording`, { method: "DELETE", key });
    expect(res.status).toBe(204);
    expect(await env.RECORDINGS.head(row.recording_key as string)).toBeNull();
    expect(await storedCall(callId)).toMatchObject({ recording_status: "deleted", recording_bytes: null, recording_duration_ms: null });
    expect((await api(`/api/v1/calls/${callId}`, { key })).body.recording).toEqual({ status: "deleted", duration_ms: null, size_bytes: null });
    const gone = await api(`/api/v1/calls/${callId}/recording`, { key });
    expectError(gone, 404, "not_found", "id");
    expect(gone.body.error.message).toMatch(/deleted/);
    expect((await fetchBytes(pathOf(link.url))).status).toBe(404);
    expect((await api(`/api/v1/calls/${callId}/recording`, { method: "DELETE", key })).status).toBe(204);
  }, 30_000);

  it("answers 404 for a call that never had a recording", async () => {
    const setup = await setUpCall("+14155550104"); // busy: never answered
    const callId = (await notify(setup)).body.call.callId as string;
    await waitForCallEnd(setup.account, callId);
    expectError(await api(`/api/v1/calls/${callId}/recording`, { method: "DELETE", key: setup.account.apiKey }), 404, "not_found", "id");
  }, 30_000);
});

describe("another project's recording", () => {
  it("is 404 on all three routes with that project's key, and nothing changes", async () => {
    const { callId, row } = await recordedCall(HANGS_UP);
    const stranger = await signup();
    const key = stranger.apiKey;
    expectError(await api(`/api/v1/calls/${callId}/recording`, { key }), 404, "not_found");
    expect((await fetchBytes(`/api/v1/calls/${callId}/recording/stream`, { "x-api-key": key })).status).toBe(404);
    expectError(await api(`/api/v1/calls/${callId}/recording`, { method: "DELETE", key }), 404, "not_found");
    // Nor does a link issued for the stranger's own project.
    const foreign = await issueRecordingToken(env, callId, stranger.projectId);
    expect((await fetchBytes(`/api/v1/calls/${callId}/recording/stream?token=${encodeURIComponent(foreign.token)}`)).status).toBe(404);
    expect(await env.RECORDINGS.head(row.recording_key as string)).not.toBeNull();
    expect(await storedCall(callId)).toMatchObject({ recording_status: "available" });
  }, 30_000);
});
