import { createRoute } from "@hono/zod-openapi";
import { commonErrors, errors, json, jsonBody, sessionSecurity } from "../../lib/openapi";
import {
  ApiKeyListSchema,
  ApiKeyParams,
  ApiKeyWithSecretSchema,
  CreateApiKeyBody,
  ListApiKeysQuery,
  ProjectParams,
  RollApiKeyBody,
  RolledApiKeySchema,
} from "./api-keys.schemas";

const tags = ["API keys"];
const security = sessionSecurity;
const adminsOnly = "Owners and admins only, signed in with a session token.";

export const listApiKeys = createRoute({
  method: "get",
  path: "/projects/{projectId}/api-keys",
  tags,
  summary: "List a project's API keys",
  description: `${adminsOnly} Secrets are never listed: only a key's prefix and last four characters.`,
  security,
  request: { params: ProjectParams, query: ListApiKeysQuery },
  responses: { 200: json(ApiKeyListSchema, "A page of keys, newest first."), ...commonErrors, 403: errors[403], 404: errors[404] },
});

export const createApiKey = createRoute({
  method: "post",
  path: "/projects/{projectId}/api-keys",
  tags,
  summary: "Create an API key for a project",
  description: `${adminsOnly} The secret in \`api_key\` is shown once; only its hash is stored.`,
  security,
  request: { params: ProjectParams, body: jsonBody(CreateApiKeyBody) },
  responses: {
    201: json(ApiKeyWithSecretSchema, "The new key, with its secret."),
    ...commonErrors,
    403: errors[403],
    404: errors[404],
    409: errors[409],
    415: errors[415],
    422: errors[422],
  },
});

export const revokeApiKey = createRoute({
  method: "delete",
  path: "/projects/{projectId}/api-keys/{keyId}",
  tags,
  summary: "Revoke an API key",
  description: `${adminsOnly} The key is refused with 401 from the next request on. Revoking a revoked key changes nothing.`,
  security,
  request: { params: ApiKeyParams },
  responses: { 204: { description: "Revoked." }, ...commonErrors, 403: errors[403], 404: errors[404] },
});

export const rollApiKey = createRoute({
  method: "post",
  path: "/projects/{projectId}/api-keys/{keyId}/roll",
  tags,
  summary: "Replace an API key with a new one",
  description:
    `${adminsOnly} Makes a new key with the same name (shown once, never expiring) and sets the old key to expire after ` +
    "`expires_in_seconds` (default 0: at once). Rolling never extends the old key's life. Revoked or expired keys cannot be rolled (409).",
  security,
  request: { params: ApiKeyParams, body: { content: { "application/json": { schema: RollApiKeyBody } }, required: false } },
  responses: {
    201: json(RolledApiKeySchema, "The new key, with its secret, and the old key's new expiry."),
    ...commonErrors,
    403: errors[403],
    404: errors[404],
    409: errors[409],
    415: errors[415],
    422: errors[422],
  },
});
