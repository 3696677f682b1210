import { Hono } from "hono";
import { timingSafeEqual } from "../../lib/crypto";
import { emulatorOpenAiKey, emulatorSpeed } from "../credentials";
import { completeChat } from "./chat-completions";
import { parseSpeed } from "./model-session";

/**
 * The emulated OpenAI API. `GET /v1/realtime` opens a Realtime session on a fresh `ModelSession`
 * object, with OpenAI's own answers for a wrong key or a missing upgrade, so the production
 * adapter cannot tell it from the real service. `?speed=` (1..100) overrides the deployment's
 * EMULATOR_SPEED for one session; the app forwards its own speed otherwise, because the object
 * reads the deployment's settings, not the caller's.
 */
export const modelApp = new Hono<{ Bindings: Env }>();

const openAiError = (message: string, type: string, code: string | null) => ({ error: { message, type, param: null, code } });

modelApp.get("/v1/realtime", async (c) => {
  const presented = c.req.header("Authorization")?.replace(/^Bearer\s+/i, "") ?? "";
  if (!timingSafeEqual(presented, await emulatorOpenAiKey(c.env))) {
    return c.json(openAiError("Incorrect API key provided", "invalid_request_error", "invalid_api_key"), 401);
  }
  if (c.req.header("Upgrade")?.toLowerCase() !== "websocket") {
    return c.json(openAiError("The Realtime API is reached over a WebSocket: send 'Upgrade: websocket'.", "invalid_request_error", null), 426);
  }
  const url = new URL(c.req.url);
  const model = url.searchParams.get("model");
  if (!model) return c.json(openAiError("Missing required parameter: 'model'.", "invalid_request_error", "missing_required_parameter"), 400);
  url.searchParams.set("speed", String(parseSpeed(url.searchParams.get("speed")) ?? emulatorSpeed(c.env)));
  const stub = c.env.MODEL_SESSION.get(c.env.MODEL_SESSION.newUniqueId());
  return stub.fetch(new Request(url, c.req.raw));
});

modelApp.post("/v1/chat/completions", async (c) => {
  const presented = c.req.header("Authorization")?.replace(/^Bearer\s+/i, "") ?? "";
  if (!timingSafeEqual(presented, await emulatorOpenAiKey(c.env))) {
    return c.json(openAiError("Incorrect API key provided", "invalid_request_error", "invalid_api_key"), 401);
  }
  let body: Parameters<typeof completeChat>[0];
  try {
    body = await c.req.json();
  } catch {
    return c.json(openAiError("We could not parse the JSON body of your request.", "invalid_request_error", null), 400);
  }
  return c.json(completeChat(body));
});

modelApp.notFound((c) =>
  c.json(openAiError(`Invalid URL (${c.req.method} ${new URL(c.req.url).pathname})`, "invalid_request_error", null), 404),
);
