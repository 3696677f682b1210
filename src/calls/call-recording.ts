import { CallRecorder } from "../recordings/call-recorder";
import { markRecording, markRecordingFailed, markRecordingSaved, recordingKey } from "../recordings/recording-records";
import { durableRecordingStore } from "../recordings/recording-store";
import { RecordingUpload, randomStagingDelay } from "../recordings/recording-upload";
import type { CallPlan } from "./call-plan";
import { CLOSING_GRACE_SECONDS } from "./session-state";

/**
 * The CallSession's side of its recording. A recording that fails never touches the call: every
 * error stops the recording, is logged, and leaves the call's recording `failed`.
 */
export class CallRecording {
  readonly #recorder: CallRecorder;
  readonly #started: Promise<void>;
  #done = false;

  private constructor(
    private readonly env: Env,
    private readonly callId: string,
    key: string,
    storage: DurableObjectStorage,
    plan: CallPlan,
  ) {
    this.#recorder = new CallRecorder(env.RECORDINGS, key, durableRecordingStore(storage), {
      // The carrier's own time limit, with room for the goodbye: nothing past it is a real call.
      maxMs: (plan.maxDurationSeconds + 2 * CLOSING_GRACE_SECONDS) * 1000,
      stagingDelayBytes: randomStagingDelay(),
    });
    this.#started = markRecording(env, callId, key).catch((error) => this.#log("recording status write failed", error));
  }

  /** Starts recording when the callee's audio starts flowing, unless the agent records nothing. */
  static begin(ctx: DurableObjectState, env: Env, plan: CallPlan): CallRecording | null {
    if (plan.recording === false) return null;
    try {
      const recording = new CallRecording(env, plan.callId, recordingKey(plan.projectId, plan.callId), ctx.storage, plan);
      ctx.waitUntil(recording.#started);
      return recording;
    } catch (error) {
      log(plan.callId, "recording could not start", error);
      return null;
    }
  }

  /**
   * What an object that lost its memory mid-call left behind: the multipart upload is aborted,
   * and the recording is marked failed (its audio went with the memory).
   */
  static async abandon(ctx: DurableObjectState, env: Env, callId: string): Promise<void> {
    try {
      if (await RecordingUpload.abandon(env.RECORDINGS, durableRecordingStore(ctx.storage))) await markRecordingFailed(env, callId);
    } catch (error) {
      log(callId, "abandoned recording cleanup failed", error);
    }
  }

  callee(payload: string, timestampMs: number): void {
    try {
      this.#recorder.callee(payload, timestampMs);
    } catch (error) {
      this.#stop(error);
    }
  }

  agent(audio: Uint8Array, atMs: number): void {
    try {
      this.#recorder.agent(audio, atMs);
    } catch (error) {
      this.#stop(error);
    }
  }

  /** Completes the object and records where it stands on the call. Never throws. */
  async finish(): Promise<void> {
    if (this.#done) return;
    this.#done = true;
    try {
      const saved = await this.#recorder.finish();
      await this.#started;
      await markRecordingSaved(this.env, this.callId, saved);
    } catch (error) {
      this.#log("recording failed", error);
      await this.#started;
      await markRecordingFailed(this.env, this.callId).catch((e) => this.#log("recording status write failed", e));
    }
  }

  #stop(error: unknown): void {
    this.#log("recording stopped", error);
    // Given up at once (no more audio is taken, the staged audio is freed); finish() marks it failed.
    this.#recorder.abort().catch(() => {});
  }

  #log(message: string, error: unknown): void {
    log(this.callId, message, error);
  }
}

function log(callId: string, message: string, error: unknown): void {
  console.error(JSON.stringify({ level: "error", call_id: callId, message, error: String(error) }));
}
