import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { NONE, SlotList } from '../../src/model/slot-list.js';

/** Slots oldest first (walking `newer`) and newest first (walking `older`). */
function walk(list: SlotList): { up: number[]; down: number[] } {
  const up: number[] = [];
  for (let s = list.oldest; s !== NONE; s = list.newer[s] as number) up.push(s);
  const down: number[] = [];
  for (let s = list.newest; s !== NONE; s = list.older[s] as number) down.push(s);
  return { up, down };
}

type Op = { op: 'add' } | { op: 'touch' | 'release' | 'repush'; at: number };

describe('SlotList', () => {
  it('keeps the order of an array model (push at the end, touch moves to the end) and reuses the last freed slot first', () => {
    const op: fc.Arbitrary<Op> = fc.oneof(
      { weight: 3, arbitrary: fc.constant({ op: 'add' as const }) },
      { weight: 2, arbitrary: fc.record({ op: fc.constantFrom('touch' as const, 'release' as const, 'repush' as const), at: fc.nat(50) }) },
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 300 }), fc.integer({ min: 1, max: 8 }), (ops, first) => {
        const list = new SlotList(first);
        const order: number[] = [];
        const free: number[] = [];
        let fresh = 0;
        for (const o of ops) {
          if (o.op === 'add') {
            const slot = list.allocate();
            expect(slot).toBe(free.length > 0 ? free.pop() : fresh++);
            expect(slot).toBeLessThan(list.capacity);
            list.push(slot);
            order.push(slot);
          } else if (order.length > 0) {
            const i = o.at % order.length;
            const slot = order[i] as number;
            order.splice(i, 1);
            if (o.op === 'touch') {
              list.touch(slot);
              order.push(slot);
            } else if (o.op === 'repush') {
              list.unlink(slot);
              list.push(slot);
              order.push(slot);
            } else {
              list.release(slot);
              free.push(slot);
            }
          }
          const { up, down } = walk(list);
          expect(up).toEqual(order);
          expect(down).toEqual([...order].reverse());
          expect(list.oldest).toBe(order.length > 0 ? order[0] : NONE);
          expect(list.newest).toBe(order.length > 0 ? order[order.length - 1] : NONE);
        }
        // capacity: the first growth, then doubling, never more than needed twice over
        expect(list.capacity === 0 || list.capacity >= first).toBe(true);
        expect(list.capacity).toBeLessThanOrEqual(Math.max(first, 2 * fresh));
      }),
      { seed: 20261123, numRuns: 300 },
    );
  });

  it('grows from the first capacity by doubling up to the most slots, keeping the links', () => {
    const list = new SlotList(4, 11);
    const caps: number[] = [];
    for (let i = 0; i < 11; i++) {
      list.push(list.allocate());
      caps.push(list.capacity);
    }
    expect(caps).toEqual([4, 4, 4, 4, 8, 8, 8, 8, 11, 11, 11]);
    expect(walk(list).up).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    // at the bound, a slot comes back only through release
    list.release(list.oldest);
    expect(list.allocate()).toBe(0);
    expect(list.capacity).toBe(11);
    // and with every slot in use, allocating is an error, never a slot past the arrays
    expect(() => list.allocate()).toThrow(/all 11 slots are in use/);
  });

  it('touch of the newest slot and release of the only slot leave a consistent list', () => {
    const list = new SlotList(2);
    const a = list.allocate();
    list.push(a);
    list.touch(a);
    expect([list.oldest, list.newest]).toEqual([a, a]);
    list.release(a);
    expect([list.oldest, list.newest]).toEqual([NONE, NONE]);
    const b = list.allocate();
    expect(b).toBe(a);
    list.push(b);
    expect(walk(list)).toEqual({ up: [b], down: [b] });
  });
});
