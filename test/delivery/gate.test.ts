import { describe, expect, it } from 'vitest';
import { deliveryConfigSchema } from '../../src/delivery/config.js';
import { DeliveryGate, type GateDecision } from '../../src/delivery/gate.js';
import type { EventRecord, KEvent } from '../../src/model/event.js';
import { ManualClock } from '../../src/model/time.js';
import { createMetrics, type Metrics } from '../../src/observe/metrics.js';
import { BASE_TIME_MS, buildEvent } from '../support/builders.js';

/** One step of a gate scenario. Times are seconds after BASE_TIME_MS (event time) / after start (wall). */
type Step =
  | { offer: { uid: string; count: number; t: number; note?: string }; expect: GateDecision }
  | { wall: number }
  | { due: string[] }
  | { drain: string[] }
  | { seed: Array<[string, number]> };

interface Case {
  name: string;
  config?: { seriesThrottleMillis?: number; dedupeMaxEntries?: number; dedupeTtlMillis?: number };
  steps: Step[];
  /** Expected eventsDeduplicated counts by reason at the end. */
  deduplicated?: { already_exported?: number; coalesced?: number };
  size?: number;
}

const ev = (uid: string, count: number, t: number, note = 'Back-off restarting failed container'): KEvent =>
  buildEvent({ uid, count, timeMs: BASE_TIME_MS + t * 1000, note });

/** `uid:count` of released events, to compare compactly. */
const ids = (events: KEvent[]): string[] => events.map((e) => `${e.uid}:${e.count}`);

