import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { KeyedSlots } from '../../src/model/keyed-slots.js';

/** Keys oldest first, with their fields. */
function contents(slots: KeyedSlots, width: number): Array<[string, number[]]> {
  const out: Array<[string, number[]]> = [];
  for (let s = slots.oldest(); s >= 0; s = slots.newer(s)) out.push([slots.keyOf(s), Array.from({ length: width }, (_, f) => slots.get(s, f))]);
  return out;
}

type Op = { op: 'add' | 'touch' | 'remove'; key: number; value: number } | { op: 'removeOldest' };

describe('KeyedSlots', () => {
  it('with maxKeys, its columns stop growing there: an owner that evicts after each add runs at its bound', () => {
    const slots = new KeyedSlots(3, 4, 6);
    for (let i = 0; i < 1000; i++) {
      const slot = slots.add(`k${i}`);
      slots.set(slot, 2, i);
      if (slots.size > 5) slots.remove(slots.oldest());
    }
    expect(contents(slots, 3)).toEqual([995, 996, 997, 998, 999].map((i) => [`k${i}`, [0, 0, i]]));
    expect((slots as unknown as { fields: Float64Array }).fields.length).toBe(6 * 3);
    slots.add('k1000');
    expect(() => slots.add('k1001')).toThrow(RangeError);
  });

  it('keeps the same keys, order and fields as a Map re-inserted on touch, across growth and slot reuse', () => {
    const op: fc.Arbitrary<Op> = fc.oneof(
      fc.record({ op: fc.constantFrom('add' as const, 'touch' as const, 'remove' as const), key: fc.nat(30), value: fc.double({ noNaN: true }) }),
      fc.constant({ op: 'removeOldest' as const }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 300 }), (ops) => {
        const slots = new KeyedSlots(2, 1);
        const model = new Map<string, [number, number]>();
        for (const o of ops) {
          if (o.op === 'removeOldest') {
            const first = model.keys().next();
            expect(slots.oldest() >= 0).toBe(!first.done);
            if (!first.done) {
              expect(slots.keyOf(slots.oldest())).toBe(first.value);
              slots.remove(slots.oldest());
              model.delete(first.value);
            }
            continue;
          }
          const key = `k${o.key}`;
          const slot = slots.slotOf(key);
          expect(slot >= 0).toBe(model.has(key));
          if (o.op === 'add' && slot < 0) {
            const added = slots.add(key);
            // a new (or reused) slot starts at zero
            expect([slots.get(added, 0), slots.get(added, 1)]).toEqual([0, 0]);
            slots.set(added, 1, o.value);
            model.set(key, [0, o.value]);
          } else if (o.op === 'touch' && slot >= 0) {
            slots.touch(slot);
            slots.set(slot, 0, o.value);
            const v = model.get(key)!;
            model.delete(key);
            model.set(key, [o.value, v[1]]);
          } else if (o.op === 'remove' && slot >= 0) {
            slots.remove(slot);
            model.delete(key);
          }
          expect(slots.size).toBe(model.size);
        }
        expect(contents(slots, 2)).toEqual([...model].map(([k, v]) => [k, v]));
      }),
      { numRuns: 300, seed: 20261123 },
    );
  });
});
