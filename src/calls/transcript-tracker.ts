import { BYTES_PER_MS } from "../audio/mulaw";

export interface SpokenLine {
  speaker: "agent" | "customer";
  text: string;
  startMs: number;
  endMs: number;
  interrupted: boolean;
}

interface AgentItem {
  text: string;
  startMs: number;
  audioBytes: number;
  heardMs: number | null;
  /** Cut off by the callee, but the carrier has not yet said how much was heard. */
  awaitingCut: boolean;
  saved: boolean;
}

/**
 * Assembles transcript lines from the model's events. Times are on the call's clock: milliseconds
 * of callee audio since the stream started, which is what the model's own speech timestamps use.
 * An agent line cut off by the callee keeps its words, is marked interrupted and ends where the
 * callee stopped hearing it.
 */
export class TranscriptTracker {
  #agent = new Map<string, AgentItem>();
  #customer = new Map<string, { startMs: number; endMs: number | null }>();

  agentAudio(itemId: string, nowMs: number, bytes: number): void {
    const item = this.#agentItem(itemId, nowMs);
    item.audioBytes += bytes;
  }

  agentText(itemId: string, delta: string, nowMs: number): void {
    this.#agentItem(itemId, nowMs).text += delta;
  }

  /** The callee cut the item off; its line waits for `agentHeard` to say where. */
  agentInterrupted(itemId: string): void {
    const item = this.#agent.get(itemId);
    if (item) item.awaitingCut = true;
  }

  /** How much of an interrupted item was heard; returns its line if it was waiting for this. */
  agentHeard(itemId: string, heardMs: number): SpokenLine | null {
    const item = this.#agent.get(itemId);
    if (!item) return null;
    item.heardMs = heardMs;
    item.awaitingCut = false;
    return this.agentDone(itemId);
  }

  /** The finished line for an item, once; `transcript` is the model's final text when it sent one. */
  agentDone(itemId: string, transcript?: string): SpokenLine | null {
    const item = this.#agent.get(itemId);
    if (!item || item.saved) return null;
    if (transcript) item.text = transcript;
    if (!item.text.trim() || item.awaitingCut) return null;
    item.saved = true;
    const spokenMs = item.audioBytes / BYTES_PER_MS;
    const heard = item.heardMs === null ? spokenMs : Math.min(item.heardMs, spokenMs);
    return { speaker: "agent", text: item.text.trim(), startMs: item.startMs, endMs: Math.round(item.startMs + heard), interrupted: item.heardMs !== null };
  }

  /** Lines of agent items that never got a final transcript (a cancelled response). */
  unsavedAgentLines(): SpokenLine[] {
    return [...this.#agent.keys()].map((id) => this.agentDone(id)).filter((line): line is SpokenLine => line !== null);
  }

  /** At the end of the call nothing waits any longer: interrupted lines keep what was known. */
  flush(): SpokenLine[] {
    for (const item of this.#agent.values()) item.awaitingCut = false;
    return this.unsavedAgentLines();
  }

  customerStarted(itemId: string, ms: number): void {
    this.#customer.set(itemId, { startMs: ms, endMs: null });
  }

  customerStopped(itemId: string, ms: number): void {
    const speech = this.#customer.get(itemId);
    if (speech) speech.endMs = ms;
  }

  customerText(itemId: string, transcript: string, nowMs: number): SpokenLine | null {
    if (!transcript.trim()) return null;
    const speech = this.#customer.get(itemId) ?? { startMs: nowMs, endMs: nowMs };
    this.#customer.delete(itemId);
    return { speaker: "customer", text: transcript.trim(), startMs: speech.startMs, endMs: speech.endMs ?? nowMs, interrupted: false };
  }

  #agentItem(itemId: string, nowMs: number): AgentItem {
    let item = this.#agent.get(itemId);
    if (!item) {
      item = { text: "", startMs: nowMs, audioBytes: 0, heardMs: null, awaitingCut: false, saved: false };
      this.#agent.set(itemId, item);
    }
    return item;
  }
}
