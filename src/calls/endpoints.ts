import { EMULATOR_OPENAI_BASE, EMULATOR_TWILIO_BASE, emulatorFetch } from "../emulators/transport";
import { EMULATOR_ACCOUNT_SID, emulatorAuthToken, emulatorOpenAiKey } from "../emulators/credentials";

/**
 * Where a call's carrier and model live, and the URLs the carrier calls back on. Emulated calls
 * use an internal origin: the emulated carrier reaches Parley in-process, routing by path, and
 * signs the same URL Parley verifies.
 */
export const EMULATED_PUBLIC_BASE = "https://parley.sandbox.internal";

export type Carrier = "twilio" | "emulator";

function publicBase(env: Env, carrier: Carrier): string {
  const base = carrier === "emulator" ? EMULATED_PUBLIC_BASE : env.PUBLIC_BASE_URL;
  return base.replace(/\/+$/, "");
}

export const statusCallbackUrl = (env: Env, carrier: Carrier, callId: string) => `${publicBase(env, carrier)}/twilio/status/${callId}`;

export function mediaStreamUrl(env: Env, carrier: Carrier, callId: string): string {
  return `${publicBase(env, carrier).replace(/^http/, "ws")}/media/${callId}`;
}

export async function carrierCredentials(env: Env, carrier: Carrier) {
  if (carrier === "emulator") {
    return { accountSid: EMULATOR_ACCOUNT_SID, authToken: await emulatorAuthToken(env), baseUrl: EMULATOR_TWILIO_BASE, fetch: emulatorFetch(env) };
  }
  return { accountSid: env.TWILIO_ACCOUNT_SID, authToken: env.TWILIO_AUTH_TOKEN, baseUrl: env.TWILIO_API_BASE, fetch: globalThis.fetch.bind(globalThis) };
}

export async function modelCredentials(env: Env, carrier: Carrier) {
  const model = env.OPENAI_REALTIME_MODEL || "gpt-realtime";
  if (carrier === "emulator") return { baseUrl: EMULATOR_OPENAI_BASE, apiKey: await emulatorOpenAiKey(env), model, fetch: emulatorFetch(env) };
  return { baseUrl: env.OPENAI_BASE_URL, apiKey: env.OPENAI_API_KEY, model, fetch: globalThis.fetch.bind(globalThis) };
}
