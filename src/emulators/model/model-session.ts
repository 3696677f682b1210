import { DurableObject } from "cloudflare:workers";

// Skeleton: the model emulator's per-session object is being written.
export class ModelSession extends DurableObject<Env> {}
