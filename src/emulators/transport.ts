import { carrierApp } from "./carrier/carrier-app";
import { modelApp } from "./model/model-app";

/**
 * A `fetch` that reaches the emulators in-process. The production adapters take their transport
 * as a parameter; handing them this one instead of the global fetch is the only difference
 * between a sandbox call and a real one.
 */
export function emulatorFetch(env: Env): typeof fetch {
  return async (input, init) => {
    const request = new Request(input, init);
    const { pathname } = new URL(request.url);
    if (pathname.startsWith("/2010-04-01/")) return carrierApp.fetch(request, env);
    return modelApp.fetch(request, env);
  };
}

/** The base URLs the adapters are given when they talk to the emulators. */
export const EMULATOR_TWILIO_BASE = "https://carrier.emulator.parley";
export const EMULATOR_OPENAI_BASE = "https://model.emulator.parley/v1";
