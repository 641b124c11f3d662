import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DeliveryGate } from '../../src/delivery/gate.js';
import { CheckpointTracker, type RecordOrigin } from '../../src/delivery/tracker.js';
import type { KEvent } from '../../src/model/event.js';
import { ManualClock } from '../../src/model/time.js';
import { createMetrics, type Metrics } from '../../src/observe/metrics.js';
import { BASE_TIME_MS, buildEvent } from '../support/builders.js';
import { MapDeliveryGate } from './reference/map-gate.js';
import { MapCheckpointTracker } from './reference/map-tracker.js';

// Deterministic by default; FC_SEED / FC_RUNS explore further.
const RUNS = { numRuns: Number(process.env.FC_RUNS ?? 300), seed: Number(process.env.FC_SEED ?? 20261123) };

const UIDS = ['a', 'b', 'c', 'd', 'e', 'f', 'g'];
const NOTES = ['Back-off restarting failed container', 'Readiness probe failed', 'Created container app'];

const uid = fc.constantFrom(...UIDS);
const anEvent = fc
  .record({ uid, count: fc.integer({ min: 1, max: 8 }), t: fc.integer({ min: 0, max: 120 }), note: fc.constantFrom(...NOTES) })
  .map(({ uid, count, t, note }) => buildEvent({ uid, count, note, timeMs: BASE_TIME_MS + t * 1000 }));

type GateOp =
  | { op: 'offer'; event: KEvent }
  | { op: 'wall'; ms: number }
  | { op: 'due' }
  | { op: 'drain' }
  | { op: 'seed'; pairs: Array<[string, number]> };

const gateOp: fc.Arbitrary<GateOp> = fc.oneof(
  { weight: 8, arbitrary: anEvent.map((event) => ({ op: 'offer' as const, event })) },
  { weight: 2, arbitrary: fc.integer({ min: 0, max: 40_000 }).map((ms) => ({ op: 'wall' as const, ms })) },
  { weight: 3, arbitrary: fc.constant({ op: 'due' as const }) },
  { weight: 1, arbitrary: fc.constant({ op: 'drain' as const }) },
  { weight: 1, arbitrary: fc.array(fc.tuple(uid, fc.integer({ min: 0, max: 8 })), { maxLength: 4 }).map((pairs) => ({ op: 'seed' as const, pairs })) },
);

async function dedupCounts(metrics: Metrics): Promise<Record<string, number>> {
  const data = await metrics.eventsDeduplicated.get();
  return Object.fromEntries(data.values.map((v) => [String(v.labels.reason), v.value]));
}

describe('DeliveryGate (slots) decides exactly as the Map-based gate it replaced', () => {
  it('same decisions, releases, sizes, held counts, onHeld calls and metrics for any sequence of calls', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          seriesThrottleMillis: fc.constantFrom(0, 10_000, 30_000),
          dedupeMaxEntries: fc.integer({ min: 1, max: 6 }),
          dedupeTtlMillis: fc.constantFrom(1_000, 60_000, 7_200_000),
        }),
        fc.array(gateOp, { maxLength: 80 }),
        async (config, ops) => {
          const clock = new ManualClock(1_000_000);
          const metricsNew = createMetrics();
          const metricsOld = createMetrics();
          const heldNew: KEvent[] = [];
          const heldOld: KEvent[] = [];
          const gate = new DeliveryGate(config, { clock, metrics: metricsNew, onHeld: (e) => heldNew.push(e) });
          const ref = new MapDeliveryGate(config, { clock, metrics: metricsOld, onHeld: (e) => heldOld.push(e) });
          for (const op of ops) {
            switch (op.op) {
              case 'offer':
                expect(gate.offer(op.event)).toBe(ref.offer(op.event));
                break;
              case 'wall':
                clock.advance(op.ms);
                break;
              case 'due': {
                const got = gate.due();
                const want = ref.due();
                expect(got.length).toBe(want.length);
                got.forEach((e, i) => expect(e).toBe(want[i]));
                break;
              }
              case 'drain': {
                const got = gate.drain();
                const want = ref.drain();
                expect(got.length).toBe(want.length);
                got.forEach((e, i) => expect(e).toBe(want[i]));
                break;
              }
              case 'seed':
                gate.seed(op.pairs);
                ref.seed(op.pairs);
                break;
            }
            expect(gate.size()).toBe(ref.size());
            expect(gate.heldCount()).toBe(ref.heldCount());
          }
          expect(heldNew.length).toBe(heldOld.length);
          heldNew.forEach((e, i) => expect(e).toBe(heldOld[i]));
          expect(await dedupCounts(metricsNew)).toEqual(await dedupCounts(metricsOld));
        },
      ),
      RUNS,
    );
  });
});

