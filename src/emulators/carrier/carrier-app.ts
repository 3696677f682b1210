import { Hono } from "hono";

// Skeleton: the carrier emulator's REST API (Twilio's Calls.json) is being written.
export const carrierApp = new Hono<{ Bindings: Env }>();
