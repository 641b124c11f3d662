import fc from 'fast-check';
import { LRUCache } from 'lru-cache';
import { describe, expect, it } from 'vitest';
import { Group } from '../../src/correlate/group.js';
import { KeyIndex } from '../../src/correlate/key-index.js';
import { KEY_PREFIXES } from '../../src/correlate/keys.js';
import { growingBound } from '../../src/model/lru.js';

const opsArb = fc.array(
  fc.oneof(
    { weight: 8, arbitrary: fc.record({ op: fc.constant('register' as const), kind: fc.nat(KEY_PREFIXES.length - 1), key: fc.nat(12), group: fc.nat(4), timeMs: fc.nat(100), identity: fc.boolean() }) },
    { weight: 1, arbitrary: fc.record({ op: fc.constant('drop' as const), group: fc.nat(4) }) },
  ),
  { maxLength: 300 },
);

/** The keys as the correlator kept them before KeyIndex: one lru-cache of prefixed strings, a Set of keys per group. */
class Reference {
  readonly keys: LRUCache<string, { group: Group; lastTimeMs: number; identity: boolean }>;
  constructor(max: number) {
    this.keys = new LRUCache({ ...growingBound(max), dispose: (entry, key, reason) => reason === 'evict' && this.sets.get(entry.group)?.delete(key) });
  }
  readonly sets = new Map<Group, Set<string>>();
  private set(group: Group): Set<string> {
    let s = this.sets.get(group);
    if (!s) this.sets.set(group, (s = new Set()));
    return s;
  }
  register(key: string, group: Group, timeMs: number, identity: boolean): void {
    const entry = this.keys.get(key);
    if (!entry) {
      this.keys.set(key, { group, lastTimeMs: timeMs, identity });
      this.set(group).add(key);
    } else if (entry.group === group) {
      if (timeMs > entry.lastTimeMs) entry.lastTimeMs = timeMs;
      entry.identity ||= identity;
    } else {
      this.set(entry.group).delete(key);
      Object.assign(entry, { group, lastTimeMs: timeMs, identity });
      this.set(group).add(key);
    }
  }
  drop(group: Group): void {
    for (const key of this.set(group)) this.keys.delete(key);
    this.set(group).clear();
  }
}

describe('KeyIndex', () => {
  it('holds, moves and evicts keys exactly as an lru-cache of prefixed keys with a key set per group', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 15 }), opsArb, (max, ops) => {
        const groups = Array.from({ length: 5 }, (_, i) => new Group(`g${i}`, 0));
        const index = new KeyIndex(max);
        const ref = new Reference(max);
        const snapshot = (): unknown[] => {
          const out: unknown[] = [index.size];
          for (let kind = 0; kind < KEY_PREFIXES.length; kind++) {
            for (let key = 0; key <= 12; key++) {
              const slot = index.find(kind, `k${key}`);
              out.push(slot < 0 ? undefined : [index.groupAt(slot).id, index.isIdentity(slot), index.lastTimeMsAt(slot)]);
            }
          }
          return out;
        };
        const expected = (): unknown[] => {
          const out: unknown[] = [ref.keys.size];
          for (let kind = 0; kind < KEY_PREFIXES.length; kind++) {
            for (let key = 0; key <= 12; key++) {
              const e = ref.keys.peek(`${KEY_PREFIXES[kind]}k${key}`);
              out.push(e && [e.group.id, e.identity, e.lastTimeMs]);
            }
          }
          return out;
        };
        for (const o of ops) {
          const group = groups[o.group] as Group;
          if (o.op === 'drop') {
            index.dropGroup(group);
            ref.drop(group);
          } else {
            index.register(o.kind, `k${o.key}`, group, o.timeMs, o.identity);
            ref.register(`${KEY_PREFIXES[o.kind]}k${o.key}`, group, o.timeMs, o.identity);
          }
          expect(index.size).toBeLessThanOrEqual(max);
          expect(snapshot()).toEqual(expected());
        }
      }),
      { numRuns: 200 },
    );
  });

  it('stays the same as the reference past its first capacity (1024 slots), through column growth, evictions and dropped groups', () => {
    const max = 3000;
    const groups = Array.from({ length: 40 }, (_, i) => new Group(`g${i}`, 0));
    const index = new KeyIndex(max);
    const ref = new Reference(max);
    let full = false;
    let seed = 7;
    const rnd = (k: number): number => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return (seed >>> 8) % k;
    };
    const check = (): void => {
      expect(index.size).toBe(ref.keys.size);
      for (let kind = 0; kind < KEY_PREFIXES.length; kind++) {
        for (let key = 0; key < 5000; key++) {
          const slot = index.find(kind, `k${key}`);
          const e = ref.keys.peek(`${KEY_PREFIXES[kind]}k${key}`);
          if (slot < 0 !== !e) expect([kind, key, slot]).toEqual([kind, key, e]);
          if (e) expect([index.groupAt(slot).id, index.isIdentity(slot), index.lastTimeMsAt(slot)]).toEqual([e.group.id, e.identity, e.lastTimeMs]);
        }
      }
    };
    for (let i = 0; i < 20_000; i++) {
      const group = groups[rnd(groups.length)] as Group;
      if (rnd(200) === 0) {
        index.dropGroup(group);
        ref.drop(group);
      } else {
        const kind = rnd(KEY_PREFIXES.length);
        const key = `k${rnd(5000)}`;
        const identity = rnd(2) === 0;
        index.register(kind, key, group, i, identity);
        ref.register(`${KEY_PREFIXES[kind]}${key}`, group, i, identity);
      }
      if (index.size === max) full = true;
      if (i % 2500 === 2499) check();
    }
    // the bound was reached, so evictions happened
    expect(full).toBe(true);
    check();
  });
});
