import { Hono } from "hono";

// Skeleton: the model emulator's endpoints (Realtime WebSocket, chat completions) are being written.
export const modelApp = new Hono<{ Bindings: Env }>();
