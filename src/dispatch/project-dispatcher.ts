import { DurableObject } from "cloudflare:workers";

// Skeleton: the per-project dispatcher of scheduled notifications is being written.
export class ProjectDispatcher extends DurableObject<Env> {}
