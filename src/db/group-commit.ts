/**
 * Group commit: the writes of concurrent requests go to the database together.
 *
 * Every D1 round trip has a fixed cost that dwarfs a small insert, and the database runs one
 * query at a time anyway. So while one batch is being committed, writes that arrive queue up, and
 * the moment it lands they are committed as the next batch, in one round trip. Nobody waits on a
 * timer: a write that finds nothing in flight is committed at once, alone.
 *
 * Each batch is run by one of its own requests (the first to queue), in that request's context —
 * workerd ties I/O to the request that started it, and delivers a promise's continuation to the
 * request that created the promise, so every writer waits on a promise of its own.
 *
 * A batch is one transaction. If it fails, its writes are retried one by one, so each request
 * gets its own outcome (one customer's duplicate `external_id` must not fail its neighbours).
 */
export type CommitBatch<Write> = (writes: Write[]) => Promise<unknown>;
export type KeepAlive = (work: Promise<unknown>) => void;

type Turn = "committed" | "lead";

/** Far beyond any healthy commit; only there so that a writer can never wait forever. */
const WAIT_LIMIT_MS = 30_000;

interface Waiting<Write> {
  writes: Write[];
  resolve: (turn: Turn) => void;
  reject: (error: unknown) => void;
}

export class GroupCommit<Write> {
  #queue: Waiting<Write>[] = [];
  #leading = false;

  /**
   * `maxWrites` bounds a batch: D1 counts each statement against the invocation that runs it
   * (50 per invocation on the Bundled plan), and a failed batch is retried writer by writer.
   */
  constructor(
    private readonly commitBatch: CommitBatch<Write>,
    private readonly maxWrites = 20,
  ) {}

  /**
   * Resolves once `writes` are committed (all or none of them), or rejects with the error that
   * committing them alone gave. `keepAlive` (the request's `waitUntil`) keeps the request alive
   * until its part is done even if its client goes away: other requests may wait on the batch it leads.
   */
  commit(writes: Write[], keepAlive: KeepAlive): Promise<void> {
    const done = this.#commit(writes);
    keepAlive(done.catch(() => undefined));
    return done;
  }

  async #commit(writes: Write[]): Promise<void> {
    // Created here, in this request, so that whichever request settles it, this one resumes. The
    // timer matters as much: workerd cancels a request with nothing of its own pending as hung, and
    // another request's promise does not count; a pending timer does.
    let timer: ReturnType<typeof setTimeout> | null = null;
    const turn = new Promise<Turn>((resolve, reject) => {
      this.#queue.push({ writes, resolve, reject });
      timer = setTimeout(() => reject(new Error(`The write was not committed within ${WAIT_LIMIT_MS / 1000} s.`)), WAIT_LIMIT_MS);
    });
    if (!this.#leading) {
      this.#leading = true;
      this.#queue[this.#queue.length - 1]?.resolve("lead");
    }
    try {
      if ((await turn) === "lead") await this.#lead();
    } finally {
      clearTimeout(timer);
    }
  }

  /** Commits everything queued; settles the others and returns (or throws) the leader's own outcome. */
  async #lead(): Promise<void> {
    const batch = this.#takeBatch();
    const outcomes = await this.#commitAll(batch);
    // Whoever queued meanwhile leads the next batch, from its own request.
    const next = this.#queue[0];
    if (next) next.resolve("lead");
    else this.#leading = false;

    // The leader is the batch's first writer (it queued first); its own outcome is returned.
    batch.forEach((waiting, i) => {
      const outcome = outcomes[i];
      if (i === 0) return;
      if (outcome === undefined) waiting.resolve("committed");
      else waiting.reject(outcome.error);
    });
    if (outcomes[0] !== undefined) throw outcomes[0].error;
  }

  /** The writers at the head of the queue, as many as fit in one batch (always at least one). */
  #takeBatch(): Waiting<Write>[] {
    let count = 0;
    let writers = 0;
    for (const waiting of this.#queue) {
      if (writers > 0 && count + waiting.writes.length > this.maxWrites) break;
      count += waiting.writes.length;
      writers++;
    }
    return this.#queue.splice(0, writers);
  }

  /** One entry per waiting writer: undefined when its writes are committed, else the error. */
  async #commitAll(batch: Waiting<Write>[]): Promise<({ error: unknown } | undefined)[]> {
    try {
      await this.commitBatch(batch.flatMap((waiting) => waiting.writes));
      return batch.map(() => undefined);
    } catch (error) {
      if (batch.length === 1) return [{ error }];
    }
    const outcomes: ({ error: unknown } | undefined)[] = [];
    for (const waiting of batch) {
      try {
        await this.commitBatch(waiting.writes);
        outcomes.push(undefined);
      } catch (error) {
        outcomes.push({ error });
      }
    }
    return outcomes;
  }
}
