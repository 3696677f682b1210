import { createMiddleware } from "hono/factory";
import { readCredential } from "../../auth/credentials";
import type { AppEnv } from "../../lib/app-env";
import { ApiError } from "../../lib/errors";
import { verifyRecordingToken } from "../../recordings/recording-token";
import { findCall } from "./calls.records";
import { serveRecording } from "./recording.handlers";

/**
 * `GET /api/v1/calls/{id}/recording/stream?token=…` without an API key: a browser's `<audio src>`
 * cannot send headers. Mounted before the API's authentication, it answers such a request itself
 * (the token opens only the call it was issued for) and passes every other request on, so API
 * keys go through the usual authentication and rate limits to the documented route.
 */
export const recordingTokenGate = createMiddleware<AppEnv>(async (c, next) => {
  const token = c.req.query("token");
  if (token === undefined || readCredential(c.req.raw.headers) || (c.req.method !== "GET" && c.req.method !== "HEAD")) return next();
  const grant = await verifyRecordingToken(c.env, token);
  if (!grant) {
    throw new ApiError("invalid_token", "This recording link is invalid or has expired; get a new one from GET /api/v1/calls/{id}/recording.", { param: "token" });
  }
  if (grant.callId !== c.req.param("id")) throw new ApiError("forbidden", "This recording link is for another call.", { param: "token" });
  return serveRecording(c, await findCall(c.get("db"), grant.projectId, grant.callId));
});
