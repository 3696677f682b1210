import type { Environment } from "../db/schema";

/** True when this deployment can phone real people (Twilio and OpenAI credentials are set). */
export function hasLiveCredentials(env: Env): boolean {
  return Boolean(env.TWILIO_ACCOUNT_SID && env.TWILIO_AUTH_TOKEN && env.TWILIO_FROM_NUMBER && env.OPENAI_API_KEY && env.PUBLIC_BASE_URL);
}

/**
 * A new business's default project is `live` where real calls are possible and `sandbox` (the
 * emulators) where they are not, so a fresh local install works end to end with no credentials.
 */
export function defaultEnvironment(env: Env): Environment {
  return hasLiveCredentials(env) ? "live" : "sandbox";
}
