import { and, eq } from "drizzle-orm";
import { Hono } from "hono";
import { apiKeyGate } from "../../auth/api-key-gate";
import { hashPresentedKey, looksLikeApiKey } from "../../auth/credentials";
import { callSession } from "../../calls/engine";
import { LISTENER_HEADER } from "../../calls/listeners";
import { verifyLiveToken } from "../../calls/live-token";
import { calls } from "../../db/schema";
import type { AppEnv } from "../../lib/app-env";
import { ApiError, notFound } from "../../lib/errors";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The project whose credential this is, or a 401: an API key of the project, or the call's own session token. */
async function projectOf(env: Env, callId: string, query: { api_key?: string; session_token?: string }): Promise<string> {
  if (query.api_key) {
    const invalid = new ApiError("invalid_api_key", "The API key is invalid, expired or revoked.", { param: "api_key" });
    if (!looksLikeApiKey(query.api_key)) throw invalid;
    const keyHash = await hashPresentedKey(query.api_key);
    const admission = await apiKeyGate(env, keyHash).admit(keyHash);
    if (!admission.admitted) throw invalid;
    return admission.caller.projectId;
  }
  if (query.session_token) {
    const grant = await verifyLiveToken(env, query.session_token);
    // A token opens only the call it was issued for.
    if (!grant || grant.callId !== callId) {
      throw new ApiError("invalid_token", "The session token is invalid, expired or for another call.", { param: "session_token" });
    }
    return grant.projectId;
  }
  throw new ApiError("unauthenticated", "Connect with ?api_key=YOUR_API_KEY or ?session_token=TOKEN from GET /api/v1/calls/{id}/live.");
}

/**
 * The live transcript socket. Browsers cannot set headers on a WebSocket, so the credential comes
 * in the query string. Once checked, the upgrade goes to the call's CallSession as a listener, on a
 * request built here: nothing a client sends can make its socket a listener without this check.
 */
export const liveRouter = new Hono<AppEnv>().get("/ws/calls/:callId", async (c) => {
  const callId = c.req.param("callId");
  const projectId = await projectOf(c.env, callId, { api_key: c.req.query("api_key"), session_token: c.req.query("session_token") });
  if (!UUID.test(callId)) throw notFound("call", "id");
  const call = await c
    .get("db")
    .select({ id: calls.id })
    .from(calls)
    .where(and(eq(calls.id, callId), eq(calls.projectId, projectId)))
    .get();
  if (!call) throw notFound("call", "id");
  if (c.req.header("Upgrade")?.toLowerCase() !== "websocket") throw new ApiError("validation_failed", "This endpoint only accepts a WebSocket upgrade.");

  const upgrade = new Request(`https://call-session/ws/calls/${callId}`, { headers: { Upgrade: "websocket", [LISTENER_HEADER]: "1" } });
  const res = await callSession(c.env, callId).fetch(upgrade);
  if (!res.webSocket) throw notFound("call", "id");
  return res;
});
