import { eq } from "drizzle-orm";
import { Hono } from "hono";
import { callSession } from "../../calls/engine";
import { statusCallbackUrl } from "../../calls/endpoints";
import { calls } from "../../db/schema";
import { emulatorAuthToken } from "../../emulators/credentials";
import type { AppEnv } from "../../lib/app-env";
import { ApiError } from "../../lib/errors";
import { verifyTwilioSignature } from "../../telephony/twilio-signature";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * The two doors the carrier knocks on: status callbacks (form POSTs signed with
 * X-Twilio-Signature) and the Media Streams WebSocket. Neither takes an API key: the first is
 * proven by its signature, the second by the single-use token in the stream's start message.
 */
export const carrierRouter = new Hono<AppEnv>()
  .post("/twilio/status/:callId", async (c) => {
    const callId = c.req.param("callId");
    if (!UUID.test(callId)) throw new ApiError("not_found", "No such call.");
    const call = await c.get("db").select({ carrier: calls.carrier }).from(calls).where(eq(calls.id, callId)).get();
    if (!call) throw new ApiError("not_found", "No such call.");

    const form = await c.req.parseBody({ all: true });
    const params: Record<string, string | string[]> = {};
    for (const [name, value] of Object.entries(form)) {
      if (typeof value === "string") params[name] = value;
      else if (Array.isArray(value) && value.every((v) => typeof v === "string")) params[name] = value as string[];
    }
    const authToken = call.carrier === "emulator" ? await emulatorAuthToken(c.env) : c.env.TWILIO_AUTH_TOKEN;
    // The URL is the configured public one, never rebuilt from request headers an attacker controls.
    const url = statusCallbackUrl(c.env, call.carrier, callId);
    if (!(await verifyTwilioSignature(authToken, url, params, c.req.header("X-Twilio-Signature")))) {
      throw new ApiError("forbidden", "The X-Twilio-Signature does not match this request.");
    }
    const single: Record<string, string> = {};
    for (const [name, value] of Object.entries(params)) single[name] = Array.isArray(value) ? (value[0] ?? "") : value;
    await callSession(c.env, callId).carrierStatus(single);
    return c.body(null, 204);
  })
  .get("/media/:callId", async (c) => {
    const callId = c.req.param("callId");
    if (c.req.header("Upgrade")?.toLowerCase() !== "websocket") throw new ApiError("validation_failed", "This endpoint only accepts a WebSocket upgrade.");
    if (!UUID.test(callId)) throw new ApiError("not_found", "No such call.");
    const res = await callSession(c.env, callId).fetch(c.req.raw);
    // The object answers a plain 404 for an unknown or finished call; say so in Parley's own shape.
    if (!res.webSocket) throw new ApiError("not_found", "No such call in progress.");
    return res;
  });
