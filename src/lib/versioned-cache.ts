/**
 * Answers kept in the isolate's memory, each labelled with the version of the data it was made
 * from. An answer is only ever given out for the version the caller has just read from the
 * database, so a change is seen by the very next request, from any isolate: the cache saves the
 * work of reading and presenting the rows, never correctness.
 *
 * Bounded by the bytes it holds; the least recently used answers go first.
 */
interface Entry {
  version: number;
  body: string;
}

export class VersionedCache {
  #entries = new Map<string, Entry>();
  #bytes = 0;

  constructor(private readonly maxBytes: number) {}

  /** The answer made at exactly `version`, or undefined. */
  get(key: string, version: number): string | undefined {
    const entry = this.#entries.get(key);
    if (!entry || entry.version !== version) return undefined;
    // Map order is insertion order: moving the entry to the end marks it as the most recent.
    this.#entries.delete(key);
    this.#entries.set(key, entry);
    return entry.body;
  }

  set(key: string, version: number, body: string): void {
    this.#drop(key);
    // Strings are UTF-16 in memory; an answer too big for the whole cache is not kept at all.
    const size = body.length * 2;
    if (size > this.maxBytes) return;
    this.#entries.set(key, { version, body });
    this.#bytes += size;
    for (const oldest of this.#entries.keys()) {
      if (this.#bytes <= this.maxBytes) break;
      this.#drop(oldest);
    }
  }

  #drop(key: string) {
    const entry = this.#entries.get(key);
    if (!entry) return;
    this.#entries.delete(key);
    this.#bytes -= entry.body.length * 2;
  }
}
