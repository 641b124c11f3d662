import fc from 'fast-check';
import { LRUCache } from 'lru-cache';
import { describe, expect, it } from 'vitest';
import { LruMap, growingBound } from '../../src/model/lru.js';

type Op = { op: 'set'; key: number; value: number } | { op: 'get' | 'has' | 'delete'; key: number } | { op: 'advance'; ms: number };

const ops = (keys: number): fc.Arbitrary<Op[]> =>
  fc.array(
    fc.oneof(
      fc.record({ op: fc.constant('set' as const), key: fc.nat(keys), value: fc.nat() }),
      fc.record({ op: fc.constantFrom('get' as const, 'has' as const, 'delete' as const), key: fc.nat(keys) }),
      fc.record({ op: fc.constant('advance' as const), ms: fc.nat(50) }),
    ),
    { maxLength: 300 },
  );

/** Everything observable of a cache over `ops`: results, dispose calls, final contents in LRU order. */
function trace(make: (extra: { dispose: (v: number, k: number, reason: string) => void; perf: { now(): number } }) => LRUCache<number, number>, list: Op[]): unknown[] {
  const out: unknown[] = [];
  let now = 0;
  const cache = make({ dispose: (v, k, reason) => out.push(['dispose', k, v, reason]), perf: { now: () => now } });
  for (const o of list) {
    if (o.op === 'set') cache.set(o.key, o.value);
    else if (o.op === 'advance') now += o.ms;
    else out.push([o.op, o.key, cache[o.op](o.key)]);
  }
  out.push(['size', cache.size], ['entries', [...cache.entries()]]);
  return out;
}

describe('growingBound', () => {
  it('keeps and evicts exactly what `max` does', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 20 }), ops(40), (max, list) => {
        expect(trace((x) => new LRUCache({ ...growingBound(max), dispose: x.dispose }), list)).toEqual(
          trace((x) => new LRUCache({ max, dispose: x.dispose }), list),
        );
      }),
    );
  });

  it('keeps and evicts exactly what `max` does with a TTL refreshed on get', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 20 }), ops(40), (max, list) => {
        const opts = { ttl: 100, updateAgeOnGet: true };
        expect(trace((x) => new LRUCache({ ...growingBound(max), ...opts, ...x }), list)).toEqual(trace((x) => new LRUCache({ max, ...opts, ...x }), list));
      }),
    );
  });

  it('allocates nothing for the bound when built', () => {
    const grown = (make: () => unknown): number => {
      const before = process.memoryUsage();
      const keep = make();
      const after = process.memoryUsage();
      expect(keep).toBeDefined();
      return after.heapUsed + after.arrayBuffers - before.heapUsed - before.arrayBuffers;
    };
    const bound = 1_000_000;
    expect(grown(() => new LRUCache({ max: bound }))).toBeGreaterThan(10 * 2 ** 20);
    expect(grown(() => new LRUCache(growingBound(bound)))).toBeLessThan(2 ** 20);
  });
});

describe('LruMap', () => {
  const mapOps = fc.array(
    fc.oneof(
      fc.record({ op: fc.constant('set' as const), key: fc.nat(200), value: fc.nat() }),
      fc.record({ op: fc.constantFrom('get' as const, 'peek' as const, 'has' as const, 'delete' as const), key: fc.nat(200) }),
      fc.record({ op: fc.constant('oldest' as const) }),
    ),
    { maxLength: 600 },
  );

  it('keeps, orders and evicts exactly as lru-cache with growingBound', () => {
    fc.assert(
      // small bounds evict all the time; larger ones grow the slot arrays past their first size
      fc.property(fc.oneof(fc.integer({ min: 1, max: 20 }), fc.integer({ min: 60, max: 150 })), mapOps, (max, list) => {
        const expected: unknown[] = [];
        const actual: unknown[] = [];
        const ref = new LRUCache<number, number>({ ...growingBound(max), dispose: (v, k, reason) => reason === 'evict' && expected.push(['evict', k, v]) });
        const map = new LruMap<number, number>(max, (v, k) => actual.push(['evict', k, v]));
        for (const o of list) {
          if (o.op === 'set') {
            ref.set(o.key, o.value);
            map.set(o.key, o.value);
          } else if (o.op === 'oldest') {
            const first = ref.rentries().next().value as [number, number] | undefined;
            expected.push(['oldest', first?.[0], first?.[1]]);
            actual.push(['oldest', map.oldestKey(), map.oldestValue()]);
          } else {
            expected.push([o.op, o.key, ref[o.op](o.key)]);
            actual.push([o.op, o.key, map[o.op](o.key)]);
          }
          expect(map.size).toBe(ref.size);
        }
        expected.push([...ref.entries()], [...ref.values()]);
        actual.push([...map.entries()], [...map.values()]);
        expect(actual).toEqual(expected);
      }),
      { numRuns: 200 },
    );
  });
});
