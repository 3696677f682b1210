import { describe, expect, it } from "vitest";
import { GroupCommit } from "../src/db/group-commit";

/** A database whose commits are recorded and finish only when the test says so. */
function database({ failWhen = (_writes: string[]): boolean => false, leaderSilentMs = 5_000 } = {}) {
  const batches: string[][] = [];
  const pending: (() => void)[] = [];
  const group = new GroupCommit<string>(
    (writes) =>
      new Promise<void>((resolve, reject) => {
        batches.push(writes);
        pending.push(() => (failWhen(writes) ? reject(new Error(`refused ${writes.join(",")}`)) : resolve()));
      }),
    { maxWrites: 3, leaderSilentMs },
  );
  const finishNext = async () => {
    await new Promise((r) => setTimeout(r, 0));
    pending.shift()?.();
    await new Promise((r) => setTimeout(r, 0));
  };
  return { group, batches, finishNext };
}

const tick = () => new Promise((r) => setTimeout(r, 0));
const settle = (promise: Promise<void>) => promise.then(() => "committed", (error: Error) => error.message);
const noKeepAlive = () => {};

describe("group commit", () => {
  it("commits a write at once, alone, when nothing is in flight", async () => {
    const db = database();
    const done = settle(db.group.commit("a", noKeepAlive));
    await db.finishNext();
    expect(await done).toBe("committed");
    expect(db.batches).toEqual([["a"]]);
  });

  it("commits the writes that arrived during a commit together, in one batch, in their order", async () => {
    const db = database();
    const first = settle(db.group.commit("a", noKeepAlive));
    await tick(); // the first batch is now in flight
    const others = [settle(db.group.commit("b", noKeepAlive)), settle(db.group.commit("c", noKeepAlive))];
    await db.finishNext();
    expect(await first).toBe("committed");
    await db.finishNext();
    expect(await Promise.all(others)).toEqual(["committed", "committed"]);
    expect(db.batches).toEqual([["a"], ["b", "c"]]);
  });

  it("retries a failed batch writer by writer, so only the bad write fails", async () => {
    const db = database({ failWhen: (writes) => writes.includes("bad") });
    const first = settle(db.group.commit("a", noKeepAlive));
    await tick();
    const queued = [settle(db.group.commit("b", noKeepAlive)), settle(db.group.commit("bad", noKeepAlive)), settle(db.group.commit("d", noKeepAlive))];
    await db.finishNext();
    for (let i = 0; i < 4; i++) await db.finishNext();
    expect(await first).toBe("committed");
    expect(await Promise.all(queued)).toEqual(["committed", "refused bad", "committed"]);
    expect(db.batches).toEqual([["a"], ["b", "bad", "d"], ["b"], ["bad"], ["d"]]);
  });

  it("puts no more writes in a batch than its limit; the rest go in the next", async () => {
    const db = database();
    const all = [settle(db.group.commit("a", noKeepAlive))];
    await tick();
    for (const write of ["b", "c", "d", "e", "f"]) all.push(settle(db.group.commit(write, noKeepAlive)));
    for (let i = 0; i < 3; i++) await db.finishNext();
    expect(await Promise.all(all)).toEqual(Array(6).fill("committed"));
    expect(db.batches).toEqual([["a"], ["b", "c", "d"], ["e", "f"]]);
  });

  it("hands every writer's work to its request's keep-alive, the batch it leads included", async () => {
    const db = database();
    const kept: Promise<unknown>[] = [];
    const done = [settle(db.group.commit("a", (work) => kept.push(work)))];
    await tick();
    done.push(settle(db.group.commit("b", (work) => kept.push(work))));
    expect(kept).toHaveLength(2);
    await db.finishNext();
    await db.finishNext();
    await Promise.all(done);
    // The leader also keeps its request alive while it commits what queued behind it.
    expect(kept).toHaveLength(3);
    expect(await Promise.all(kept)).toEqual([undefined, undefined, undefined]);
  });

  it("lets the oldest waiter lead when the leader has gone silent, so the queue never stalls for good", async () => {
    const db = database({ leaderSilentMs: 50 });
    // The first batch never comes back, as if its request had been cancelled mid-commit.
    void db.group.commit("lost", noKeepAlive).catch(() => undefined);
    await tick();
    const waiting = settle(db.group.commit("b", noKeepAlive));
    await new Promise((r) => setTimeout(r, 120));
    expect(db.batches).toEqual([["lost"], ["b"]]);
    await db.finishNext(); // "lost" finally answers; "b" is next
    await db.finishNext();
    expect(await waiting).toBe("committed");
  });
});