const cases: Case[] = [
  {
    name: 'first sighting is delivered, an identical relist item is a duplicate',
    steps: [
      { offer: { uid: 'a', count: 1, t: 0 }, expect: 'deliver' },
      { offer: { uid: 'a', count: 1, t: 0 }, expect: 'duplicate' },
      { offer: { uid: 'b', count: 3, t: 0 }, expect: 'deliver' },
    ],
    deduplicated: { already_exported: 1 },
  },
  {
    name: 'a 410 relist brings already exported Events again: all duplicates, lower counts too',
    steps: [
      { offer: { uid: 'a', count: 5, t: 0 }, expect: 'deliver' },
      { offer: { uid: 'b', count: 1, t: 0 }, expect: 'deliver' },
      { offer: { uid: 'a', count: 5, t: 0 }, expect: 'duplicate' },
      { offer: { uid: 'b', count: 1, t: 0 }, expect: 'duplicate' },
      { offer: { uid: 'a', count: 4, t: 0 }, expect: 'duplicate' },
    ],
    deduplicated: { already_exported: 3 },
  },
  {
    name: 'restart: seeded Events are duplicates up to their count; the next count is delivered at once',
    steps: [
      { seed: [['a', 7], ['b', 2]] },
      { offer: { uid: 'a', count: 7, t: 0 }, expect: 'duplicate' },
      { offer: { uid: 'b', count: 2, t: 0, note: 'a different note' }, expect: 'duplicate' },
      { offer: { uid: 'a', count: 8, t: 1 }, expect: 'deliver' },
      { offer: { uid: 'c', count: 1, t: 1 }, expect: 'deliver' },
    ],
    deduplicated: { already_exported: 2 },
    size: 3,
  },
  {
    name: 'a changed note at the same count is delivered; the same note again is not',
    steps: [
      { offer: { uid: 'a', count: 2, t: 0, note: 'x' }, expect: 'deliver' },
      { offer: { uid: 'a', count: 2, t: 0, note: 'y' }, expect: 'deliver' },
      { offer: { uid: 'a', count: 2, t: 0, note: 'y' }, expect: 'duplicate' },
    ],
    deduplicated: { already_exported: 1 },
  },
  {
    name: 'series within the interval are held, only the latest kept, released carrying the whole count (event time)',
    steps: [
      { offer: { uid: 'a', count: 1, t: 0 }, expect: 'deliver' },
      { offer: { uid: 'a', count: 2, t: 10 }, expect: 'held' },
      { offer: { uid: 'a', count: 3, t: 20 }, expect: 'held' },
      { due: [] },
      // another Event moves the stream's event time past a's interval
      { offer: { uid: 'b', count: 1, t: 31 }, expect: 'deliver' },
      { due: ['a:3'] },
      { due: [] },
    ],
    deduplicated: { coalesced: 1 },
  },
  {
    name: 'an update past the interval is delivered directly and supersedes the held one',
    steps: [
      { offer: { uid: 'a', count: 1, t: 0 }, expect: 'deliver' },
      { offer: { uid: 'a', count: 2, t: 10 }, expect: 'held' },
      { offer: { uid: 'a', count: 4, t: 30 }, expect: 'deliver' },
      { due: [] },
      { drain: [] },
      { offer: { uid: 'a', count: 4, t: 30 }, expect: 'duplicate' },
    ],
    deduplicated: { coalesced: 1, already_exported: 1 },
  },
  {
    name: 'a quiet stream: the wall clock releases a held update',
    steps: [
      { offer: { uid: 'a', count: 1, t: 0 }, expect: 'deliver' },
      { offer: { uid: 'a', count: 2, t: 5 }, expect: 'held' },
      { wall: 29 },
      { due: [] },
      { wall: 30 },
      { due: ['a:2'] },
      { offer: { uid: 'a', count: 2, t: 5 }, expect: 'duplicate' },
    ],
    deduplicated: { already_exported: 1 },
  },
  {
    name: 'a relisted copy of the held update, or an older one, is coalesced into it',
    steps: [
      { offer: { uid: 'a', count: 1, t: 0 }, expect: 'deliver' },
      { offer: { uid: 'a', count: 3, t: 10 }, expect: 'held' },
      { offer: { uid: 'a', count: 3, t: 10 }, expect: 'duplicate' },
      { offer: { uid: 'a', count: 2, t: 8 }, expect: 'duplicate' },
      { drain: ['a:3'] },
      { drain: [] },
    ],
    deduplicated: { coalesced: 2 },
  },
  {
    name: 'throttle 0: every higher count is delivered',
    config: { seriesThrottleMillis: 0 },
    steps: [
      { offer: { uid: 'a', count: 1, t: 0 }, expect: 'deliver' },
      { offer: { uid: 'a', count: 2, t: 0 }, expect: 'deliver' },
      { offer: { uid: 'a', count: 3, t: 1 }, expect: 'deliver' },
      { offer: { uid: 'a', count: 3, t: 1 }, expect: 'duplicate' },
    ],
    deduplicated: { already_exported: 1 },
  },
  {
    name: 'drain returns every held update in the order first held',
    steps: [
      { offer: { uid: 'a', count: 1, t: 0 }, expect: 'deliver' },
      { offer: { uid: 'b', count: 1, t: 0 }, expect: 'deliver' },
      { offer: { uid: 'b', count: 2, t: 1 }, expect: 'held' },
      { offer: { uid: 'a', count: 5, t: 2 }, expect: 'held' },
      { drain: ['b:2', 'a:5'] },
      { due: [] },
    ],
  },
  {
    name: 'LRU: past maxEntries the least recently offered uid is forgotten (and delivered again)',
    config: { dedupeMaxEntries: 2 },
    steps: [
      { offer: { uid: 'a', count: 1, t: 0 }, expect: 'deliver' },
      { offer: { uid: 'b', count: 1, t: 0 }, expect: 'deliver' },
      { offer: { uid: 'a', count: 1, t: 0 }, expect: 'duplicate' }, // a is now the most recent
      { offer: { uid: 'c', count: 1, t: 0 }, expect: 'deliver' }, // evicts b
      { offer: { uid: 'a', count: 1, t: 0 }, expect: 'duplicate' },
      { offer: { uid: 'b', count: 1, t: 0 }, expect: 'deliver' },
    ],
    deduplicated: { already_exported: 2 },
    size: 2,
  },
  {
    name: 'an evicted uid with a held update: the update is not lost, the next due() returns it',
    config: { dedupeMaxEntries: 1 },
    steps: [
      { offer: { uid: 'a', count: 1, t: 0 }, expect: 'deliver' },
      { offer: { uid: 'a', count: 2, t: 1 }, expect: 'held' },
      { offer: { uid: 'b', count: 1, t: 2 }, expect: 'deliver' },
      { due: ['a:2'] },
      { due: [] },
    ],
    size: 1,
  },
  {
    name: 'TTL: a uid not offered for dedupeTtlMillis (wall clock) is forgotten',
    config: { dedupeTtlMillis: 60_000 },
    steps: [
      { offer: { uid: 'a', count: 1, t: 0 }, expect: 'deliver' },
      { wall: 30 },
      { offer: { uid: 'b', count: 1, t: 0 }, expect: 'deliver' },
      { wall: 70 },
      { offer: { uid: 'b', count: 1, t: 0 }, expect: 'duplicate' },
      { offer: { uid: 'a', count: 1, t: 0 }, expect: 'deliver' },
    ],
    deduplicated: { already_exported: 1 },
    size: 2,
  },
];

