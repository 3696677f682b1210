import { z } from "@hono/zod-openapi";
import { ERROR_CODES, type ErrorCode } from "./errors";

/** The error body every failure shares, documented once and referenced by every route. */
export const ErrorSchema = z
  .object({
    error: z.object({
      type: z.string().openapi({ example: "invalid_request_error" }),
      code: z.enum(Object.keys(ERROR_CODES) as [ErrorCode, ...ErrorCode[]]).openapi({ example: "validation_failed" }),
      message: z.string().openapi({ example: "Invalid 'phone': not a valid E.164 phone number." }),
      param: z.string().nullable().openapi({ example: "phone" }),
      request_id: z.string().openapi({ example: "req_4f0c2a9e8d1b4c7aa1e2f3b4c5d6e7f8" }),
    }),
  })
  .openapi("Error");

const errorResponse = (description: string) => ({
  content: { "application/json": { schema: ErrorSchema } },
  description,
});

/** Responses that any authenticated route can give, spread into each route's `responses`. */
export const commonErrors = {
  400: errorResponse("The request is malformed or a field is invalid; `param` names it."),
  401: errorResponse("Missing, invalid, expired or revoked credentials."),
  413: errorResponse("The body is larger than the limit."),
  429: errorResponse("Rate limit exceeded; see `Retry-After`."),
  500: errorResponse("Something went wrong on our side."),
} as const;

export const errors = {
  403: errorResponse("The caller may not do this."),
  404: errorResponse("No such resource in the caller's scope."),
  409: errorResponse("Conflicts with the current state, or an idempotent request with this key is still running."),
  415: errorResponse("The body is not `application/json`."),
  422: errorResponse("The Idempotency-Key was used with a different request, or the request cannot be processed."),
} as const;

export const json = <T extends z.ZodType>(schema: T, description: string) => ({
  content: { "application/json": { schema } },
  description,
});

export const jsonBody = <T extends z.ZodType>(schema: T) => ({
  content: { "application/json": { schema } },
  required: true,
});

/** Security requirement names used in route definitions and in the document's components. */
export const apiKeySecurity: Record<string, string[]>[] = [{ ApiKeyHeader: [] }, { BearerApiKey: [] }, { BasicApiKey: [] }];
export const sessionSecurity: Record<string, string[]>[] = [{ SessionToken: [] }];
