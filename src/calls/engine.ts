import type { CallPlan, CallSnapshot } from "./call-plan";

/** The Worker's handle on a call's coordinator; routes call these, never the object directly. */
export const callSession = (env: Env, callId: string) => env.CALL_SESSION.get(env.CALL_SESSION.idFromName(callId));

/** Starts dialling. Idempotent: a plan already started is not dialled twice. */
export function placeCall(env: Env, plan: CallPlan): Promise<CallSnapshot> {
  return callSession(env, plan.callId).start(plan);
}

/** The agent says goodbye, then the call is hung up. */
export function endCall(env: Env, callId: string): Promise<CallSnapshot> {
  return callSession(env, callId).end("ended_by_api");
}

/** Stops the call now: cancels it while ringing, hangs up while in progress. */
export function cancelCall(env: Env, callId: string): Promise<CallSnapshot> {
  return callSession(env, callId).cancel();
}
