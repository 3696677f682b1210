import { hasLiveCredentials } from "../config/telephony";
import type { Environment } from "../db/schema";
import { ApiError } from "../lib/errors";

/**
 * Which carrier a project's calls go through. Sandbox projects always use the emulators (like
 * Stripe's test mode); live projects need real credentials, and without them are refused up
 * front with 503 rather than half-created.
 */
export function carrierFor(env: Env, environment: Environment): "twilio" | "emulator" {
  if (environment === "sandbox") return "emulator";
  if (hasLiveCredentials(env)) return "twilio";
  throw new ApiError(
    "service_unavailable",
    "This deployment has no Twilio and OpenAI credentials, so live projects cannot place calls. Use a sandbox project, or set the credentials.",
  );
}