async function dedupCount(metrics: Metrics, reason: string): Promise<number> {
  const data = await metrics.eventsDeduplicated.get();
  return data.values.find((v) => v.labels.reason === reason)?.value ?? 0;
}

describe('DeliveryGate', () => {
  it.each(cases)('$name', async (c) => {
    const clock = new ManualClock(1_000_000);
    const start = clock.now();
    const metrics = createMetrics();
    const config = deliveryConfigSchema.parse(c.config ?? {});
    const gate = new DeliveryGate(config, { clock, metrics });
    for (const [i, step] of c.steps.entries()) {
      const where = `step ${i}: ${JSON.stringify(step)}`;
      if ('offer' in step) {
        const { uid, count, t, note } = step.offer;
        expect(gate.offer(ev(uid, count, t, note)), where).toBe(step.expect);
      } else if ('wall' in step) {
        clock.set(start + step.wall * 1000);
      } else if ('due' in step) {
        expect(ids(gate.due()), where).toEqual(step.due);
      } else if ('drain' in step) {
        expect(ids(gate.drain()), where).toEqual(step.drain);
      } else {
        gate.seed(step.seed);
      }
    }
    expect(await dedupCount(metrics, 'already_exported')).toBe(c.deduplicated?.already_exported ?? 0);
    expect(await dedupCount(metrics, 'coalesced')).toBe(c.deduplicated?.coalesced ?? 0);
    if (c.size !== undefined) expect(gate.size()).toBe(c.size);
  });

  it('returns the held event object itself, so the record carries its count, note and resourceVersion', () => {
    const gate = new DeliveryGate(deliveryConfigSchema.parse({}), { clock: new ManualClock() });
    gate.offer(ev('a', 1, 0));
    const update = ev('a', 9, 3, 'newest note');
    expect(gate.offer(update)).toBe('held');
    const [released] = gate.drain();
    expect(released).toBe(update);
  });

  it('reports every hold to onHeld', () => {
    const held: string[] = [];
    const gate = new DeliveryGate(deliveryConfigSchema.parse({}), { clock: new ManualClock(), onHeld: (e) => held.push(`${e.uid}:${e.count}`) });
    gate.offer(ev('a', 1, 0));
    gate.offer(ev('a', 2, 1));
    gate.offer(ev('a', 3, 2));
    expect(held).toEqual(['a:2', 'a:3']);
  });

  it('replays decide the same way however fast they run (throttle on event time)', () => {
    // 6 hours of a series repeating every 10 s, offered at two wall-clock speeds
    const run = (wallStepMs: number): string[] => {
      const clock = new ManualClock(0);
      const gate = new DeliveryGate(deliveryConfigSchema.parse({}), { clock });
      const out: string[] = [];
      for (let i = 0; i < 2160; i++) {
        clock.advance(wallStepMs);
        const e = ev('s', i + 1, i * 10);
        if (gate.offer(e) === 'deliver') out.push(`${e.count}`);
        out.push(...ids(gate.due()).map((x) => x.split(':')[1] as string));
      }
      out.push(...ids(gate.drain()).map((x) => x.split(':')[1] as string));
      return out;
    };
    const fast = run(1);
    expect(fast).toEqual(run(5));
    // one record per 30 s of event time, the last carrying the final count
    expect(fast.length).toBeGreaterThan(700);
    expect(fast.length).toBeLessThan(740);
    expect(fast.at(-1)).toBe('2160');
  });

  it('never loses a count: the highest count offered is always exported, whatever the interleaving', () => {
    const clock = new ManualClock(0);
    const gate = new DeliveryGate(deliveryConfigSchema.parse({ seriesThrottleMillis: 30_000 }), { clock });
    const exported = new Map<string, number>();
    const take = (e: KEvent): void => void exported.set(e.uid, Math.max(exported.get(e.uid) ?? 0, e.count));
    let seed = 7;
    const rand = (n: number): number => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % n;
    const highest = new Map<string, number>();
    for (let i = 0; i < 3000; i++) {
      const uid = `u${rand(20)}`;
      const count = (highest.get(uid) ?? 0) + 1 + rand(2);
      highest.set(uid, count);
      clock.advance(rand(3000));
      const e = ev(uid, count, i * 2);
      if (gate.offer(e) === 'deliver') take(e);
      if (rand(4) === 0) gate.due().forEach(take);
    }
    gate.drain().forEach(take);
    expect(exported).toEqual(highest);
  });
});

