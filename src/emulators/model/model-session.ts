import { DurableObject } from "cloudflare:workers";
import { emulatorSpeed } from "../credentials";
import { Conversation, type ModelObservations } from "./conversation";
import { defaultSession, type Json, realtimeId, type ServerEvent, sessionIdFor } from "./wire";

/** A speed a test (or the app) asks for: 1..100× real time, anything else ignored. */
export function parseSpeed(value: string | null): number | null {
  const speed = Number(value);
  return value !== null && value !== "" && Number.isFinite(speed) && speed >= 1 && speed <= 100 ? speed : null;
}

/**
 * One emulated OpenAI Realtime session per object. The socket is accepted with the hibernation
 * API; the session config and speed are kept in storage so a session that sat idle while the
 * phone rang still knows them when audio starts (the conversation itself lives in memory: a
 * session that is sent audio every 20 ms is never idle long enough to be evicted).
 */
export class ModelSession extends DurableObject<Env> {
  #conversation: Conversation | undefined;

  override async fetch(request: Request): Promise<Response> {
    if (request.headers.get("Upgrade")?.toLowerCase() !== "websocket") {
      return new Response("Expected a WebSocket upgrade.", { status: 426 });
    }
    const url = new URL(request.url);
    const session = defaultSession(sessionIdFor(this.ctx.id.toString()), url.searchParams.get("model") ?? "gpt-realtime");
    this.ctx.storage.kv.put("session", session);
    this.ctx.storage.kv.put("speed", parseSpeed(url.searchParams.get("speed")) ?? emulatorSpeed(this.env));
    const { 0: client, 1: server } = new WebSocketPair();
    this.ctx.acceptWebSocket(server);
    this.#send({ type: "session.created", session });
    return new Response(null, { status: 101, webSocket: client });
  }

  override async webSocketMessage(_socket: WebSocket, message: string | ArrayBuffer): Promise<void> {
    this.#talk().receive(message);
  }

  override async webSocketClose(socket: WebSocket, code: number): Promise<void> {
    this.#conversation?.close();
    try {
      socket.close(code === 1005 || code === 1006 ? 1000 : code, "Session closed.");
    } catch {
      // Already closed by the runtime.
    }
  }

  override async webSocketError(): Promise<void> {
    this.#conversation?.close();
  }

  /**
   * Fault injection for tests: the session dies as a real one can mid-call — a `server_error`
   * event, then the socket closed with 1011 — so the call engine's recovery can be exercised.
   */
  async fail(): Promise<void> {
    this.#send({
      type: "error",
      error: { type: "server_error", code: "server_error", message: "The server had an error while processing your request.", param: null, event_id: null },
    });
    this.#conversation?.close();
    for (const socket of this.ctx.getWebSockets()) socket.close(1011, "server_error");
  }

  /** What the session received (client event types, truncates, cancels, config, agent items). */
  async observations(): Promise<ModelObservations> {
    return this.#talk().observations();
  }

  #talk(): Conversation {
    this.#conversation ??= new Conversation(
      this.ctx.storage.kv.get<Json>("session") ?? defaultSession(sessionIdFor(this.ctx.id.toString()), "gpt-realtime"),
      this.ctx.storage.kv.get<number>("speed") ?? emulatorSpeed(this.env),
      (event) => this.#send(event),
      (session) => this.ctx.storage.kv.put("session", session),
    );
    return this.#conversation;
  }

  #send(event: ServerEvent): void {
    const [socket] = this.ctx.getWebSockets();
    try {
      socket?.send(JSON.stringify({ event_id: realtimeId("event"), ...event }));
    } catch {
      // The client went away mid-response; the close handler stops the rest.
    }
  }
}
