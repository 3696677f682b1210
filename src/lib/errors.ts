import type { ContentfulStatusCode } from "hono/utils/http-status";

/**
 * Parley's one error model. Every failure, wherever it is raised, renders as
 * `{"error": {"type", "code", "message", "param", "request_id"}}`; the code decides the status.
 */
export const ERROR_CODES = {
  validation_failed: { status: 400, type: "invalid_request_error" },
  unknown_field: { status: 400, type: "invalid_request_error" },
  malformed_json: { status: 400, type: "invalid_request_error" },
  invalid_output_schema: { status: 400, type: "invalid_request_error" },
  unauthenticated: { status: 401, type: "authentication_error" },
  invalid_api_key: { status: 401, type: "authentication_error" },
  invalid_token: { status: 401, type: "authentication_error" },
  invalid_credentials: { status: 401, type: "authentication_error" },
  forbidden: { status: 403, type: "permission_error" },
  not_found: { status: 404, type: "not_found_error" },
  conflict: { status: 409, type: "conflict_error" },
  email_taken: { status: 409, type: "conflict_error" },
  external_id_taken: { status: 409, type: "conflict_error" },
  agent_in_use: { status: 409, type: "conflict_error" },
  idempotency_key_in_use: { status: 409, type: "idempotency_error" },
  body_too_large: { status: 413, type: "invalid_request_error" },
  unsupported_media_type: { status: 415, type: "invalid_request_error" },
  idempotency_key_reused: { status: 422, type: "idempotency_error" },
  unprocessable: { status: 422, type: "invalid_request_error" },
  rate_limited: { status: 429, type: "rate_limit_error" },
  internal_error: { status: 500, type: "api_error" },
  service_unavailable: { status: 503, type: "api_error" },
} as const satisfies Record<string, { status: ContentfulStatusCode; type: string }>;

export type ErrorCode = keyof typeof ERROR_CODES;
export type ErrorStatus = (typeof ERROR_CODES)[ErrorCode]["status"];

export interface ErrorBody {
  error: { type: string; code: ErrorCode; message: string; param: string | null; request_id: string };
}

/** Thrown from handlers and middleware; `app.onError` renders it. */
export class ApiError extends Error {
  readonly code: ErrorCode;
  readonly param: string | null;
  readonly headers: Record<string, string>;

  constructor(code: ErrorCode, message: string, options: { param?: string | null; headers?: Record<string, string> } = {}) {
    super(message);
    this.name = "ApiError";
    this.code = code;
    this.param = options.param ?? null;
    this.headers = options.headers ?? {};
  }

  get status(): ErrorStatus {
    return ERROR_CODES[this.code].status;
  }
}

export function errorBody(code: ErrorCode, message: string, param: string | null, requestId: string): ErrorBody {
  return { error: { type: ERROR_CODES[code].type, code, message, param, request_id: requestId } };
}

export const notFound = (what: string, param: string | null = null) =>
  new ApiError("not_found", `No ${what} with that id exists.`, { param });
