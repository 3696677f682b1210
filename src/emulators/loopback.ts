import type { Hono } from "hono";

/**
 * The emulated carrier reaches Parley the way Twilio does — HTTP requests to the status-callback
 * URL and a WebSocket to the media URL — but in-process, through Parley's own router, because a
 * sandbox call must work where no public URL exists (a laptop, a test). The URL's host is kept
 * as given so signatures computed over it still match.
 */
let app: Hono<any> | undefined;

export async function parleyFetch(env: Env, request: Request): Promise<Response> {
  if (!app) {
    const { createApp } = await import("../app");
    app = createApp();
  }
  return app.fetch(request, env);
}
