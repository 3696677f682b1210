import { parseModelEvent, type ModelEvent } from "../realtime/realtime-events";
import { openRealtimeSocket } from "../realtime/realtime-socket";
import { buildSessionUpdate } from "../realtime/session-config";
import { toolsFor } from "./agent-tools";
import type { CallPlan } from "./call-plan";
import { type Carrier, modelCredentials } from "./endpoints";

/** A call's socket to the voice model: opened, configured with the call's script, and watched. */
export class ModelLink {
  #socket: WebSocket;
  #open = true;

  private constructor(socket: WebSocket) {
    this.#socket = socket;
  }

  static async open(env: Env, carrier: Carrier, plan: CallPlan, onEvent: (event: ModelEvent) => void, onClose: () => void): Promise<ModelLink> {
    const socket = await openRealtimeSocket(await modelCredentials(env, carrier));
    const link = new ModelLink(socket);
    socket.addEventListener("message", (message) => {
      if (typeof message.data !== "string") return;
      const event = parseModelEvent(message.data);
      if (event) onEvent(event);
    });
    const closed = () => {
      if (!link.#open) return;
      link.#open = false;
      onClose();
    };
    socket.addEventListener("close", closed);
    socket.addEventListener("error", closed);
    link.send(
      buildSessionUpdate({
        instructions: plan.instructions,
        voice: plan.voice ?? undefined,
        speed: plan.speed ?? undefined,
        language: plan.language,
        tools: toolsFor(plan),
      }),
    );
    return link;
  }

  get isOpen(): boolean {
    return this.#open;
  }

  send(event: unknown): void {
    if (this.#open) this.#socket.send(typeof event === "string" ? event : JSON.stringify(event));
  }

  close(): void {
    if (!this.#open) return;
    this.#open = false;
    try {
      this.#socket.close(1000, "call ended");
    } catch {
      // already closing
    }
  }
}
