import { hmacSha256, toHex } from "../lib/crypto";

/**
 * The emulated Twilio account and OpenAI key. The auth token signs the emulated carrier's status
 * callbacks exactly as Twilio signs real ones; it is derived from the deployment's secret so
 * nobody outside can forge a callback for a sandbox call.
 */
export const EMULATOR_ACCOUNT_SID = "AC00000000000000000000000000e4u1a7";
export const EMULATOR_FROM_NUMBER = "+14155550100";

export async function emulatorAuthToken(env: Env): Promise<string> {
  return toHex(await hmacSha256(env.JWT_SECRET, "parley-carrier-emulator")).slice(0, 32);
}

export async function emulatorOpenAiKey(env: Env): Promise<string> {
  return `sk-emulator-${toHex(await hmacSha256(env.JWT_SECRET, "parley-model-emulator")).slice(0, 40)}`;
}

/** How much faster than real time the emulators run (tests speed them up; users see 1). */
export function emulatorSpeed(env: Env): number {
  const speed = Number(env.EMULATOR_SPEED);
  return Number.isFinite(speed) && speed >= 1 && speed <= 100 ? speed : 1;
}
