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
