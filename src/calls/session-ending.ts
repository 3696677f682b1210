import { createDb } from "../db/client";
import type { CallStatus } from "../db/schema";
import { addToDoNotCallList } from "../domain/policy";
import { dialTwiml } from "../telephony/twiml";
import type { AgentAction } from "./agent-tools";
import { isTerminal } from "./call-plan";
import { updateCallRow } from "./call-records";
import { keyPress } from "./keypad";
import { type DeadlineName, earliestDeadline } from "./session-state";
import { SessionCore } from "./session-core";

const FAREWELL_ON_TIME_LIMIT = "I'm sorry, we've reached the time limit for this call. Thank you, and goodbye!";
export const FAREWELL_ON_REQUEST = "I have to end the call here. Thank you for your time, goodbye!";
const KEYPAD_OPT_OUT_FAREWELL = "Understood. We won't call this number again. Goodbye!";
const KEYPAD_TRANSFER_LINE = "One moment, I'll put you through to someone now.";
/** A transferred call is the carrier's; this only catches one whose end was never reported. */
const TRANSFERRED_WATCHDOG_MS = 4 * 3_600_000;
/** How long the agent's goodbye may take to play before the line is hung up regardless. */
const FAREWELL_TIMEOUT_MS = 20_000;

/**
 * How a call ends, the middle floor of its CallSession: politely (the farewell is heard out, then
 * the line is hung up or the callee put through), at what the agent or the callee asks for (end
 * the call, opt out, a person, keys with a meaning), or by the deadlines of its one alarm — the
 * time limit, a farewell that never finishes playing, and the watchdog that ends any call that
 * outlives its limits, whatever happened to the object.
 */
export abstract class SessionEnding extends SessionCore {
  // ——— ending ———

  /** Ends the call politely: the farewell (if any) is spoken, then the line is hung up (or put through). */
  protected close(reason: string, farewell: string | null, how: { afterwards?: "hang_up" | "transfer"; status?: CallStatus } = {}): void {
    const state = this.load();
    if (!state || isTerminal(state.status) || state.closing) return;
    state.closing = { reason, ...how };
    state.deadlines.hangUp = Date.now() + FAREWELL_TIMEOUT_MS;
    this.save(state);
    this.armAlarm(state);
    if (farewell) this.conversation?.say(farewell);
    this.hangUpIfFarewellPlayed();
  }

  protected hangUpIfFarewellPlayed(): void {
    const state = this.load();
    if (!state?.closing || isTerminal(state.status) || state.transferredTo || this.conversation?.isQuiet === false) return;
    const { reason, afterwards, status } = state.closing;
    if (afterwards === "transfer") this.ctx.waitUntil(this.putThrough());
    else this.ctx.waitUntil(this.hangUpCarrier("hangUp").then(() => this.finish(status ?? "completed", reason)));
  }

  // ——— what the agent and the callee ask for ———

  protected onAgentAction(action: AgentAction): void {
    if (action.kind === "end_call") this.close("agent_ended", null);
    // The agent has just said its acknowledgement: it is heard out, then the call ends or moves on.
    else if (action.kind === "opt_out") this.optOut(action.reason ?? "The callee asked not to be called again.", null);
    else if (action.kind === "transfer") this.close("transferred", null, { afterwards: "transfer" });
  }

  protected keyPressed(digit: string): void {
    const state = this.load();
    if (!state || isTerminal(state.status) || state.closing || !this.conversation) return;
    const press = keyPress(state.plan.dtmfRules, digit);
    const at = this.conversation.nowMs;
    this.record({ speaker: "customer", text: `(pressed ${digit})`, startMs: at, endMs: at, interrupted: false });
    if (press.action === "opt_out") this.optOut(`The callee pressed ${digit} to opt out.`, KEYPAD_OPT_OUT_FAREWELL);
    else if (press.action === "transfer" && state.plan.transferNumber) this.close("transferred", KEYPAD_TRANSFER_LINE, { afterwards: "transfer" });
    else this.conversation.keyPressed(press.text);
  }

  /** The number joins the project's do-not-call list now (not at the end of the call), then the call ends. */
  private optOut(reason: string, farewell: string | null): void {
    const state = this.load();
    if (!state) return;
    const { projectId, to, callId } = state.plan;
    this.ctx.waitUntil(
      addToDoNotCallList(createDb(this.env.DB), projectId, to, { reason, source: "call", callId }).catch((e) => this.logError("do-not-call listing failed", e)),
    );
    this.close("callee_opted_out", farewell);
  }

  /** Hands the callee to the transfer number: the carrier dials it and bridges them; Parley steps out. */
  private async putThrough(): Promise<void> {
    const state = this.load();
    const number = state?.plan.transferNumber;
    if (!state || !number || state.transferredTo || isTerminal(state.status) || !state.carrierSid) return;
    state.transferredTo = number;
    // The carrier ends the call when either side hangs up; only the watchdog still stands, and far off.
    state.deadlines = { watchdog: Date.now() + TRANSFERRED_WATCHDOG_MS, maxDuration: null, hangUp: null };
    this.save(state);
    this.armAlarm(state);
    const at = this.conversation?.nowMs ?? 0;
    this.record({ speaker: "agent", text: `(transferred the call to ${number})`, startMs: at, endMs: at, interrupted: false });
    this.conversation?.finish();
    try {
      await (await this.carrier()).updateTwiml(state.carrierSid, dialTwiml(number));
      await updateCallRow(this.env, state.plan.callId, { transferredTo: number });
    } catch (error) {
      this.logError("transfer failed", error);
      state.transferredTo = null;
      this.save(state);
      await this.hangUpCarrier("hangUp");
      await this.finish("completed", "transfer_failed");
    }
  }

  // ——— timeouts ———

  override async alarm(): Promise<void> {
    const state = this.load();
    if (!state || isTerminal(state.status)) return;
    const due = earliestDeadline(state.deadlines);
    if (!due) return;
    state.deadlines[due.name] = null;
    this.save(state);
    await this.onDeadline(due.name);
    const after = this.load();
    if (after && !isTerminal(after.status)) this.armAlarm(after);
  }

  private async onDeadline(name: DeadlineName): Promise<void> {
    if (name === "maxDuration") {
      this.close("max_duration", FAREWELL_ON_TIME_LIMIT);
      return;
    }
    if (name === "hangUp") {
      const closing = this.load()?.closing;
      if (closing?.afterwards === "transfer") return this.putThrough();
      await this.hangUpCarrier("hangUp");
      await this.finish(closing?.status ?? "completed", closing?.reason ?? "agent_ended");
      return;
    }
    // The watchdog: whatever was lost (sockets, the object's memory), the call ends here with what was saved.
    await this.hangUpCarrier(this.load()?.status === "in_progress" ? "hangUp" : "cancel");
    await this.finish("failed", "watchdog");
  }

}
