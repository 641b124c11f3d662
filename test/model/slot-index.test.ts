import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SlotIndex, hashKey } from '../../src/model/slot-index.js';

/** An owner as KeyedSlots is one: a key column, slots reused after removal. */
class Owner {
  readonly keys: (string | undefined)[] = [];
  readonly index = new SlotIndex(this.keys);
  private readonly free: number[] = [];

  add(key: string): number {
    const slot = this.free.pop() ?? this.keys.length;
    this.keys[slot] = key;
    this.index.add(key, slot);
    return slot;
  }

  remove(key: string): boolean {
    const slot = this.index.find(key);
    if (slot < 0) return this.index.delete(key);
    expect(this.index.delete(key)).toBe(true);
    this.keys[slot] = undefined;
    this.free.push(slot);
    return true;
  }
}

describe('SlotIndex', () => {
  it('finds every key at the slot it was added at, across growth, removals and slot reuse, as a Map does', () => {
    // Few distinct keys: the same key comes back after removal, into a reused slot.
    const key = fc.oneof(fc.string({ maxLength: 3 }), fc.constantFrom('a', 'b', 'c', 'd'), fc.uuid());
    const op = fc.record({ remove: fc.boolean(), key });
    fc.assert(
      fc.property(fc.array(op, { maxLength: 400 }), (ops) => {
        const owner = new Owner();
        const model = new Map<string, number>();
        for (const o of ops) {
          if (o.remove) {
            expect(owner.remove(o.key)).toBe(model.delete(o.key));
          } else if (!model.has(o.key)) {
            model.set(o.key, owner.add(o.key));
          }
          expect(owner.index.size).toBe(model.size);
          for (const [k, slot] of model) expect(owner.index.find(k)).toBe(slot);
          expect(owner.index.find(`${o.key}\u0000`)).toBe(-1);
        }
      }),
      { numRuns: 200 },
    );
  });

  it('keeps finding keys whose hashes collide, after removing any of them (backward-shift deletion)', () => {
    // Keys that share one table and one home bucket of it: long probe runs that wrap around.
    const home = (k: string): number => hashKey(k) >>> 27;
    const same: string[] = [];
    for (let i = 0; same.length < 40; i++) if (home(`k${i}`) === home('k0') && (hashKey(`k${i}`) & 15) === (hashKey('k0') & 15)) same.push(`k${i}`);
    fc.assert(
      fc.property(fc.shuffledSubarray(same, { minLength: 1 }), (removed) => {
        const owner = new Owner();
        for (const k of same) owner.add(k);
        for (const k of removed) owner.remove(k);
        for (const k of same) expect(owner.index.find(k) >= 0).toBe(!removed.includes(k));
      }),
      { numRuns: 100 },
    );
  });

  it('holds 100,000 uids with each table within twice its share', () => {
    const owner = new Owner();
    let state = 0x2545f491;
    const hex = (): string => {
      state ^= state << 13;
      state ^= state >>> 17;
      state ^= state << 5;
      return (state >>> 0).toString(16).padStart(8, '0');
    };
    // Random uids from a fixed seed, as the API server makes them (version-4 UUIDs).
    const uids = Array.from({ length: 100_000 }, () => `${hex()}-${hex().slice(0, 4)}-4${hex().slice(0, 3)}-8${hex().slice(0, 3)}-${hex()}${hex().slice(0, 4)}`);
    uids.forEach((uid) => owner.add(uid));
    expect(uids.every((uid, slot) => owner.index.find(uid) === slot)).toBe(true);
    const counts = (owner.index as unknown as { tables: { count: number }[] }).tables.map((t) => t.count);
    expect(counts).toHaveLength(32);
    expect(Math.min(...counts)).toBeGreaterThan(100_000 / 32 / 2);
    expect(Math.max(...counts)).toBeLessThan((100_000 / 32) * 2);
  });
});
