/**
 * The carrier's media stream as the CallSession holds it: an ordinary WebSocket, accepted and
 * listened to in memory, and known as the call's stream once its `start` proved the call's token.
 *
 * Not a hibernatable one (unlike the live-transcript listeners): while the stream is open the
 * call also holds the model's socket, which keeps the object awake anyway, so hibernation could
 * never happen, and its way of delivering each message as a fresh event costs more CPU than the
 * rest of the frame's relay (fifty media frames and fifty marks a second per call). An object
 * that loses its memory loses these sockets with it; the carrier then ends the call, or the
 * watchdog does.
 */
type CarrierStream = { socket: WebSocket; streamSid: string };

export interface CarrierSocketEvents {
  message(ws: WebSocket, data: string | ArrayBuffer): unknown;
  close(ws: WebSocket, code: number): unknown;
}

const OPEN = 1;
const openSockets = new WeakMap<DurableObjectState, Set<WebSocket>>();
const startedStreams = new WeakMap<WebSocket, string>();
const currentStreams = new WeakMap<DurableObjectState, CarrierStream>();

export function acceptCarrierSocket(ctx: DurableObjectState, socket: WebSocket, on: CarrierSocketEvents): void {
  socket.accept();
  let sockets = openSockets.get(ctx);
  if (!sockets) {
    sockets = new Set();
    openSockets.set(ctx, sockets);
  }
  sockets.add(socket);
  socket.addEventListener("message", (event) => on.message(socket, event.data));
  socket.addEventListener("close", (event) => {
    sockets.delete(socket);
    on.close(socket, event.code);
  });
  socket.addEventListener("error", () => sockets.delete(socket));
}

export function markStreamStarted(ws: WebSocket, streamSid: string): void {
  startedStreams.set(ws, streamSid);
}

export function streamStarted(ws: WebSocket): boolean {
  return startedStreams.has(ws);
}

/** The call's started stream, if the callee is on the line. */
export function carrierStream(ctx: DurableObjectState): CarrierStream | null {
  const known = currentStreams.get(ctx);
  if (known && known.socket.readyState === OPEN) return known;
  for (const socket of openSockets.get(ctx) ?? []) {
    const streamSid = startedStreams.get(socket);
    if (streamSid && socket.readyState === OPEN) {
      const stream = { socket, streamSid };
      currentStreams.set(ctx, stream);
      return stream;
    }
  }
  currentStreams.delete(ctx);
  return null;
}

export function closeCarrierSockets(ctx: DurableObjectState): void {
  currentStreams.delete(ctx);
  for (const ws of openSockets.get(ctx) ?? []) {
    try {
      ws.close(1000, "call ended");
    } catch {
      // already closed
    }
  }
}
