/**
 * The carrier's media stream as the CallSession holds it: a hibernatable WebSocket tagged
 * `carrier`, whose attachment records the stream once its `start` proved the call's token.
 */
export const CARRIER_TAG = "carrier";

type StreamAttachment = { streamSid?: string } | null;

export function markStreamStarted(ws: WebSocket, streamSid: string): void {
  ws.serializeAttachment({ streamSid } satisfies StreamAttachment);
}

export function streamStarted(ws: WebSocket): boolean {
  return Boolean((ws.deserializeAttachment() as StreamAttachment)?.streamSid);
}

/** The call's started stream, if the callee is on the line. */
export function carrierStream(ctx: DurableObjectState): { socket: WebSocket; streamSid: string } | null {
  for (const socket of ctx.getWebSockets(CARRIER_TAG)) {
    const streamSid = (socket.deserializeAttachment() as StreamAttachment)?.streamSid;
    if (streamSid) return { socket, streamSid };
  }
  return null;
}

export function closeCarrierSockets(ctx: DurableObjectState): void {
  for (const ws of ctx.getWebSockets(CARRIER_TAG)) {
    try {
      ws.close(1000, "call ended");
    } catch {
      // already closed
    }
  }
}
