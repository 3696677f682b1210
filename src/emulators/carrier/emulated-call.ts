import { DurableObject } from "cloudflare:workers";

// Skeleton: the carrier emulator's per-call object is being written.
export class EmulatedCall extends DurableObject<Env> {}
