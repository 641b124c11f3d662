import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EscalationTracker } from '../../src/classify/escalation.js';
import type { KEvent } from '../../src/model/event.js';
import { EscalationKeys, escalationKey } from '../../src/classify/match.js';
import { BASE_TIME_MS, buildEvent, buildRef } from '../support/builders.js';
import { LruEscalationTracker } from './reference/lru-escalation.js';

// Deterministic by default; FC_SEED / FC_RUNS explore further.
const RUNS = { numRuns: Number(process.env.FC_RUNS ?? 300), seed: Number(process.env.FC_SEED ?? 20261123) };

const KEYS = ['pod-a\u0000BackOff', 'pod-b\u0000BackOff', 'pod-a\u0000Unhealthy'];

type Op =
  | { op: 'record'; key: string; event: KEvent }
  | { op: 'count'; key: string; endS: number; windowS: number }
  | { op: 'size' };

const op: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc
      .record({
        key: fc.constantFrom(...KEYS),
        uid: fc.constantFrom('', 'e1', 'e2', 'e3', 'e4', 'e5', 'e6'),
        count: fc.integer({ min: 0, max: 12 }),
        t: fc.integer({ min: 0, max: 900 }),
        startBack: fc.integer({ min: -5, max: 300 }),
      })
      .map(({ key, uid, count, t, startBack }) => ({
        op: 'record' as const,
        key,
        event: buildEvent({ uid, count, timeMs: BASE_TIME_MS + t * 1000, startTimeMs: BASE_TIME_MS + (t - startBack) * 1000 }),
      })),
  },
  {
    weight: 3,
    arbitrary: fc
      .record({ key: fc.constantFrom(...KEYS), endS: fc.integer({ min: 0, max: 900 }), windowS: fc.integer({ min: 1, max: 600 }) })
      .map((o) => ({ op: 'count' as const, ...o })),
  },
  { weight: 1, arbitrary: fc.constant({ op: 'size' as const }) },
);

describe('EscalationTracker (uid slots) counts exactly as the LRUCache-based one it replaced', () => {
  it('same counts in every window and the same size for any sequence of records', () => {
    fc.assert(
      fc.property(
        fc.record({ maxKeys: fc.integer({ min: 1, max: 6 }), maxAgeMillis: fc.constantFrom(60_000, 600_000), maxSpansPerKey: fc.constantFrom(2, 4, 16) }),
        fc.array(op, { maxLength: 120 }),
        (options, ops) => {
          const tracker = new EscalationTracker(options);
          const ref = new LruEscalationTracker(options);
          for (const o of ops) {
            if (o.op === 'record') {
              tracker.record(o.key, o.event);
              ref.record(o.key, o.event);
            } else if (o.op === 'count') {
              const end = BASE_TIME_MS + o.endS * 1000;
              expect(tracker.countInWindow(o.key, end, o.windowS * 1000)).toBe(ref.countInWindow(o.key, end, o.windowS * 1000));
            } else {
              expect(tracker.size()).toBe(ref.size());
            }
          }
          for (const key of KEYS) expect(tracker.countInWindow(key, BASE_TIME_MS + 900_000, 900_000)).toBe(ref.countInWindow(key, BASE_TIME_MS + 900_000, 900_000));
        },
      ),
      RUNS,
    );
  });
});

describe('EscalationKeys', () => {
  it('gives the same key as escalationKey for any sequence of Events, colliding slots included', () => {
    const ref = fc.record({
      uid: fc.constantFrom('', 'a', 'abc', '00000000-0000-4000-8000-000000000001', '00000000-0000-4000-8000-000000000011', 'ffffffff-0000-4000-8000-000000000001'),
      kind: fc.constantFrom('Pod', 'Node'),
      name: fc.constantFrom('web-1', 'web-2'),
      namespace: fc.constantFrom('', 'shop'),
    });
    const anEvent = fc
      .tuple(ref, fc.constantFrom('BackOff', 'Unhealthy', 'Failed', 'BackOffX'))
      .map(([r, reason]) => buildEvent({ reason, regarding: { ...buildRef(), ...r } }));
    fc.assert(
      fc.property(fc.constantFrom(1, 2, 4, 4096), fc.array(anEvent, { maxLength: 60 }), (size, events) => {
        const keys = new EscalationKeys(size);
        for (const e of events) expect(keys.of(e)).toBe(escalationKey(e));
      }),
      RUNS,
    );
  });
});
