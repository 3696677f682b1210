import { DurableObject } from "cloudflare:workers";
import type { CallPlan, CallSnapshot } from "./call-plan";

// Skeleton of the call coordinator's interface; its body is being written.
export class CallSession extends DurableObject<Env> {
  async start(_plan: CallPlan): Promise<CallSnapshot> {
    throw new Error("CallSession.start is not written yet");
  }
  async end(_reason: string): Promise<CallSnapshot> {
    throw new Error("CallSession.end is not written yet");
  }
  async cancel(): Promise<CallSnapshot> {
    throw new Error("CallSession.cancel is not written yet");
  }
}
