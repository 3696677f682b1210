import { base64ToBytes, bytesToBase64, FRAME_BYTES, FRAME_MS, SAMPLE_RATE, SILENCE } from "../../audio/mulaw";
import { ScriptedCallee } from "./callee";
import { DtmfDetector } from "./dtmf-detector";
import { AgentListener, type AgentUtterance, CalleeVoice, OutboundPlayer } from "./line-audio";
import type { Scenario } from "./scenarios";

export interface StreamIdentity {
  accountSid: string;
  callSid: string;
  streamSid: string;
  customParameters: Record<string, string>;
}

export interface StreamIo {
  /** A text frame to Parley. */
  send(message: string): void;
  /** The callee hung up; the call object ends the call (stop, close, final callback). */
  hangUp(reason: string): void;
}

/** How far apart a person's key presses come. */
const KEY_INTERVAL_MS = 300;

type ParleyMessage = { event?: unknown; streamSid?: unknown; media?: { payload?: unknown }; mark?: { name?: unknown } };

export interface MediaObservations {
  streamSid: string;
  framesSent: number;
  framesReceived: number;
  bytesReceived: number;
  marksEchoed: number;
  /** Marks Parley sent (every one is echoed: played, flushed, or reached already). */
  marksReceived: number;
  /** Bytes of Parley's audio that came after its last mark: audio whose playing no mark confirms. */
  bytesAfterLastMark: number;
  /** Names of the marks echoed because a `clear` flushed them (not played). */
  marksFlushed: string[];
  /** Names of the marks Parley sent after its first `clear` (at most 500): what it sent next. */
  marksAfterClear: string[];
  lastMarkEchoed: string | null;
  /** Each `clear`, with how much of the agent's current utterance had played (its audio, pauses left out). */
  clears: { atMs: number; agentMsPlayed: number; agentMsPlayedInCall: number }[];
  /** The agent's utterances as the callee heard them. */
  heard: AgentUtterance[];
  /** What the callee said, in order. */
  said: string[];
  /** Keys the callee pressed (sent as `dtmf` events), in order. */
  pressed: string[];
  /** Key tones heard in Parley's audio (only a phone menu listens for them). */
  keysHeard: string[];
  /** Messages Twilio would reject (31950 binary, 31951 malformed/unknown/wrong stream). */
  protocolErrors: string[];
  /** Line time since the stream started. */
  elapsedMs: number;
}

/**
 * One Media Streams connection as Twilio runs it, with the scripted callee on the phone. Driven
 * by `tick()`, one call per 20 ms of line time, so it needs no timers and tests can run it as
 * fast as they like: each tick plays 20 ms of Parley's audio, lets the callee react, and sends
 * 20 ms of the callee's audio.
 */
export class MediaStreamCallee {
  private readonly player = new OutboundPlayer();
  private readonly voice = new CalleeVoice();
  private readonly listener: AgentListener;
  private readonly callee: ScriptedCallee;
  private readonly keys: DtmfDetector | null;
  /** Keys pressed but not reported yet: Twilio reports one `dtmf` event per key, as each is pressed. */
  private pressing: string[] = [];
  private nextKeyAtMs = 0;
  private sequence = 0;
  private nowMs = 0;
  private stopped = false;
  private readonly seen: Omit<MediaObservations, "elapsedMs" | "streamSid"> = {
    framesSent: 0,
    framesReceived: 0,
    bytesReceived: 0,
    marksEchoed: 0,
    marksReceived: 0,
    bytesAfterLastMark: 0,
    marksFlushed: [],
    marksAfterClear: [],
    lastMarkEchoed: null,
    clears: [],
    heard: [],
    said: [],
    pressed: [],
    keysHeard: [],
    protocolErrors: [],
  };

  constructor(
    private readonly ids: StreamIdentity,
    scenario: Scenario,
    private readonly io: StreamIo,
  ) {
    this.listener = new AgentListener((utterance, endedAtMs) => {
      this.seen.heard.push(utterance);
      this.callee.heard(utterance, endedAtMs);
    });
    this.keys = scenario.menu ? new DtmfDetector() : null;
    this.callee = new ScriptedCallee(scenario, {
      say: (audio, text) => {
        this.voice.say(audio);
        if (text) this.seen.said.push(text);
      },
      press: (digits) => this.pressing.push(...digits),
      hangUp: (reason) => io.hangUp(reason),
    });
  }

  /** `connected` and `start`, then the callee picks up (an answering machine starts its greeting). */
  open(greetingAlreadyPlayed = false): void {
    const { accountSid, callSid, streamSid, customParameters } = this.ids;
    this.io.send(JSON.stringify({ event: "connected", protocol: "Call", version: "1.0.0" }));
    this.emit({
      event: "start",
      start: {
        accountSid,
        streamSid,
        callSid,
        tracks: ["inbound"],
        customParameters,
        mediaFormat: { encoding: "audio/x-mulaw", sampleRate: SAMPLE_RATE, channels: 1 },
      },
    });
    this.callee.begin(greetingAlreadyPlayed);
  }

