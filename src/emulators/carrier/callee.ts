import { encodeSample, SAMPLE_RATE, silence } from "../../audio/mulaw";
import { speak, utteranceMs } from "../in-band-speech";
import type { AgentUtterance } from "./line-audio";
import type { CalleeReply, Scenario } from "./scenarios";

/** How long a person takes to start answering once the agent has stopped (after the 300 ms gap). */
const THINK_MS = 400;
/**
 * After the agent's goodbye the callee waits this long for Parley to hang up, then hangs up itself.
 * As people do, it waits a few seconds: the agent's last words and a tool call made with them (an
 * opt-out) reach Parley well before, even when tests run the line at ten times real time.
 */
export const GOODBYE_HANG_UP_MS = 3000;
/** Nobody has said anything for this long: "Hello?" (first at pickup, then between turns). */
const FIRST_PROMPT_MS = 3000;
const PROMPT_MS = 6000;
const PROMPTS = ["Hello?", "Hello? Is anyone there?"];
const CLOSING_LINE = "Sorry, I have to go now. Goodbye.";
/** An answering machine stops recording after this much silence, or at its maximum length. */
const VOICEMAIL_SILENCE_MS = 5000;
const VOICEMAIL_MAX_MS = 120_000;
const TONE_GAP_MS = 200;
const TONE_MS = 500;
/** A phone menu plays its prompt this many times, then gives up on the caller. */
const MENU_PROMPTS = 3;
/** Shorter than any word: a click or the edge of a keypad tone, not something the agent said. */
const SHORTEST_UTTERANCE_MS = 300;

/** The answering machine's beep: a 1 kHz tone. */
function tone(ms: number): Uint8Array {
  return Uint8Array.from({ length: (ms * SAMPLE_RATE) / 1000 }, (_, i) => encodeSample(8000 * Math.sin((2 * Math.PI * 1000 * i) / SAMPLE_RATE)));
}

/** When an answering machine's greeting and beep have finished, from pickup (AMD's machine_end_beep). */
export const voicemailBeepEndsMs = (scenario: Scenario) =>
  scenario.voicemailGreeting ? utteranceMs(scenario.voicemailGreeting) + TONE_GAP_MS + TONE_MS : 0;

/**
 * What answering machine detection concludes about this callee, and after how long (emulated
 * ms). A machine is always reported as `machine_end_beep`, once its greeting and beep are over,
 * whichever MachineDetection mode was asked for (Twilio would say `machine_start` early for
 * "Enable"): the documented voicemail number promises the beep, so Parley's voicemail path
 * (leave a message after it) is what a sandbox user sees.
 */
export function machineDetection(scenario: Scenario): { answeredBy: string; detectionMs: number } {
  if (scenario.answeredBy === "human") return { answeredBy: "human", detectionMs: 1800 };
  return { answeredBy: "machine_end_beep", detectionMs: voicemailBeepEndsMs(scenario) + 100 };
}

export interface CalleeActions {
  say(audio: Uint8Array, text: string): void;
  /** Presses keys: the carrier reports each as a Media Streams `dtmf` event. */
  press(digits: string): void;
  hangUp(reason: string): void;
}

/** What the callee can perceive at one instant of the call. */
export interface LineState {
  nowMs: number;
  agentSpeaking: boolean;
  /** Ms of the agent's current utterance played so far. */
  agentUtteranceMs: number;
  calleeSpeaking: boolean;
}

/**
 * The scripted person (or machine) at the other end: decides, from what it hears and when, what
 * to say and when to hang up. It knows nothing of WebSockets or wall time — only line time.
 */
export class ScriptedCallee {
  private replies = 0;
  private prompts = 0;
  private lastVoiceMs = 0;
  private heardAgent = false;
  private interrupted = false;
  private pending: { atMs: number; reply: CalleeReply | null } | null = null;
  /** A phone menu still waiting for its key; null once a person has picked up (or for no menu). */
  private menuPrompts: number | null = null;
  private hangUpWhenQuiet: string | null = null;
  private recordingFromMs: number | null = null;
  private done = false;

  constructor(
    private readonly scenario: Scenario,
    private readonly actions: CalleeActions,
  ) {}

  /** The stream is up. An answering machine plays its greeting unless it already did. */
  begin(greetingAlreadyPlayed = false): void {
    if (this.scenario.menu) {
      this.menuPrompts = 1;
      this.say(this.scenario.menu.prompt);
      return;
    }
    const greeting = this.scenario.voicemailGreeting;
    if (!greeting) return;
    if (greetingAlreadyPlayed) {
      this.recordingFromMs = 0;
      return;
    }
    this.actions.say(speak(greeting), greeting);
    this.actions.say(silence(TONE_GAP_MS), "");
    this.actions.say(tone(TONE_MS), "(beep)");
    this.recordingFromMs = voicemailBeepEndsMs(this.scenario);
  }

