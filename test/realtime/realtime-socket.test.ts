import { describe, expect, it } from "vitest";
import { openRealtimeSocket, RealtimeConnectError } from "../../src/realtime/realtime-socket";

const options = { baseUrl: "https://api.openai.com/v1", apiKey: "sk-test-123", model: "gpt-realtime" };

/** A fetch that answers the upgrade with one end of a socket pair and records the request. */
function upgradingFetch() {
  const pair = new WebSocketPair();
  const requests: Request[] = [];
  const fetch: typeof globalThis.fetch = async (input, init) => {
    requests.push(new Request(input, init));
    return new Response(null, { status: 101, webSocket: pair[0] });
  };
  return { fetch, requests, server: pair[1] };
}

function answering(response: () => Response): typeof fetch {
  return async () => response();
}

function nextMessage(socket: WebSocket): Promise<unknown> {
  return new Promise((resolve) => socket.addEventListener("message", (event) => resolve(event.data), { once: true }));
}

describe("openRealtimeSocket", () => {
  it("upgrades GET {base}/realtime?model=… with the Bearer key and no beta header", async () => {
    const { fetch, requests, server } = upgradingFetch();
    server.accept();
    await openRealtimeSocket({ ...options, fetch });
    expect(requests).toHaveLength(1);
    const request = requests[0]!;
    expect(request.method).toBe("GET");
    expect(request.url).toBe("https://api.openai.com/v1/realtime?model=gpt-realtime");
    expect(request.headers.get("authorization")).toBe("Bearer sk-test-123");
    expect(request.headers.get("upgrade")).toBe("websocket");
    expect(request.headers.get("openai-beta")).toBeNull();
  });

  it("returns an accepted socket that talks both ways", async () => {
    const { fetch, server } = upgradingFetch();
    server.accept();
    const socket = await openRealtimeSocket({ ...options, fetch });
    const atServer = nextMessage(server);
    socket.send('{"type":"response.cancel"}');
    expect(await atServer).toBe('{"type":"response.cancel"}');
    const atClient = nextMessage(socket);
    server.send('{"type":"session.created"}');
    expect(await atClient).toBe('{"type":"session.created"}');
  });

  it("fetches a wss:// base over https and tolerates a trailing slash", async () => {
    const { fetch, requests, server } = upgradingFetch();
    server.accept();
    await openRealtimeSocket({ ...options, baseUrl: "wss://model.emulator.parley/v1/", model: "gpt-realtime-mini", fetch });
    expect(requests[0]!.url).toBe("https://model.emulator.parley/v1/realtime?model=gpt-realtime-mini");
  });

  it("turns a 401 answer into a RealtimeConnectError with the status and body", async () => {
    const body = { error: { message: "Incorrect API key provided: sk-test-123.", type: "invalid_request_error", code: "invalid_api_key", param: null } };
    const error = await openRealtimeSocket({ ...options, fetch: answering(() => Response.json(body, { status: 401 })) }).catch((e) => e);
    expect(error).toBeInstanceOf(RealtimeConnectError);
    expect(error.status).toBe(401);
    expect(JSON.parse(error.body)).toEqual(body);
    expect(error.message).toContain("401");
    expect(error.message).toContain("Incorrect API key provided");
  });

  it("refuses an answer that is not an upgrade, even a 200", async () => {
    const error = await openRealtimeSocket({ ...options, fetch: answering(() => new Response("<html>proxy</html>", { status: 200 })) }).catch((e) => e);
    expect(error).toBeInstanceOf(RealtimeConnectError);
    expect(error.status).toBe(200);
    expect(error.body).toBe("<html>proxy</html>");
  });

  it("reports an unreachable model as status 0", async () => {
    const unreachable: typeof fetch = async () => {
      throw new TypeError("Network connection lost.");
    };
    const error = await openRealtimeSocket({ ...options, fetch: unreachable }).catch((e) => e);
    expect(error).toBeInstanceOf(RealtimeConnectError);
    expect(error.status).toBe(0);
    expect(error.message).toContain("Network connection lost.");
  });
});
