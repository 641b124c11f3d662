import { NONE, SlotList } from './slot-list.js';

/**
 * lru-cache options for a cache of at most `max` entries whose memory grows with its contents.
 *
 * With `max`, lru-cache allocates its key, value and link arrays (and with `ttl` its time
 * arrays) for `max` entries when the cache is built: 12–40 bytes per entry, ~26 MiB for
 * eventide's default bounds (200,000 correlation keys, 50,000 objects per enrich kind, ...),
 * resident from start-up while the caches hold a few thousand entries. Bounded by `maxSize`
 * with every entry of size 1 it keeps the same entries and evicts the same least recently used
 * ones (the same `dispose` calls, reason `evict`), with arrays that grow as entries are added
 * (test/model/lru.test.ts).
 */
export function growingBound(max: number): { maxSize: number; sizeCalculation: () => number } {
  return { maxSize: max, sizeCalculation: unitSize };
}

const unitSize = (): number => 1;

/**
 * A Map of at most `max` entries that forgets the least recently used one first: the same
 * entries, order and evictions as lru-cache with {@link growingBound}(max) for get, peek, has,
 * set and delete (test/model/lru.test.ts), at a fraction of its cost per call (no status, TTL or
 * size bookkeeping). Entries live in numbered slots (a Map from key to slot, key and value
 * arrays, a {@link SlotList} for the recency order: no object per entry), grown as entries are added.
 * `onEvict` runs for an entry pushed out by `set` (after the new entry is in), not for `delete`.
 */
export class LruMap<K, V> {
  private readonly slots = new Map<K, number>();
  private readonly keyOf: (K | undefined)[] = [];
  private readonly valueOf: (V | undefined)[] = [];
  private readonly order: SlotList;

  constructor(
    /** Most entries kept. */
    readonly max: number,
    private readonly onEvict?: (value: V, key: K) => void,
  ) {
    this.order = new SlotList(64, max + 1);
  }

  /** Number of entries. */
  get size(): number {
    return this.slots.size;
  }

  /** The value of `key`, marked most recently used. */
  get(key: K): V | undefined {
    const slot = this.slots.get(key);
    if (slot === undefined) return undefined;
    this.order.touch(slot);
    return this.valueOf[slot];
  }

  /** The value of `key`, leaving the order as it is. */
  peek(key: K): V | undefined {
    const slot = this.slots.get(key);
    return slot === undefined ? undefined : this.valueOf[slot];
  }

  /** True when `key` is held (the order stays as it is). */
  has(key: K): boolean {
    return this.slots.has(key);
  }

  /** Sets `key` to `value`, marked most recently used; beyond `max` the least recently used entries go. */
  set(key: K, value: V): this {
    const order = this.order;
    const slot = this.slots.get(key);
    if (slot !== undefined) {
      this.valueOf[slot] = value;
      order.touch(slot);
      return this;
    }
    const added = order.allocate();
    this.slots.set(key, added);
    this.keyOf[added] = key;
    this.valueOf[added] = value;
    order.push(added);
    while (this.slots.size > this.max) {
      const out = order.oldest;
      const outKey = this.keyOf[out] as K;
      const outValue = this.valueOf[out] as V;
      this.release(out);
      this.onEvict?.(outValue, outKey);
    }
    return this;
  }

  /** Removes `key`; false when it was not held. */
  delete(key: K): boolean {
    const slot = this.slots.get(key);
    if (slot === undefined) return false;
    this.release(slot);
    return true;
  }

  /** The least recently used value (undefined when empty). */
  oldestValue(): V | undefined {
    const oldest = this.order.oldest;
    return oldest === NONE ? undefined : this.valueOf[oldest];
  }

  /** The least recently used key (undefined when empty). */
  oldestKey(): K | undefined {
    const oldest = this.order.oldest;
    return oldest === NONE ? undefined : this.keyOf[oldest];
  }

  /** Values, most recently used first. */
  *values(): IterableIterator<V> {
    const older = this.order.older;
    for (let slot = this.order.newest; slot !== NONE; slot = older[slot] as number) yield this.valueOf[slot] as V;
  }

  /** Entries, most recently used first. */
  *entries(): IterableIterator<[K, V]> {
    const older = this.order.older;
    for (let slot = this.order.newest; slot !== NONE; slot = older[slot] as number) yield [this.keyOf[slot] as K, this.valueOf[slot] as V];
  }

  private release(slot: number): void {
    this.slots.delete(this.keyOf[slot] as K);
    this.order.release(slot);
    this.keyOf[slot] = undefined;
    this.valueOf[slot] = undefined;
  }
}