type TrackerOp =
  | { op: 'delivered'; event: KEvent; origin: RecordOrigin }
  | { op: 'held'; event: KEvent }
  | { op: 'position'; rv: string }
  | { op: 'settle'; pick: number[]; ok: boolean }
  | { op: 'wall'; ms: number }
  | { op: 'snapshot' };

const trackerOp: fc.Arbitrary<TrackerOp> = fc.oneof(
  { weight: 8, arbitrary: fc.tuple(anEvent, fc.constantFrom<RecordOrigin>('watch', 'watch', 'list', 'release', 'added')).map(([event, origin]) => ({ op: 'delivered' as const, event, origin })) },
  { weight: 1, arbitrary: anEvent.map((event) => ({ op: 'held' as const, event })) },
  { weight: 1, arbitrary: fc.integer({ min: 1, max: 1000 }).map((n) => ({ op: 'position' as const, rv: `p${n}` })) },
  {
    weight: 5,
    arbitrary: fc
      .tuple(fc.array(fc.integer({ min: 0, max: 40 }), { maxLength: 6 }), fc.integer({ min: 0, max: 19 }))
      .map(([pick, r]) => ({ op: 'settle' as const, pick, ok: r !== 0 })),
  },
  { weight: 2, arbitrary: fc.integer({ min: 0, max: 40_000 }).map((ms) => ({ op: 'wall' as const, ms })) },
  { weight: 2, arbitrary: fc.constant({ op: 'snapshot' as const }) },
);

describe('CheckpointTracker (slots) checkpoints exactly as the Map-based tracker it replaced', () => {
  it('same snapshots (exported order and counts), pending, revision and frozen reason for any sequence of calls', () => {
    fc.assert(
      fc.property(
        fc.record({
          maxExported: fc.integer({ min: 1, max: 6 }),
          exportedTtlMillis: fc.constantFrom(1_000, 60_000),
          maxPending: fc.constantFrom(3, 100),
        }),
        fc.option(fc.array(fc.tuple(uid, fc.integer({ min: 0, max: 8 })), { maxLength: 8 }), { nil: undefined }),
        fc.array(trackerOp, { maxLength: 80 }),
        (config, initialExported, ops) => {
          const clock = new ManualClock(1_000_000);
          const initial = initialExported ? { version: 1 as const, resourceVersion: '7', exported: initialExported, savedAtMs: 990_000 } : undefined;
          const options = { ...config, clock, ...(initial ? { initial } : {}) };
          const tracker = new CheckpointTracker(options);
          const ref = new MapCheckpointTracker(options);
          let seq = 0;
          for (const op of ops) {
            switch (op.op) {
              case 'delivered':
                tracker.delivered(seq, op.event, op.origin);
                ref.delivered(seq, op.event, op.origin);
                seq++;
                break;
              case 'held':
                tracker.held(op.event);
                ref.held(op.event);
                break;
              case 'position':
                tracker.position(op.rv);
                ref.position(op.rv);
                break;
              case 'settle': {
                const seqs = op.pick.map((p) => seq - 1 - p).filter((s) => s >= 0);
                tracker.settled(seqs, op.ok);
                ref.settled(seqs, op.ok);
                break;
              }
              case 'wall':
                clock.advance(op.ms);
                break;
              case 'snapshot':
                expect(tracker.snapshot()).toEqual(ref.snapshot());
                break;
            }
            expect(tracker.pending()).toBe(ref.pending());
            expect(tracker.revision()).toBe(ref.revision());
            expect(tracker.frozenReason()).toBe(ref.frozenReason());
          }
          expect(tracker.snapshot()).toEqual(ref.snapshot());
        },
      ),
      RUNS,
    );
  });
});