describe('DeliveryGate.notePrior', () => {
  const newGate = (seriesThrottleMillis = 0): { gate: DeliveryGate; clock: ManualClock } => {
    const clock = new ManualClock(0);
    return { gate: new DeliveryGate(deliveryConfigSchema.parse({ seriesThrottleMillis }), { clock }), clock };
  };
  /** What the gate writes into the record of `event` right after delivering it. */
  const prior = (gate: DeliveryGate, event: KEvent): [number | undefined, number | undefined] => {
    const record: EventRecord = { event, seq: 1, enrichment: {} };
    gate.notePrior(record);
    return [record.priorCount, record.priorTimeMs];
  };
  const t = (s: number): number => BASE_TIME_MS + s * 1000;

  it('gives NaN for a new uid, then the count and event time of the delivery before', () => {
    const { gate } = newGate();
    const first = ev('a', 2, 0);
    expect(gate.offer(first)).toBe('deliver');
    expect(prior(gate, first)).toEqual([Number.NaN, Number.NaN]);
    const second = ev('a', 5, 10);
    expect(gate.offer(second)).toBe('deliver');
    expect(prior(gate, second)).toEqual([2, t(0)]);
    // a duplicate changes nothing: the next delivery's prior is still the one delivered
    expect(gate.offer(ev('a', 4, 20))).toBe('duplicate');
    const third = ev('a', 9, 30);
    expect(gate.offer(third)).toBe('deliver');
    expect(prior(gate, third)).toEqual([5, t(10)]);
  });

  it('gives the same count for a changed note at the same count (nothing added)', () => {
    const { gate } = newGate();
    gate.offer(ev('a', 3, 0));
    const changed = ev('a', 3, 5, 'another note');
    expect(gate.offer(changed)).toBe('deliver');
    expect(prior(gate, changed)).toEqual([3, t(0)]);
  });

  it('gives a released update the delivery before it, not the updates it replaced', () => {
    const { gate } = newGate(60_000);
    gate.offer(ev('a', 1, 0));
    expect(gate.offer(ev('a', 4, 10))).toBe('held');
    expect(gate.offer(ev('a', 7, 20))).toBe('held');
    expect(gate.offer(ev('b', 1, 61))).toBe('deliver');
    const [released] = gate.due();
    expect(released?.count).toBe(7);
    expect(prior(gate, released!)).toEqual([1, t(0)]);
  });

  it('gives a uid seeded from a checkpoint its count with an unknown time', () => {
    const { gate } = newGate();
    gate.seed([['a', 6]]);
    const next = ev('a', 8, 0);
    expect(gate.offer(next)).toBe('deliver');
    expect(prior(gate, next)).toEqual([6, Number.NEGATIVE_INFINITY]);
  });

  it('gives NaN for a uid the gate has forgotten', () => {
    const clock = new ManualClock(0);
    const gate = new DeliveryGate(deliveryConfigSchema.parse({ seriesThrottleMillis: 0, dedupeMaxEntries: 1 }), { clock });
    gate.offer(ev('a', 1, 0));
    gate.offer(ev('b', 1, 0));
    const again = ev('a', 3, 5);
    expect(gate.offer(again)).toBe('deliver');
    expect(prior(gate, again)).toEqual([Number.NaN, Number.NaN]);
  });
});
