import { FRAME_MS } from "../../audio/mulaw";
import { parleyFetch } from "../loopback";
import { type MediaObservations, MediaStreamCallee, type StreamIdentity } from "./media-stream-callee";
import type { Scenario } from "./scenarios";
import { handshakeUrl, signTwilioRequest, streamUrlProblem } from "./twilio-wire";

export interface StreamOptions {
  env: Env;
  authToken: string;
  url: string;
  ids: StreamIdentity;
  scenario: Scenario;
  speed: number;
  /** An answering machine whose greeting played before the stream opened (synchronous AMD). */
  greetingPlayed: boolean;
  /** The stream ended from the far side: the callee hung up, or Parley closed the socket. */
  onEnd(reason: string): void;
  /** How the handshake reaches Parley: its own router, in-process (tests hand in a fake Parley). */
  transport?: (request: Request) => Promise<Response>;
}

/**
 * The Media Streams WebSocket Twilio opens to Parley, with the callee on the line. Opened through
 * Parley's own router (`parleyFetch`) with the handshake signed like Twilio's: over the wss:// URL
 * with no parameters.
 */
export class CallStream {
  private ticker: ReturnType<typeof setInterval> | null = null;
  private open = true;

  private constructor(
    private readonly ws: WebSocket,
    private readonly media: MediaStreamCallee,
  ) {}

  /** Connects and starts streaming, or explains why Twilio would have given up (error 31920). */
  static async connect(options: StreamOptions): Promise<CallStream | { error: string }> {
    const problem = streamUrlProblem(options.url);
    if (problem) return { error: `31920: ${problem}` };
    const signature = await signTwilioRequest(options.authToken, options.url, {});
    const request = new Request(handshakeUrl(options.url), { headers: { Upgrade: "websocket", "X-Twilio-Signature": signature } });
    let response: Response;
    try {
      response = await (options.transport ?? ((r: Request) => parleyFetch(options.env, r)))(request);
    } catch (error) {
      return { error: `31920: the stream handshake failed: ${String(error)}` };
    }
    const ws = response.webSocket;
    if (!ws) return { error: `31920: Parley answered the stream handshake with HTTP ${response.status} instead of a WebSocket.` };
    ws.accept();

    let stream: CallStream | null = null;
    const media = new MediaStreamCallee(options.ids, options.scenario, {
      send: (message) => {
        if (!stream?.open) return;
        try {
          ws.send(message);
        } catch {} // closed under us: the close event ends the call
      },
      hangUp: (reason) => options.onEnd(reason),
    });
    stream = new CallStream(ws, media);
    ws.addEventListener("message", (event) => media.receive(event.data));
    ws.addEventListener("close", () => {
      if (!stream.open) return; // we closed it
      stream.shutDown();
      options.onEnd("stream_closed_by_parley");
    });
    media.open(options.greetingPlayed);
    stream.startTicker(options.speed);
    return stream;
  }

  /** Ends the stream from Twilio's side: `stop`, then close 1000. */
  close(): void {
    if (!this.open) return;
    this.media.stop();
    this.shutDown();
  }

  observations(): MediaObservations {
    return this.media.observations();
  }

  private shutDown(): void {
    this.open = false;
    this.media.detach();
    if (this.ticker) clearInterval(this.ticker);
    this.ticker = null;
    try {
      this.ws.close(1000, "Call ended");
    } catch {}
  }

  /** 20 ms of line time per tick, paced by the clock and caught up after a slow turn. */
  private startTicker(speed: number): void {
    const startedAt = Date.now();
    let ticks = 0;
    this.ticker = setInterval(() => {
      const due = Math.floor(((Date.now() - startedAt) * speed) / FRAME_MS) + 1;
      for (let budget = 50; ticks < due && budget > 0 && this.open; budget--, ticks++) this.media.tick();
    }, Math.max(1, FRAME_MS / speed));
  }
}
