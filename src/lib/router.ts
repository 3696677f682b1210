import { OpenAPIHono } from "@hono/zod-openapi";
import type { AppEnv } from "./app-env";
import { apiErrorFromZod } from "./zod-issues";

/**
 * Every router is made here, so a validation failure in any route renders as the same error
 * body: the hook throws and `app.onError` formats it.
 */
export function createRouter() {
  return new OpenAPIHono<AppEnv>({
    strict: false,
    defaultHook: (result) => {
      if (!result.success) throw apiErrorFromZod(result.error, targetName(result.target));
    },
  });
}

function targetName(target: string): string {
  switch (target) {
    case "json":
      return "request body";
    case "query":
      return "query string";
    case "param":
      return "path";
    default:
      return target;
  }
}
