import { describe, expect, it } from "vitest";
import { api } from "./helpers/api";

type Operation = { summary?: string; responses?: Record<string, unknown>; security?: unknown[]; requestBody?: any };

async function operations(): Promise<[string, Operation][]> {
  const doc = (await api("/openapi.json")).body;
  return Object.entries(doc.paths as Record<string, Record<string, Operation>>).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, op]) => [`${method.toUpperCase()} ${path}`, op] as [string, Operation]),
  );
}

describe("the OpenAPI document", () => {
  it("is OpenAPI 3.1 and documents the platform's resources", async () => {
    const doc = (await api("/openapi.json")).body;
    expect(doc.openapi).toBe("3.1.0");
    const paths = Object.keys(doc.paths);
    for (const path of ["/auth/signup", "/auth/login", "/api/v1/agents", "/api/v1/agents/{id}", "/api/v1/customers", "/api/v1/projects", "/api/v1/business", "/api/v1/members"]) {
      expect(paths).toContain(path);
    }
    expect(Object.keys(doc.components.securitySchemes)).toEqual(expect.arrayContaining(["ApiKeyHeader", "BearerApiKey", "BasicApiKey", "SessionToken"]));
  });

  it("gives every operation a summary, a success response and the shared error responses", async () => {
    for (const [name, op] of await operations()) {
      expect(op.summary, name).toBeTruthy();
      const statuses = Object.keys(op.responses ?? {});
      expect(statuses.some((s) => s.startsWith("2")), `${name} has a success response`).toBe(true);
      if (name.includes("/api/v1/")) {
        expect(statuses, name).toEqual(expect.arrayContaining(["400", "401", "429", "500"]));
        expect(op.security?.length, `${name} declares its credentials`).toBeGreaterThan(0);
      }
      if (name.includes("{")) expect(statuses, `${name} can answer 404`).toContain("404");
      if (op.requestBody) {
        expect(statuses, `${name} documents 413 and 415`).toEqual(expect.arrayContaining(["413", "415"]));
        const schema = op.requestBody.content["application/json"].schema;
        expect(schema, `${name} has a request schema`).toBeTruthy();
      }
    }
  });

  it("serves an interactive reference at /docs", async () => {
    const res = await api("/docs");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/html");
    expect(res.body).toContain("/openapi.json");
  });
});
