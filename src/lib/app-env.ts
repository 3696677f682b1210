import type { Db } from "../db/client";
import type { Role } from "../db/schema";
import type { RateLimitDecision } from "../rate-limit/window";

/** Who is calling: a project's API key, or a signed-in member of a business. */
export type Caller =
  | { kind: "api_key"; apiKeyId: string; projectId: string; businessId: string; rateLimitPerMinute: number }
  | { kind: "session"; userId: string; businessId: string; sessionId: string; role: Role };

export interface AppEnv {
  Bindings: Env;
  Variables: {
    requestId: string;
    db: Db;
    caller: Caller;
    /** Set when authentication already counted the request (API keys do both in one trip). */
    rateLimit?: RateLimitDecision;
    /** The business's agents version as the API key's gate knows it (saves a read when listing agents). */
    agentsVersion?: number;
  };
}
