import type { OpenAPIHono } from "@hono/zod-openapi";
import type { AppEnv } from "./lib/app-env";

/** The OpenAPI 3.1 document at /openapi.json, generated from the same zod routes that validate. */
export function registerOpenApiDocument(app: OpenAPIHono<AppEnv>) {
  const registry = app.openAPIRegistry;
  registry.registerComponent("securitySchemes", "ApiKeyHeader", {
    type: "apiKey",
    in: "header",
    name: "x-api-key",
    description: "A project's API key: `echo_` followed by 64 hex characters, shown once when created.",
  });
  registry.registerComponent("securitySchemes", "BearerApiKey", { type: "http", scheme: "bearer", description: "The API key as a bearer token." });
  registry.registerComponent("securitySchemes", "BasicApiKey", { type: "http", scheme: "basic", description: "The API key as the Basic username; the password is ignored." });
  registry.registerComponent("securitySchemes", "SessionToken", {
    type: "http",
    scheme: "bearer",
    bearerFormat: "JWT",
    description: "An access token from /auth/login, /auth/signup or /auth/refresh (15 minutes).",
  });

  app.doc31("/openapi.json", (c) => ({
    openapi: "3.1.0",
    info: {
      title: "Parley API",
      version: "1.0.0",
      description:
        "Phone calls that talk back. Define voice agents, register customers, send notifications; Parley calls, " +
        "talks, transcribes, records, extracts results and delivers signed webhooks. Errors share one body: " +
        '`{"error": {"type", "code", "message", "param", "request_id"}}`. Every POST accepts an `Idempotency-Key`.',
    },
    servers: [{ url: new URL(c.req.url).origin }],
  }));
}
