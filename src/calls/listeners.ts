import { eq } from "drizzle-orm";
import { createDb } from "../db/client";
import { type CallStatus, calls } from "../db/schema";
import { isTerminal } from "./call-plan";
import type { TranscriptLine } from "./call-records";

/**
 * Live transcript listeners: clients watching a call over a WebSocket. The CallSession keeps its
 * own copy of the lines it saved, so a listener joining mid-call gets exactly what was broadcast
 * before it came, whatever D1 has caught up with.
 */
export const LISTENER_TAG = "listener";
/** Set only by the Worker's /ws/calls route, on a request it builds itself after checking the credential. */
export const LISTENER_HEADER = "X-Parley-Listener";
const LISTENER_PATH = /^\/ws\/calls\/([0-9a-f-]{36})$/;
const LINE_PREFIX = "line:";

/** The call a listener asked for, or null when the request is not a listener's. */
export function listenerCallId(request: Request): string | null {
  if (request.headers.get(LISTENER_HEADER) !== "1") return null;
  return LISTENER_PATH.exec(new URL(request.url).pathname)?.[1] ?? null;
}

const wire = (line: TranscriptLine) => ({ speaker: line.speaker, text: line.text, start_ms: line.startMs, end_ms: line.endMs, interrupted: line.interrupted });
const asText = (lines: TranscriptLine[]) => lines.map((line) => `${line.speaker === "agent" ? "Agent" : "Customer"}: ${line.text}`).join("\n");

function savedLines(ctx: DurableObjectState): TranscriptLine[] {
  return [...ctx.storage.kv.list<TranscriptLine>({ prefix: LINE_PREFIX })].map(([, line]) => line);
}

function sendAll(ctx: DurableObjectState, message: unknown): void {
  const text = JSON.stringify(message);
  for (const ws of ctx.getWebSockets(LISTENER_TAG)) {
    try {
      ws.send(text);
    } catch {
      // a listener that went away misses nothing it could still read
    }
  }
}

/** Accepts a listener: it hears what was said so far; a finished call's listener is then closed. */
export function acceptListener(ctx: DurableObjectState, callId: string, status: CallStatus): Response {
  const [client, server] = Object.values(new WebSocketPair()) as [WebSocket, WebSocket];
  ctx.acceptWebSocket(server, [LISTENER_TAG]);
  server.send(JSON.stringify({ type: "connected", data: { call_id: callId, status, transcript: savedLines(ctx).map(wire) } }));
  if (isTerminal(status)) server.close(1000, "call ended");
  return new Response(null, { status: 101, webSocket: client });
}

/** Keeps the line for later listeners and tells the current ones. */
export function broadcastLine(ctx: DurableObjectState, line: TranscriptLine): void {
  ctx.storage.kv.put(`${LINE_PREFIX}${String(line.seq).padStart(8, "0")}`, line);
  sendAll(ctx, { type: "transcript_update", data: { ...wire(line), transcript: asText(savedLines(ctx)) } });
}

/** A status change; the final one closes every listener after telling it. */
export function broadcastStatus(ctx: DurableObjectState, status: CallStatus): void {
  sendAll(ctx, { type: "call_status_update", data: { status } });
  if (!isTerminal(status)) return;
  for (const ws of ctx.getWebSockets(LISTENER_TAG)) {
    try {
      ws.close(1000, "call ended");
    } catch {
      // already closed
    }
  }
}

// Asked of every frame the carrier sends; a socket's tags never change, so each is read once.
const listenerSockets = new WeakMap<WebSocket, boolean>();

export function isListener(ctx: DurableObjectState, ws: WebSocket): boolean {
  let listener = listenerSockets.get(ws);
  if (listener === undefined) {
    listener = ctx.getTags(ws).includes(LISTENER_TAG);
    listenerSockets.set(ws, listener);
  }
  return listener;
}

/** Listeners only listen: a ping the auto-response missed is answered, anything unreadable is named. */
export function listenerMessage(ws: WebSocket, data: string | ArrayBuffer): void {
  let message: unknown;
  try {
    message = typeof data === "string" ? JSON.parse(data) : undefined;
  } catch {
    message = undefined;
  }
  const type = message && typeof message === "object" ? (message as { type?: unknown }).type : undefined;
  if (typeof type !== "string") {
    ws.send(JSON.stringify({ type: "error", error: "Messages must be JSON objects with a type, such as {\"type\":\"ping\"}." }));
    return;
  }
  if (type === "ping") ws.send(JSON.stringify({ type: "pong" }));
}

/** For a call whose object never started (dispatch failed before dialling): D1 knows its status. */
export async function storedCallStatus(env: Env, callId: string): Promise<CallStatus> {
  const row = await createDb(env.DB).select({ status: calls.status }).from(calls).where(eq(calls.id, callId)).get();
  return row?.status ?? "failed";
}
