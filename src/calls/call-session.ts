import { DurableObject } from "cloudflare:workers";

// Skeleton: the call coordinator is being written.
export class CallSession extends DurableObject<Env> {}