  /**
   * 20 ms of line time: the callee's frame for [now, now + 20) goes out, Parley's audio for the
   * same span plays, and the callee reacts to what it heard by the end of it (what it decides to
   * say starts in the next frame).
   */
  tick(): void {
    if (this.stopped) return;
    const calleeTalking = this.voice.speaking;
    const payload = bytesToBase64(this.voice.frame(FRAME_BYTES));
    this.seen.framesSent++;
    this.emit({
      event: "media",
      media: { track: "inbound", chunk: String(this.seen.framesSent), timestamp: String(this.nowMs), payload },
    });
    this.pressNextKey();
    const { audio, marks } = this.player.play(FRAME_BYTES);
    this.listener.listen(this.keyTonesHeard(audio), FRAME_BYTES);
    for (const name of marks) this.echoMark(name);
    if (calleeTalking) this.listener.markTalkedOver();
    this.nowMs += FRAME_MS;
    this.callee.tick({
      nowMs: this.nowMs,
      agentSpeaking: this.listener.speaking,
      agentUtteranceMs: this.listener.currentMs,
      calleeSpeaking: this.voice.speaking,
    });
  }

  /** A frame from Parley: `media`, `mark` or `clear`. */
  receive(data: string | ArrayBuffer): void {
    const message = this.parse(data);
    if (!message) return;
    if (message.event === "media" && typeof message.media?.payload === "string") {
      let bytes: Uint8Array;
      try {
        bytes = base64ToBytes(message.media.payload);
      } catch {
        this.reject("31951: the media payload is not base64");
        return;
      }
      this.seen.framesReceived++;
      this.seen.bytesReceived += bytes.length;
      this.seen.bytesAfterLastMark += bytes.length;
      this.player.enqueueAudio(bytes);
    } else if (message.event === "mark" && typeof message.mark?.name === "string") {
      this.seen.marksReceived++;
      this.seen.bytesAfterLastMark = 0;
      if (this.seen.clears.length > 0 && this.seen.marksAfterClear.length < 500) this.seen.marksAfterClear.push(message.mark.name);
      // Nothing left to play before it: it has been reached already.
      if (this.player.idle) this.echoMark(message.mark.name);
      else this.player.enqueueMark(message.mark.name);
    } else if (message.event === "clear") {
      this.seen.clears.push({ atMs: this.nowMs, agentMsPlayed: this.listener.currentAudioMs, agentMsPlayedInCall: this.listener.totalAudioMs });
      for (const name of this.player.clear()) {
        this.seen.marksFlushed.push(name);
        this.echoMark(name);
      }
    } else {
      this.reject(`31951: unexpected message ${String(message.event)}`);
    }
  }

  /** `stop`: the call is ending (the socket is closed by the caller). */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.emit({ event: "stop", stop: { accountSid: this.ids.accountSid, callSid: this.ids.callSid } });
  }

  /** The socket is gone: nothing more is sent. */
  detach(): void {
    this.stopped = true;
  }

  get elapsedMs(): number {
    return this.nowMs;
  }

  observations(): MediaObservations {
    return structuredClone({ ...this.seen, streamSid: this.ids.streamSid, elapsedMs: this.nowMs });
  }

  private pressNextKey(): void {
    if (this.pressing.length === 0 || this.nowMs < this.nextKeyAtMs) return;
    const digit = this.pressing.shift()!;
    this.seen.pressed.push(digit);
    this.nextKeyAtMs = this.nowMs + KEY_INTERVAL_MS;
    this.emit({ event: "dtmf", dtmf: { track: "inbound_track", digit } });
  }

  /** A menu listens for key tones; a tone is signalling, so it is silence to the ear that hears words. */
  private keyTonesHeard(played: Uint8Array): Uint8Array {
    if (!this.keys) return played;
    const frame = new Uint8Array(FRAME_BYTES).fill(SILENCE);
    frame.set(played);
    const key = this.keys.push(frame);
    if (key) {
      this.seen.keysHeard.push(key);
      this.callee.keyHeard(key, this.nowMs);
    }
    return this.keys.inTone ? new Uint8Array(0) : played;
  }

  private echoMark(name: string): void {
    this.seen.marksEchoed++;
    this.seen.lastMarkEchoed = name;
    this.emit({ event: "mark", mark: { name } });
  }

  /** Twilio closes the stream on these; the emulator notes them so tests can insist on none. */
  private parse(data: string | ArrayBuffer): ParleyMessage | null {
    let problem: string | null = null;
    let message: ParleyMessage | null = null;
    if (typeof data !== "string") problem = "31950: binary frames are not accepted";
    else {
      try {
        message = JSON.parse(data);
      } catch {
        problem = "31951: the message is not JSON";
      }
    }
    if (!problem && (typeof message !== "object" || message === null)) problem = "31951: the message is not a JSON object";
    else if (message && message.streamSid !== this.ids.streamSid) problem = `31951: unknown streamSid ${String(message.streamSid)}`;
    if (problem) this.reject(problem);
    return problem ? null : message;
  }

  private reject(problem: string): void {
    this.seen.protocolErrors.push(problem);
  }

  private emit(message: { event: string } & Record<string, unknown>): void {
    const { event, ...rest } = message;
    this.io.send(JSON.stringify({ event, sequenceNumber: String(++this.sequence), streamSid: this.ids.streamSid, ...rest }));
  }
}
