import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SHARDS, ShardedIndex } from '../../src/model/sharded-index.js';

describe('ShardedIndex', () => {
  it('answers get, set, delete and size exactly as one Map', () => {
    const op = fc.record({ op: fc.constantFrom('set' as const, 'delete' as const, 'get' as const), key: fc.oneof(fc.string({ maxLength: 4 }), fc.uuid()), value: fc.integer() });
    fc.assert(
      fc.property(fc.array(op, { maxLength: 300 }), (ops) => {
        const index = new ShardedIndex();
        const model = new Map<string, number>();
        for (const o of ops) {
          if (o.op === 'set') {
            index.set(o.key, o.value);
            model.set(o.key, o.value);
          } else if (o.op === 'delete') {
            expect(index.delete(o.key)).toBe(model.delete(o.key));
          }
          expect(index.get(o.key)).toBe(model.get(o.key));
          expect(index.size).toBe(model.size);
        }
      }),
    );
  });

  it('spreads Event uids over every shard, none with more than twice its share', () => {
    const index = new ShardedIndex();
    const n = SHARDS * 1000;
    let state = 0x2545f491;
    const hex = (): string => {
      state ^= state << 13;
      state ^= state >>> 17;
      state ^= state << 5;
      return (state >>> 0).toString(16).padStart(8, '0');
    };
    // Random uids from a fixed seed, as the API server makes them (version-4 UUIDs).
    for (let i = 0; i < n; i++) index.set(`${hex()}-${hex().slice(0, 4)}-4${hex().slice(0, 3)}-8${hex().slice(0, 3)}-${hex()}${hex().slice(0, 4)}`, i);
    const sizes = (index as unknown as { shards: Map<string, number>[] }).shards.map((shard) => shard.size);
    expect(sizes).toHaveLength(SHARDS);
    expect(Math.min(...sizes)).toBeGreaterThan(500);
    expect(Math.max(...sizes)).toBeLessThan(2000);
  });
});
