/**
 * The bounds of one {@link LruCache}: entries, and total weight (what `weigh` counts, e.g. characters of query text).
 */
export interface CacheBounds {
  readonly maxEntries: number;
  readonly maxWeight: number;
}

/**
 * A least-recently-used cache bounded both by entry count and by total
 * weight: inserting past either bound evicts the least recently used entries
 * first; an entry heavier than `maxWeight` on its own is not kept at all. A
 * `get` hit makes the entry the most recent (a Map keeps insertion order, so
 * re-inserting moves it to the end).
 */
export class LruCache<K, V> {
  private readonly entries = new Map<K, { value: V; weight: number }>();
  private total = 0;

  constructor(
    readonly bounds: CacheBounds,
    private readonly weigh: (key: K, value: V) => number = () => 1,
  ) {}

  get size(): number {
    return this.entries.size;
  }

  /** The summed weight of what the cache holds (at most `bounds.maxWeight`). */
  get weight(): number {
    return this.total;
  }

  get(key: K): V | undefined {
    const hit = this.entries.get(key);
    if (!hit) return undefined;
    this.entries.delete(key);
    this.entries.set(key, hit);
    return hit.value;
  }

  set(key: K, value: V): void {
    this.delete(key);
    const weight = Math.max(0, this.weigh(key, value));
    if (this.bounds.maxEntries < 1 || weight > this.bounds.maxWeight) return;
    this.entries.set(key, { value, weight });
    this.total += weight;
    for (const [oldest, entry] of this.entries) {
      if (this.entries.size <= this.bounds.maxEntries && this.total <= this.bounds.maxWeight) break;
      this.entries.delete(oldest);
      this.total -= entry.weight;
    }
  }

  delete(key: K): boolean {
    const hit = this.entries.get(key);
    if (!hit) return false;
    this.entries.delete(key);
    this.total -= hit.weight;
    return true;
  }

  /**
   * The same cache behind Apollo Server's `KeyValueCache` interface (its
   * `documentStore` and APQ cache): promises over the synchronous calls. A TTL
   * is ignored: entries leave by recency only.
   */
  asKeyValueCache(): {
    get(key: K): Promise<V | undefined>;
    set(key: K, value: V): Promise<void>;
    delete(key: K): Promise<boolean>;
  } {
    return {
      get: async (key) => this.get(key),
      set: async (key, value) => this.set(key, value),
      delete: async (key) => this.delete(key),
    };
  }
}
