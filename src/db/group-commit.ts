/**
 * Group commit: the writes of concurrent requests go to the database together.
 *
 * Every D1 round trip has a fixed cost that dwarfs a small insert, and the database runs one
 * query at a time anyway. So while one batch is being committed, writes that arrive queue up, and
 * the moment it lands they are committed as the next batch, in one round trip. A write that finds
 * nothing in flight is committed at once.
 *
 * The first writer to find nothing in flight leads: it commits its batch, answers its own client,
 * and goes on committing whatever queued meanwhile, in the background of its own request (kept
 * alive by `waitUntil`), for up to MAX_BATCHES_PER_LEADER batches; then the oldest waiter takes
 * over. Database I/O thus always runs in the request that started it, as workerd requires.
 *
 * Waiters look at their own entry on their own short timers rather than awaiting a promise that
 * another request settles: such a continuation may run in the settling request (workerd only
 * delivers it to its own request under `handle_cross_request_promise_resolution`, which the test
 * pool turns off), and a request waiting on nothing of its own is cancelled as hung.
 *
 * A batch is one transaction. If it fails, its writes are retried one by one, so each request
 * gets its own outcome (one customer's duplicate `external_id` must not fail its neighbours).
 */
export type CommitBatch<Write> = (writes: Write[]) => Promise<unknown>;
export type KeepAlive = (work: Promise<unknown>) => void;

/** How often a waiting writer looks at its entry: a batch takes a few milliseconds. */
const POLL_MS = 1;
/** Far beyond any healthy wait; a write still queued by then is withdrawn and reported. */
const QUEUE_LIMIT_MS = 30_000;
/** D1 gives up on a query after 30 s; a batch with no answer after this is reported as unknown. */
const IN_FLIGHT_LIMIT_MS = 60_000;
/** Keeps any one request's background work short (workerd allows 30 s of `waitUntil` after the answer). */
const MAX_BATCHES_PER_LEADER = 32;

type State = { is: "queued" } | { is: "lead" } | { is: "in_flight" } | { is: "committed" } | { is: "failed"; error: unknown };

interface Waiting<Write> {
  write: Write;
  state: State;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export interface GroupCommitOptions {
  /**
   * Bounds a batch: D1 counts each statement against the invocation that runs it (50 per
   * invocation on the Bundled plan), and a failed batch is retried write by write.
   */
  maxWrites?: number;
  /**
   * A leader that has not moved for this long is taken to be gone (its request ended or was
   * cancelled), and the oldest waiter leads in its place, so the queue never stalls for good.
   */
  leaderSilentMs?: number;
}

export class GroupCommit<Write> {
  #queue: Waiting<Write>[] = [];
  #leading = false;
  /** When a leader last started or finished a batch, or was chosen. */
  #movedAt = 0;
  readonly #maxWrites: number;
  readonly #leaderSilentMs: number;

  /** `commitBatch` stores several writes in one transaction. */
  constructor(
    private readonly commitBatch: CommitBatch<Write>,
    { maxWrites = 20, leaderSilentMs = 5_000 }: GroupCommitOptions = {},
  ) {
    this.#maxWrites = maxWrites;
    this.#leaderSilentMs = leaderSilentMs;
  }

  /**
   * Resolves once `write` is committed, or rejects with the error that committing it alone gave.
   * `keepAlive` (the request's `waitUntil`) keeps the request alive until its part is done even if
   * its client goes away: other requests may wait on the batches it leads.
   */
  commit(write: Write, keepAlive: KeepAlive): Promise<void> {
    const done = this.#commit(write, keepAlive);
    keepAlive(done.catch(() => undefined));
    return done;
  }

  async #commit(write: Write, keepAlive: KeepAlive): Promise<void> {
    const me: Waiting<Write> = { write, state: { is: "queued" } };
    this.#queue.push(me);
    if (!this.#leading) this.#choose(me);
    const queuedAt = Date.now();
    let sentAt = 0;
    for (;;) {
      const state = me.state;
      const now = Date.now();
      if (state.is === "committed") return;
      if (state.is === "failed") throw state.error;
      if (state.is === "lead") return this.#lead(keepAlive);
      if (state.is === "queued") {
        if (this.#queue[0] === me && now - this.#movedAt > this.#leaderSilentMs) {
          this.#choose(me);
          continue;
        }
        if (now - queuedAt > QUEUE_LIMIT_MS) {
          this.#queue.splice(this.#queue.indexOf(me), 1);
          throw new Error(`The write waited ${QUEUE_LIMIT_MS / 1000} s for the database and was withdrawn, not committed.`);
        }
      }
      if (state.is === "in_flight") {
        sentAt ||= now;
        if (now - sentAt > IN_FLIGHT_LIMIT_MS) throw new Error(`The database did not confirm the write within ${IN_FLIGHT_LIMIT_MS / 1000} s; it may or may not be stored.`);
      }
      await sleep(POLL_MS);
    }
  }

  #choose(waiting: Waiting<Write>) {
    this.#leading = true;
    this.#movedAt = Date.now();
    waiting.state = { is: "lead" };
  }

  /** Commits the leader's batch and returns (or throws) its own outcome; then drains the queue. */
  async #lead(keepAlive: KeepAlive): Promise<void> {
    const own = await this.#commitNext();
    keepAlive(this.#drain());
    if (own.is === "failed") throw own.error;
  }

  async #drain(): Promise<void> {
    for (let batches = 1; batches < MAX_BATCHES_PER_LEADER && this.#queue.length > 0; batches++) {
      // One turn of the event loop lets requests already under way join the batch: under load
      // that makes batches about a third larger, and the turn is only taken when others wait.
      await sleep(0);
      await this.#commitNext();
    }
    const next = this.#queue[0];
    if (next) this.#choose(next);
    else this.#leading = false;
  }

  /** Commits the head of the queue as one batch and settles its writers; returns the first one's outcome. */
  async #commitNext(): Promise<State> {
    const batch = this.#takeBatch();
    for (const waiting of batch) waiting.state = { is: "in_flight" };
    this.#movedAt = Date.now();
    const outcomes = await this.#commitAll(batch);
    this.#movedAt = Date.now();
    batch.forEach((waiting, i) => {
      waiting.state = outcomes[i]!;
    });
    return outcomes[0]!;
  }

  /** The writers at the head of the queue, as many as fit in one batch. */
  #takeBatch(): Waiting<Write>[] {
    return this.#queue.splice(0, this.#maxWrites);
  }

  /** One outcome per writer, in order. */
  async #commitAll(batch: Waiting<Write>[]): Promise<State[]> {
    try {
      await this.commitBatch(batch.map((waiting) => waiting.write));
      return batch.map(() => ({ is: "committed" }));
    } catch (error) {
      if (batch.length === 1) return [{ is: "failed", error }];
    }
    const outcomes: State[] = [];
    for (const waiting of batch) {
      try {
        await this.commitBatch([waiting.write]);
        outcomes.push({ is: "committed" });
      } catch (error) {
        outcomes.push({ is: "failed", error });
      }
    }
    return outcomes;
  }
}