  tick(line: LineState): void {
    if (this.done) return;
    if (line.agentSpeaking || line.calleeSpeaking) this.lastVoiceMs = line.nowMs;
    if (line.agentSpeaking) {
      this.heardAgent = true;
      this.prompts = 0;
    }
    if (this.hangUpWhenQuiet) {
      if (!line.calleeSpeaking) this.hangUp(this.hangUpWhenQuiet);
    } else if (this.recordingFromMs !== null) {
      this.record(line);
    } else if (this.menuPrompts !== null) {
      this.waitForKey(line);
    } else if (!this.scenario.silent) {
      this.converse(line);
    }
  }

  private converse(line: LineState): void {
    const { hangsUpAfterAgentMs, interruption } = this.scenario;
    if (hangsUpAfterAgentMs !== undefined && line.agentSpeaking && line.agentUtteranceMs >= hangsUpAfterAgentMs) {
      this.hangUp("callee_hung_up");
    } else if (interruption && !this.interrupted && line.agentSpeaking && line.agentUtteranceMs >= 1000 && !line.calleeSpeaking) {
      this.interrupted = true;
      this.say(interruption);
    } else if (this.pending) {
      if (line.nowMs < this.pending.atMs) return;
      const { reply } = this.pending;
      this.pending = null;
      // The agent went on talking (it had only paused): answer it when it has finished instead,
      // with the same reply, which was never said.
      if (line.agentSpeaking) {
        if (reply !== null) this.replies--;
        return;
      }
      if (reply === null) this.hangUp("callee_hung_up");
      else if (typeof reply === "string") this.say(reply);
      else this.actions.press(reply.digits);
    } else if (!line.agentSpeaking && !line.calleeSpeaking && line.nowMs - this.lastVoiceMs >= (this.heardAgent ? PROMPT_MS : FIRST_PROMPT_MS)) {
      if (this.prompts >= PROMPTS.length) this.hangUp("callee_hung_up_nobody_there");
      else this.say(PROMPTS[this.prompts++]!);
    }
  }

  /** A key tone the agent played, as a phone menu hears it. */
  keyHeard(key: string, nowMs: number): void {
    const menu = this.scenario.menu;
    if (this.done || !menu || this.menuPrompts === null) return;
    const person = menu.connects[key];
    if (person === undefined) return;
    this.menuPrompts = null;
    this.lastVoiceMs = nowMs;
    this.say(person);
  }

  /** One of the agent's utterances has ended. */
  heard(utterance: AgentUtterance, nowMs: number): void {
    if (this.done || this.scenario.silent || this.recordingFromMs !== null || this.menuPrompts !== null) return;
    if (utterance.playedMs < SHORTEST_UTTERANCE_MS) return;
    if (this.scenario.hangsUpAfterAgentMs !== undefined || utterance.talkedOver) return;
    if (/\b(good)?bye\b/i.test(utterance.text)) {
      this.pending = { atMs: nowMs + GOODBYE_HANG_UP_MS, reply: null };
      return;
    }
    const { replies, repeatsReplies } = this.scenario;
    const reply = (repeatsReplies && replies.length > 0 ? replies[this.replies++ % replies.length] : replies[this.replies++]) ?? CLOSING_LINE;
    this.pending = { atMs: nowMs + THINK_MS, reply };
  }

  /** A menu talks over whoever called (it is a recording) and repeats itself until a key comes. */
  private waitForKey(line: LineState): void {
    if (line.calleeSpeaking || line.nowMs - this.lastVoiceMs < PROMPT_MS) return;
    if (this.menuPrompts! >= MENU_PROMPTS) {
      this.hangUp("menu_timed_out");
      return;
    }
    this.menuPrompts!++;
    this.say(this.scenario.menu!.prompt);
  }

  private record(line: LineState): void {
    const recordingFor = line.nowMs - this.recordingFromMs!;
    if (recordingFor < 0) return;
    if (recordingFor >= VOICEMAIL_MAX_MS) this.hangUp("voicemail_recording_full");
    else if (!line.agentSpeaking && line.nowMs - Math.max(this.lastVoiceMs, this.recordingFromMs!) >= VOICEMAIL_SILENCE_MS) {
      this.hangUp("voicemail_recording_ended");
    }
  }

  private say(text: string): void {
    this.actions.say(speak(text), text);
    if (text === CLOSING_LINE) this.hangUpWhenQuiet = "callee_hung_up";
  }

  private hangUp(reason: string): void {
    this.done = true;
    this.actions.hangUp(reason);
  }
}
