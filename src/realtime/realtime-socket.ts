/**
 * Opens the OpenAI Realtime (GA) WebSocket from a Worker. `new WebSocket()` cannot send an
 * Authorization header, so the socket is obtained as a fetch upgrade; the transport is a
 * parameter so the emulator is reached by exactly the same code as the real API.
 */
export interface RealtimeSocketOptions {
  /** e.g. `https://api.openai.com/v1`; a ws(s) scheme is accepted and fetched as http(s). */
  baseUrl: string;
  apiKey: string;
  model: string;
  fetch: typeof fetch;
}

/** The model provider refused the socket (or could not be reached: status 0). */
export class RealtimeConnectError extends Error {
  readonly status: number;
  readonly body: string;

  constructor(status: number, body: string, options?: { cause?: unknown }) {
    super(describeRefusal(status, body), options);
    this.name = "RealtimeConnectError";
    this.status = status;
    this.body = body;
  }
}

export function realtimeUrl(baseUrl: string, model: string): string {
  // fetch() only speaks http(s); the upgrade header is what turns it into a WebSocket.
  const base = baseUrl.replace(/\/+$/, "").replace(/^wss:/i, "https:").replace(/^ws:/i, "http:");
  return `${base}/realtime?model=${encodeURIComponent(model)}`;
}

export async function openRealtimeSocket(o: RealtimeSocketOptions): Promise<WebSocket> {
  let response: Response;
  try {
    response = await o.fetch(realtimeUrl(o.baseUrl, o.model), {
      // No OpenAI-Beta header: it would select the retired beta event shapes.
      headers: { Authorization: `Bearer ${o.apiKey}`, Upgrade: "websocket" },
    });
  } catch (cause) {
    throw new RealtimeConnectError(0, cause instanceof Error ? cause.message : String(cause), { cause });
  }
  const socket = response.webSocket;
  if (!socket) {
    const body = await response.text().catch(() => "");
    throw new RealtimeConnectError(response.status, body);
  }
  socket.accept();
  return socket;
}

function describeRefusal(status: number, body: string): string {
  if (status === 0) return `The voice model could not be reached: ${body}`;
  let detail = body.slice(0, 300);
  try {
    const parsed = JSON.parse(body) as { error?: { message?: unknown } };
    if (typeof parsed?.error?.message === "string") detail = parsed.error.message;
  } catch {
    // Not JSON: the raw text is the best explanation we have.
  }
  return `The voice model refused the connection (HTTP ${status})${detail ? `: ${detail}` : "."}`;
}
