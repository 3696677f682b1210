import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import type { AppEnv } from "./app-env";
import { ApiError, errorBody, type ErrorCode } from "./errors";

function render(c: Context<AppEnv>, error: ApiError) {
  for (const [name, value] of Object.entries(error.headers)) c.header(name, value);
  return c.json(errorBody(error.code, error.message, error.param, c.get("requestId") ?? "unknown"), error.status);
}

/** Hono's own exceptions (body limit, malformed JSON, content type) mapped onto our codes. */
function fromHttpException(e: HTTPException): ApiError {
  const byStatus: Partial<Record<number, [ErrorCode, string]>> = {
    400: ["malformed_json", "The request body is not valid JSON."],
    413: ["body_too_large", "The request body is larger than the limit."],
    415: ["unsupported_media_type", "Send the body as application/json."],
  };
  const [code, message] = byStatus[e.status] ?? ["internal_error", "The request could not be handled."];
  return new ApiError(code, message);
}

export function onError(err: Error, c: Context<AppEnv>) {
  if (err instanceof ApiError) return render(c, err);
  if (err instanceof HTTPException) return render(c, fromHttpException(err));
  console.error(JSON.stringify({ level: "error", request_id: c.get("requestId"), message: err.message, stack: err.stack }));
  return render(c, new ApiError("internal_error", "Something went wrong on our side. Quote the request id if you contact us."));
}

export function onNotFound(c: Context<AppEnv>) {
  return render(c, new ApiError("not_found", `No route for ${c.req.method} ${new URL(c.req.url).pathname}.`));
}
