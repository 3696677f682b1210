// A stand-in for OpenAI Realtime (GA) that Parley reaches through OPENAI_BASE_URL: it answers the
// session handshake and echoes every appended frame straight back as the agent's audio, timing
// the carrier→model leg of each frame and stamping its own send time for the way back.
import { createServer } from "node:http";
import { WebSocketServer } from "ws";
import { now, readFrame, Samples, SlowFrames, stampModel } from "./frames.mjs";

export class FakeModel {
  /** Set per benchmark level by `reset`. */
  stats;
  #server = createServer((_req, res) => res.writeHead(404).end());
  #wss = new WebSocketServer({ noServer: true, perMessageDeflate: false });
  #open = new Set();
  #sessions = 0;

  constructor({ apiKey }) {
    this.apiKey = apiKey;
    this.reset();
    this.#server.on("upgrade", (req, socket, head) => {
      const url = new URL(req.url, "http://model");
      if (url.pathname !== "/v1/realtime" || req.headers.authorization !== `Bearer ${apiKey}`) {
        this.stats.refused++;
        const body = JSON.stringify({ error: { type: "invalid_request_error", code: "invalid_api_key", message: "Incorrect API key provided." } });
        socket.end(`HTTP/1.1 401 Unauthorized\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
        return;
      }
      this.#wss.handleUpgrade(req, socket, head, (ws) => this.#session(ws, url.searchParams.get("model")));
    });
  }

  async listen() {
    await new Promise((resolve) => this.#server.listen(0, "127.0.0.1", resolve));
    return this.#server.address().port;
  }

  /** Forgets the previous level's figures; only frames numbered `from` ≤ n < `to` are timed. */
  reset(from = 0, to = Infinity) {
    this.timed = { from, to };
    this.stats = { sessions: 0, configured: 0, refused: 0, responseCreates: 0, otherEvents: {}, strayFrames: 0, mixedCalls: 0, sessionLog: [], received: new Map(), echoed: new Map(), inbound: new Samples(), slow: new SlowFrames() };
  }

  get openSessions() {
    return this.#open.size;
  }

  #session(ws, model) {
    const stats = this.stats;
    stats.sessions++;
    this.#open.add(ws);
    const id = ++this.#sessions;
    const session = { opened: now(), closed: null, configured: false, frames: 0 };
    stats.sessionLog.push(session);
    let callIndex = null;
    let responseId = null;
    const itemId = `item_bench_${id}`;
    ws.on("close", () => {
      session.closed = now();
      this.#open.delete(ws);
    });
    ws.on("error", () => this.#open.delete(ws));
    ws.send(JSON.stringify({ type: "session.created", event_id: `evt_${id}_0`, session: { id: `sess_${id}`, type: "realtime", model } }));
    ws.on("message", (data) => {
      const at = now();
      const event = JSON.parse(data.toString());
      if (event.type === "input_audio_buffer.append") {
        const frame = Buffer.from(event.audio, "base64");
        const stamp = readFrame(frame);
        if (!stamp) {
          stats.strayFrames++;
          return;
        }
        // One socket must only ever carry one call's audio.
        if (callIndex === null) callIndex = stamp.callIndex;
        else if (callIndex !== stamp.callIndex) stats.mixedCalls++;
        session.frames++;
        stats.received.set(stamp.callIndex, (stats.received.get(stamp.callIndex) ?? 0) + 1);
        if (stamp.seq >= this.timed.from && stamp.seq < this.timed.to) {
          stats.inbound.push(at - stamp.carrierAt);
          stats.slow.note(stamp.carrierAt, at - stamp.carrierAt, stamp.callIndex);
        }
        if (!responseId) {
          responseId = `resp_bench_${id}`;
          ws.send(JSON.stringify({ type: "response.created", response: { id: responseId, object: "realtime.response", status: "in_progress", output: [] } }));
        }
        stampModel(frame, now());
        ws.send(`{"type":"response.output_audio.delta","response_id":"${responseId}","item_id":"${itemId}","output_index":0,"content_index":0,"delta":"${frame.toString("base64")}"}`);
        stats.echoed.set(stamp.callIndex, (stats.echoed.get(stamp.callIndex) ?? 0) + 1);
      } else if (event.type === "session.update") {
        stats.configured++;
        session.configured = true;
        ws.send(JSON.stringify({ type: "session.updated", session: event.session }));
      } else if (event.type === "response.create") {
        // The greeting: this model only echoes, so it says nothing of its own.
        stats.responseCreates++;
      } else {
        stats.otherEvents[event.type] = (stats.otherEvents[event.type] ?? 0) + 1;
      }
    });
  }

  async close() {
    for (const ws of this.#open) ws.terminate();
    this.#wss.close();
    await new Promise((resolve) => this.#server.close(resolve));
  }
}
