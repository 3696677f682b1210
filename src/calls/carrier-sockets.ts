/**
 * The carrier's media stream as the CallSession holds it: a hibernatable WebSocket tagged
 * `carrier`, whose attachment records the stream once its `start` proved the call's token.
 *
 * Both questions are asked for every frame (fifty a second each way), so the answers are also
 * kept in memory: reading an attachment deserialises it each time. After hibernation the sockets
 * are new objects, the caches miss, and the attachments answer again.
 */
export const CARRIER_TAG = "carrier";

type StreamAttachment = { streamSid?: string } | null;
type CarrierStream = { socket: WebSocket; streamSid: string };

const OPEN = 1;
const startedStreams = new WeakMap<WebSocket, string>();
const currentStreams = new WeakMap<DurableObjectState, CarrierStream>();

export function markStreamStarted(ws: WebSocket, streamSid: string): void {
  ws.serializeAttachment({ streamSid } satisfies StreamAttachment);
  startedStreams.set(ws, streamSid);
}

function streamSidOf(ws: WebSocket): string | undefined {
  let streamSid = startedStreams.get(ws);
  if (streamSid === undefined) {
    streamSid = (ws.deserializeAttachment() as StreamAttachment)?.streamSid;
    if (streamSid) startedStreams.set(ws, streamSid);
  }
  return streamSid;
}

export function streamStarted(ws: WebSocket): boolean {
  return Boolean(streamSidOf(ws));
}

/** The call's started stream, if the callee is on the line. */
export function carrierStream(ctx: DurableObjectState): CarrierStream | null {
  const known = currentStreams.get(ctx);
  if (known && known.socket.readyState === OPEN) return known;
  for (const socket of ctx.getWebSockets(CARRIER_TAG)) {
    const streamSid = streamSidOf(socket);
    if (streamSid) {
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
  for (const ws of ctx.getWebSockets(CARRIER_TAG)) {
    try {
      ws.close(1000, "call ended");
    } catch {
      // already closed
    }
  }
}
