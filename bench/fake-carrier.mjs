// A stand-in for Twilio that Parley reaches through TWILIO_API_BASE: it takes the REST call,
// answers it with signed status callbacks, opens the TwiML's media stream and plays the callee:
// a 20 ms frame in real time, marks echoed at once, and the time each of Parley's frames took
// since the fake model sent it.
import { randomBytes } from "node:crypto";
import { createServer } from "node:http";
import twilio from "twilio";
import WebSocket from "ws";
import { carrierFrame, FRAME_MS, now, readFrame, Samples, SlowFrames } from "./frames.mjs";

const CALLS = /^\/2010-04-01\/Accounts\/([^/]+)\/Calls(?:\/([^/]+))?\.json$/;
const sid = (prefix) => prefix + randomBytes(16).toString("hex");
const XML = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" };
const unxml = (s) => s.replace(/&(#x[0-9a-f]+|#\d+|\w+);/gi, (m, e) => (e[0] === "#" ? String.fromCodePoint(Number(e[1] === "x" ? `0${e.slice(1)}` : e.slice(1))) : (XML[e] ?? m)));
const attrs = (tag) => Object.fromEntries([...tag.matchAll(/(\w+)="([^"]*)"/g)].map(([, k, v]) => [k, unxml(v)]));

/** The `<Stream url>` and its `<Parameter>`s from Parley's `<Connect><Stream>` TwiML. */
function parseTwiml(twiml) {
  const stream = /<Stream\b[^>]*>/.exec(twiml ?? "");
  const parameters = Object.fromEntries([...(twiml ?? "").matchAll(/<Parameter\b[^>]*\/?>/g)].map(([tag]) => attrs(tag)).map((a) => [a.name, a.value]));
  return { streamUrl: stream ? attrs(stream[0]).url : null, parameters };
}

export class FakeCarrier {
  stats;
  calls = new Map();
  #server = createServer((req, res) => this.#rest(req, res));

  constructor({ accountSid, authToken }) {
    this.accountSid = accountSid;
    this.authToken = authToken;
    this.reset();
  }

  async listen() {
    await new Promise((resolve) => this.#server.listen(0, "127.0.0.1", resolve));
    return this.#server.address().port;
  }

  /** Forgets the previous level's calls and figures; only frames numbered `from` ≤ n < `to` are timed. */
  reset(from = 0, to = Infinity) {
    this.timed = { from, to };
    this.calls = new Map();
    this.stats = { dialed: 0, refusedRest: 0, hangUpsByParley: 0, callbackFailures: [], streamErrors: [], earlyCloses: [], crossTalk: 0, strayFrames: 0, clears: 0, marks: 0, outbound: new Samples(), roundTrip: new Samples(), slow: new SlowFrames() };
  }

  /** Calls whose media stream is open and started. */
  get streaming() {
    return [...this.calls.values()].filter((c) => c.started);
  }

  #rest(req, res) {
    let body = "";
    req.on("data", (d) => (body += d));
    req.on("end", () => {
      const match = req.method === "POST" ? CALLS.exec(new URL(req.url, "http://carrier").pathname) : null;
      const expected = `Basic ${Buffer.from(`${this.accountSid}:${this.authToken}`).toString("base64")}`;
      const reply = (status, json) => res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(json));
      if (!match) return reply(404, { code: 20404, message: "The requested resource was not found", more_info: "https://www.twilio.com/docs/errors/20404", status: 404 });
      if (match[1] !== this.accountSid || req.headers.authorization !== expected) {
        this.stats.refusedRest++;
        return reply(401, { code: 20003, message: "Authenticate", more_info: "https://www.twilio.com/docs/errors/20003", status: 401 });
      }
      const form = new URLSearchParams(body);
      if (match[2]) return reply(200, this.#update(match[2], form));
      const call = this.#dial(form);
      reply(201, this.#resource(call, "queued"));
      setTimeout(() => this.#answer(call).catch((e) => this.stats.streamErrors.push(`call ${call.index}: ${e.message}`)), 10);
    });
  }

  #dial(form) {
    const { streamUrl, parameters } = parseTwiml(form.get("Twiml"));
    const call = {
      index: this.stats.dialed++,
      sid: sid("CA"),
      streamSid: sid("MZ"),
      to: form.get("To"),
      from: form.get("From"),
      statusCallback: form.get("StatusCallback"),
      amdCallback: form.get("AsyncAmdStatusCallback"),
      streamUrl,
      token: parameters.token,
      callbackSeq: 0,
      messageSeq: 0,
      ws: null,
      started: false,
      ended: false,
      answeredAt: null,
      sent: 0,
      received: 0,
    };
    this.calls.set(call.sid, call);
    return call;
  }

  #resource(call, status) {
    return {
      sid: call.sid, account_sid: this.accountSid, to: call.to, from: call.from, status, direction: "outbound-api", answered_by: null,
      start_time: null, end_time: null, duration: null, price: null, api_version: "2010-04-01", date_created: new Date().toUTCString(),
      uri: `/2010-04-01/Accounts/${this.accountSid}/Calls/${call.sid}.json`,
    };
  }

  /** Parley hangs up (Status=completed) or cancels; the benchmark's calls end from the callee's side, so it is noted. */
  #update(callSid, form) {
    const call = this.calls.get(callSid);
    if (!call) return { sid: callSid, status: "completed" };
    this.stats.hangUpsByParley++;
    this.end(call).catch(() => {});
    return this.#resource(call, form.get("Status") ?? "completed");
  }

  async #callback(call, status, extra = {}) {
    const url = call.statusCallback;
    const params = {
      AccountSid: this.accountSid, ApiVersion: "2010-04-01", CallSid: call.sid, CallStatus: status, Direction: "outbound-api",
      From: call.from, To: call.to, Timestamp: new Date().toUTCString(), SequenceNumber: String(call.callbackSeq++), CallbackSource: "call-progress-events", ...extra,
    };
    await this.#post(url, params, `${status} callback`, call);
  }

  async #post(url, params, what, call) {
    const signature = twilio.getExpectedTwilioSignature(this.authToken, url, params);
    const res = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", "x-twilio-signature": signature, "i-twilio-idempotency-token": randomBytes(16).toString("hex") },
      body: new URLSearchParams(params).toString(),
    });
    await res.arrayBuffer();
    if (!res.ok) this.stats.callbackFailures.push(`call ${call.index} ${what}: HTTP ${res.status}`);
  }

  async #answer(call) {
    await this.#callback(call, "ringing");
    call.answeredAt = now();
    await this.#callback(call, "in-progress");
    if (call.amdCallback) {
      await this.#post(call.amdCallback, { AccountSid: this.accountSid, CallSid: call.sid, AnsweredBy: "human", MachineDetectionDuration: "1200" }, "AMD callback", call);
    }
    const url = process.env.BENCH_DIRECT_STREAM ? call.streamUrl.replace(/:\/\/[^/]+/, `://${process.env.BENCH_DIRECT_STREAM}`) : call.streamUrl;
    const ws = new WebSocket(url, { perMessageDeflate: false });
    call.ws = ws;
    ws.on("open", () => {
      this.#send(call, { event: "connected", protocol: "Call", version: "1.0.0" });
      this.#send(call, {
        event: "start", sequenceNumber: String(++call.messageSeq), streamSid: call.streamSid,
        start: { accountSid: this.accountSid, streamSid: call.streamSid, callSid: call.sid, tracks: ["inbound"], customParameters: { token: call.token }, mediaFormat: { encoding: "audio/x-mulaw", sampleRate: 8000, channels: 1 } },
      });
      call.started = true;
    });
    ws.on("message", (data) => this.#onMessage(call, data));
    ws.on("error", (e) => this.stats.streamErrors.push(`call ${call.index}: ${e.message}`));
    ws.on("close", (code, reason) => {
      if (!call.ended) this.stats.earlyCloses.push(`call ${call.index}: ${code} ${reason}`);
    });
  }

  #send(call, message) {
    call.ws.send(typeof message === "string" ? message : JSON.stringify(message));
  }

  #onMessage(call, data) {
    const at = now();
    const message = JSON.parse(data.toString());
    if (message.event === "media") {
      const stamp = readFrame(Buffer.from(message.media.payload, "base64"));
      if (!stamp) return void this.stats.strayFrames++;
      if (stamp.callIndex !== call.index) this.stats.crossTalk++;
      call.received++;
      if (stamp.seq >= this.timed.from && stamp.seq < this.timed.to) {
        this.stats.outbound.push(at - stamp.modelAt);
        this.stats.slow.note(stamp.modelAt, at - stamp.modelAt, stamp.callIndex);
        this.stats.roundTrip.push(at - stamp.carrierAt);
      }
    } else if (message.event === "mark") {
      // Twilio echoes a mark once the audio before it has played; the echo keeps pace with the
      // callee's own audio, so it is answered at once.
      this.stats.marks++;
      this.#send(call, `{"event":"mark","sequenceNumber":"${++call.messageSeq}","streamSid":"${call.streamSid}","mark":{"name":${JSON.stringify(message.mark.name)}}}`);
    } else if (message.event === "clear") {
      this.stats.clears++;
    }
  }

  /**
   * Every started call streams `frames` frames, call i starting `i/n` of a frame after `t0` so the
   * calls' frames interleave as independent phones' would. Resolves when all have been sent.
   */
  stream(t0, frames) {
    const calls = this.streaming;
    return Promise.all(calls.map((call, i) => new Promise((resolve) => {
      const start = t0 + (i / calls.length) * FRAME_MS;
      const tick = () => {
        if (call.ended || call.ws.readyState !== WebSocket.OPEN) return resolve();
        // Catch up if the timer fired late, as a carrier's fixed-rate clock would.
        while (call.sent < frames && start + call.sent * FRAME_MS <= now()) {
          const seq = call.sent++;
          const payload = carrierFrame(call.index, seq, now()).toString("base64");
          this.#send(call, `{"event":"media","sequenceNumber":"${++call.messageSeq}","streamSid":"${call.streamSid}","media":{"track":"inbound","chunk":"${seq + 1}","timestamp":"${seq * FRAME_MS}","payload":"${payload}"}}`);
        }
        if (call.sent >= frames) return resolve();
        setTimeout(tick, Math.max(0, start + call.sent * FRAME_MS - now()));
      };
      setTimeout(tick, Math.max(0, start - now()));
    })));
  }

  /** The callee hangs up: `stop`, the socket closes, then the `completed` callback. */
  async end(call) {
    if (call.ended) return;
    call.ended = true;
    if (call.ws?.readyState === WebSocket.OPEN) {
      this.#send(call, { event: "stop", sequenceNumber: String(++call.messageSeq), streamSid: call.streamSid, stop: { accountSid: this.accountSid, callSid: call.sid } });
      call.ws.close(1000);
    }
    const duration = call.answeredAt === null ? 0 : Math.round((now() - call.answeredAt) / 1000);
    await this.#callback(call, "completed", { CallDuration: String(duration) });
  }

  async close() {
    for (const call of this.calls.values()) call.ws?.terminate();
    await new Promise((resolve) => this.#server.close(resolve));
  }
}
