/** Number of Maps a {@link ShardedIndex} spreads its keys over (a power of two). */
export const SHARDS = 32;
/** 32 - log2(SHARDS): the product's top bits name the shard. */
const SHARD_SHIFT = 27;

/**
 * A string → slot-number map spread over {@link SHARDS} Maps by a hash of the key's last three
 * characters (random in Event uids and generated names).
 *
 * Why: a V8 Map rebuilds its whole hash table when it fills, on growth and, once it holds a
 * steady bound of keys with one added and one deleted per Event, every time the deleted entries
 * fill the spare room. At 15,000 Events/s with 100,000-200,000 keys each rebuild held the event
 * loop for tens of milliseconds, and the per-Event indexes (delivery gate, export tracker,
 * escalation, correlation keys) reached their sizes together, so the stalls came at once
 * (docs/performance.md, "Fifth pass"). Spread over 32 Maps, each rebuild is 1/32 of the size and
 * the shards fill at different moments: the same total work in pieces of a millisecond or two.
 * No iteration: owners keep their own order.
 */
export class ShardedIndex {
  private readonly shards: Map<string, number>[] = Array.from({ length: SHARDS }, () => new Map<string, number>());
  private count = 0;

  /** Number of keys held. */
  get size(): number {
    return this.count;
  }

  /** The number stored for `key`, or undefined. */
  get(key: string): number | undefined {
    return this.shardOf(key).get(key);
  }

  /** Stores `value` for `key` (adding it or replacing its value). */
  set(key: string, value: number): void {
    const shard = this.shardOf(key);
    const before = shard.size;
    shard.set(key, value);
    this.count += shard.size - before;
  }

  /** Removes `key`; true when it was present. */
  delete(key: string): boolean {
    const removed = this.shardOf(key).delete(key);
    if (removed) this.count--;
    return removed;
  }

  private shardOf(key: string): Map<string, number> {
    const n = key.length;
    // charCodeAt before the start is NaN, which `| 0` makes 0: keys shorter than 3 still hash.
    const tail = (key.charCodeAt(n - 1) | 0) ^ ((key.charCodeAt(n - 2) | 0) << 8) ^ ((key.charCodeAt(n - 3) | 0) << 16);
    // Fibonacci hashing: the top bits of the product mix all three characters.
    return this.shards[Math.imul(tail, 0x9e3779b1) >>> SHARD_SHIFT] as Map<string, number>;
  }
}
