import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type Checkpoint, type CheckpointStore, FileCheckpointStore, MemoryCheckpointStore, type PiecewiseCheckpoint } from '../../src/delivery/checkpoint.js';
import { deliveryConfigSchema } from '../../src/delivery/config.js';
import { createDelivery } from '../../src/delivery/delivery.js';
import { DeliveryGate } from '../../src/delivery/gate.js';
import { Checkpointer, CheckpointTracker } from '../../src/delivery/tracker.js';
import type { KEvent } from '../../src/model/event.js';
import { ManualClock } from '../../src/model/time.js';
import { silentLogger } from '../../src/observe/logger.js';
import { createMetrics } from '../../src/observe/metrics.js';
import { BASE_TIME_MS, buildEvent } from '../support/builders.js';

const ev = (uid: string, count: number, rv: string, t = 0): KEvent =>
  buildEvent({ uid, count, resourceVersion: rv, timeMs: BASE_TIME_MS + t * 1000 });

/** An in-memory store whose saves can be made to fail. */
class FlakyStore extends MemoryCheckpointStore {
  failNext = 0;
  override async save(checkpoint: PiecewiseCheckpoint): Promise<void> {
    if (this.failNext > 0) {
      this.failNext--;
      throw new Error('disk full');
    }
    await super.save(checkpoint);
  }
}

function tracker(initial?: Checkpoint, extra: { maxExported?: number; maxPending?: number } = {}): CheckpointTracker {
  return new CheckpointTracker({ clock: new ManualClock(42), logger: silentLogger(), ...(initial ? { initial } : {}), ...extra });
}

describe('CheckpointTracker', () => {
  it('has no checkpoint before anything is acknowledged', () => {
    const t = tracker();
    t.delivered(1, ev('a', 1, '10'));
    expect(t.snapshot()).toBeUndefined();
    expect(t.pending()).toBe(1);
  });

  it('moves the resume point to the highest seq with every seq before it acknowledged (out-of-order acks)', () => {
    const t = tracker();
    t.delivered(1, ev('a', 1, '10'));
    t.delivered(2, ev('b', 1, '11'));
    t.delivered(3, ev('c', 1, '12'));
    t.delivered(4, ev('d', 1, '13'));
    t.settled([3], true);
    expect(t.snapshot()).toBeUndefined(); // 1 and 2 still in flight
    t.settled([1], true);
    expect(t.snapshot()?.resourceVersion).toBe('10');
    t.settled([4, 2], true);
    const cp = t.snapshot();
    expect(cp?.resourceVersion).toBe('13');
    expect(cp?.api).toBe('events.k8s.io/v1');
    expect(cp?.exported).toEqual([
      ['c', 1],
      ['a', 1],
      ['d', 1],
      ['b', 1],
    ]);
    expect(cp?.savedAtMs).toBe(42);
    expect(t.pending()).toBe(0);
  });

  it('a failed batch holds the checkpoint back for the rest of the run; later acks still count as exported', () => {
    const t = tracker();
    for (let i = 1; i <= 5; i++) t.delivered(i, ev(`e${i}`, 1, String(100 + i)));
    t.settled([1], true);
    t.settled([2, 3], false);
    t.settled([4, 5], true);
    t.delivered(6, ev('e6', 1, '106'));
    t.settled([6], true);
    const cp = t.snapshot();
    expect(cp?.resourceVersion).toBe('101');
    expect(cp?.exported.map(([uid]) => uid)).toEqual(['e1', 'e4', 'e5', 'e6']);
    expect(t.frozenReason()).toBe('failed');
  });

  it('starts from the loaded checkpoint and keeps its exported entries', () => {
    const t = tracker({ version: 1, resourceVersion: 'rv-old', exported: [['x', 4]], savedAtMs: 1 });
    expect(t.snapshot()?.resourceVersion).toBe('rv-old');
    t.delivered(1, ev('x', 6, 'rv-new'));
    t.settled([1], true);
    expect(t.snapshot()?.exported).toEqual([['x', 6]]);
    expect(t.snapshot()?.resourceVersion).toBe('rv-new');
  });

  it('list items are not resume points; position() with the list resourceVersion is', () => {
    const t = tracker();
    t.delivered(1, ev('a', 1, '900'), 'list');
    t.delivered(2, ev('b', 1, '5'), 'list');
    t.position('1000');
    expect(t.snapshot()).toBeUndefined();
    t.settled([2, 1], true);
    expect(t.snapshot()?.resourceVersion).toBe('1000');
    // the source's watch origins are resume points; a list item after them is not
    t.delivered(3, ev('a', 2, '1001'), 'modified');
    t.delivered(4, ev('c', 1, '20'), 'list');
    t.settled([3, 4], true);
    expect(t.snapshot()?.resourceVersion).toBe('1001');
  });

  it('keeps exported bounded, the newest kept', () => {
    const t = tracker(undefined, { maxExported: 3 });
    for (let i = 1; i <= 5; i++) t.delivered(i, ev(`e${i}`, 1, String(i)));
    t.settled([1, 2, 3, 4, 5], true);
    expect(t.snapshot()?.exported.map(([uid]) => uid)).toEqual(['e3', 'e4', 'e5']);
  });

  it('exported forgets pairs acknowledged longer ago than exportedTtlMillis (and loaded ones by their save time)', () => {
    const clock = new ManualClock(10_000);
    const t = new CheckpointTracker({
      clock,
      exportedTtlMillis: 5_000,
      initial: { version: 1, resourceVersion: '1', exported: [['old', 2]], savedAtMs: 9_000 },
    });
    t.delivered(1, ev('a', 1, '2'));
    t.settled([1], true);
    expect(t.snapshot()?.exported).toEqual([
      ['old', 2],
      ['a', 1],
    ]);
    clock.set(14_000);
    expect(t.snapshot()?.exported).toEqual([['a', 1]]);
    clock.set(15_000);
    expect(t.snapshot()?.exported).toEqual([]);
  });

  it('past maxPending it stops moving the resume point instead of growing', () => {
    const t = tracker(undefined, { maxPending: 10 });
    t.delivered(0, ev('first', 1, 'rv0'));
    t.settled([0], true);
    for (let i = 1; i <= 50; i++) t.delivered(i, ev(`e${i}`, 1, `rv${i}`));
    expect(t.pending()).toBeLessThanOrEqual(10);
    t.settled(Array.from({ length: 50 }, (_, i) => i + 1), true);
    expect(t.frozenReason()).toBe('overflow');
    expect(t.snapshot()?.resourceVersion).toBe('rv0');
  });

  it('a held update holds the resume point back until the record carrying its count is acknowledged', () => {
    const clock = new ManualClock(0);
    const t = new CheckpointTracker({ clock });
    const gate = new DeliveryGate(deliveryConfigSchema.parse({}), { clock, onHeld: (e) => t.held(e) });
    let seq = 0;
    const pass = (e: KEvent): number => {
      const decision = gate.offer(e);
      if (decision !== 'deliver') return -1;
      t.delivered(++seq, e);
      return seq;
    };
    const s1 = pass(ev('a', 1, 'r1', 0));
    expect(pass(ev('a', 2, 'r2', 5))).toBe(-1); // held
    const s3 = pass(ev('b', 1, 'r3', 6));
    t.settled([s1, s3], true);
    expect(t.snapshot()?.resourceVersion).toBe('r1'); // not past the held a:2
    const [released] = gate.drain();
    t.delivered(++seq, released as KEvent); // recognized as a release: its rv r2 is not a resume point
    t.settled([seq], true);
    expect(t.snapshot()?.resourceVersion).toBe('r3');
    expect(t.snapshot()?.exported).toEqual([
      ['b', 1],
      ['a', 2], // acknowledged last, so newest
    ]);
  });
});

describe('Checkpointer', () => {
  it('saves only when the checkpoint changed, and once more on stop', async () => {
    const t = tracker();
    const store = new FlakyStore();
    const cp = new Checkpointer(t, store, { intervalMillis: 5000, logger: silentLogger() });
    expect(await cp.flush()).toBe(false); // nothing yet
    t.delivered(1, ev('a', 1, '10'));
    t.settled([1], true);
    expect(await cp.flush()).toBe(true);
    expect(await cp.flush()).toBe(false);
    t.delivered(2, ev('b', 1, '11'));
    t.settled([2], true);
    cp.start();
    await cp.stop();
    expect(store.saved.map((s) => s.resourceVersion)).toEqual(['10', '11']);
  });

  it('a failed save is retried at the next flush and never rejects', async () => {
    const t = tracker();
    const store = new FlakyStore();
    store.failNext = 1;
    const metrics = createMetrics();
    const cp = new Checkpointer(t, store, { intervalMillis: 5000, logger: silentLogger(), metrics, clock: new ManualClock(1_700_000_000_000) });
    t.delivered(1, ev('a', 1, '10'));
    t.settled([1], true);
    expect(await cp.flush()).toBe(false);
    expect(await cp.flush()).toBe(true);
    expect(store.saved).toHaveLength(1);
    // a store without append is saved whole: one error, then one success, and when
    const saves = (await metrics.checkpointSaves.get()).values.map((v) => [v.labels, v.value]);
    expect(saves).toEqual([
      [{ kind: 'snapshot', result: 'error' }, 1],
      [{ kind: 'snapshot', result: 'ok' }, 1],
    ]);
    expect((await metrics.checkpointLastSave.get()).values[0]?.value).toBe(1_700_000_000);
  });
});

describe('CheckpointTracker changes (for a journaled store)', () => {
  const ack = (t: CheckpointTracker, seq: number, uid: string, count: number): void => {
    t.delivered(seq, ev(uid, count, String(seq)));
    t.settled([seq], true);
  };

  it('holds only the pairs acknowledged since the last durable save; those acknowledged during a save wait for the next', () => {
    const t = tracker();
    expect(t.changes()).toBeUndefined(); // no resume point yet
    ack(t, 1, 'a', 1);
    ack(t, 2, 'b', 1);
    const mark = t.changeMark();
    const pairs = (): Array<[string, number]> | undefined => {
      const exported = t.changes()?.exported;
      return exported?.slice(0, exported.length);
    };
    expect({ ...t.changes(), exported: pairs() }).toEqual({ version: 1, api: 'events.k8s.io/v1', resourceVersion: '2', exported: [['a', 1], ['b', 1]], savedAtMs: 42 });
    ack(t, 3, 'a', 2); // while the save is being written
    t.saved(mark);
    expect(pairs()).toEqual([['a', 2]]);
    expect(t.changes()?.resourceVersion).toBe('3');
    t.saved(t.changeMark());
    expect(pairs()).toEqual([]);
    t.saved(mark); // an older mark changes nothing
    expect(pairs()).toEqual([]);
  });

  it('past maxExported unsaved changes it asks for a whole snapshot, until one taken after them is saved', () => {
    const t = tracker(undefined, { maxExported: 3 });
    for (let i = 1; i <= 4; i++) ack(t, i, `u${i}`, 1);
    expect(t.changes()).toBeUndefined();
    const mark = t.changeMark();
    ack(t, 5, 'u5', 1);
    t.saved(mark); // the whole snapshot taken at `mark`
    const exported = t.changes()?.exported;
    expect(exported?.slice(0, exported.length)).toEqual([['u5', 1]]);
  });
});

describe('Checkpointer with the file store journal', () => {
  it('saves whole first, then appends only what changed; a restart from the files drops the relisted Events', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'eventide-cpj-'));
    try {
      const path = join(dir, 'checkpoint.json');
      const clock = new ManualClock(0);
      const config = deliveryConfigSchema.parse({ checkpoint: { path } });
      const saves: string[] = [];
      const store = new FileCheckpointStore(path);
      const spy: CheckpointStore = {
        load: () => store.load(),
        save: (cp) => (saves.push(`save ${cp.exported.length}`), store.save(cp)),
        append: async (cp) => {
          const ok = await store.append(cp);
          saves.push(`${ok ? 'append' : 'declined'} ${cp.exported.length}`);
          return ok;
        },
      };
      const metrics = createMetrics();
      const first = await createDelivery(config, { clock, logger: silentLogger(), store: spy, metrics });
      const events = [ev('a', 1, '1'), ev('b', 3, '2'), ev('c', 1, '3'), ev('a', 2, '4', 60)];
      const deliver = (i: number): void => {
        first.gate.offer(events[i] as KEvent);
        first.tracker.delivered(i + 1, events[i] as KEvent);
        first.tracker.settled([i + 1], true);
      };
      deliver(0);
      deliver(1);
      expect(await first.checkpointer.flush()).toBe(true);
      deliver(2);
      expect(await first.checkpointer.flush()).toBe(true);
      deliver(3);
      await first.checkpointer.stop();
      expect(saves).toEqual(['declined 2', 'save 2', 'append 1', 'append 1']);
      const counted = (await metrics.checkpointSaves.get()).values.map((v) => [v.labels.kind, v.labels.result, v.value]);
      expect(counted).toEqual([
        ['snapshot', 'ok', 1],
        ['append', 'ok', 2],
      ]);

      const second = await createDelivery(config, { clock, logger: silentLogger(), store: new FileCheckpointStore(path) });
      expect(second.checkpoint?.resourceVersion).toBe('4');
      expect(second.checkpoint?.exported).toEqual([['b', 3], ['c', 1], ['a', 2]]);
      expect(events.map((e) => second.gate.offer(e))).toEqual(['duplicate', 'duplicate', 'duplicate', 'duplicate']);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('property: after every save, the files load back to the tracker\'s own checkpoint', async () => {
    const op = fc.oneof(
      { arbitrary: fc.record({ uid: fc.integer({ min: 0, max: 30 }), count: fc.integer({ min: 1, max: 5 }) }), weight: 5 },
      { arbitrary: fc.constant('flush' as const), weight: 1 },
    );
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 80 }), fc.integer({ min: 150, max: 2000 }), async (ops, journalMinBytes) => {
        const dir = await mkdtemp(join(tmpdir(), 'eventide-cpp-'));
        try {
          const path = join(dir, 'checkpoint.json');
          const t = tracker();
          const cp = new Checkpointer(t, new FileCheckpointStore(path, { journalMinBytes }), { intervalMillis: 5000 });
          let seq = 0;
          for (const o of [...ops, 'flush' as const]) {
            if (o !== 'flush') {
              seq++;
              t.delivered(seq, ev(`uid-${o.uid}`, o.count, String(seq)));
              t.settled([seq], true);
              continue;
            }
            await cp.flush();
            expect(await new FileCheckpointStore(path).load()).toEqual(t.snapshot());
          }
        } finally {
          await rm(dir, { recursive: true, force: true });
        }
      }),
      { numRuns: 60 },
    );
  });
});

describe('Checkpointer spacing', () => {
  it('skips timer ticks while the last save was slow (20x its duration), never the final save', async () => {
    const clock = new ManualClock(0);
    const t = tracker();
    const saves: number[] = [];
    const slowStore: CheckpointStore = {
      load: async () => undefined,
      save: async () => {
        saves.push(clock.now());
        clock.advance(1000); // each save takes 1 s
      },
    };
    const cp = new Checkpointer(t, slowStore, { intervalMillis: 5000, clock });
    let seq = 0;
    const change = (): void => {
      t.delivered(++seq, ev(`e${seq}`, 1, String(seq)));
      t.settled([seq], true);
    };
    change();
    expect(await cp.tick()).toBe(true); // saves at 0, took 1 s: next tick from 20 s
    change();
    clock.set(10_000);
    expect(await cp.tick()).toBe(false);
    clock.set(20_000);
    expect(await cp.tick()).toBe(true);
    change();
    clock.set(25_000);
    await cp.stop(); // the final save is never skipped
    expect(saves).toEqual([0, 20_000, 25_000]);
  });
});

describe('createDelivery', () => {
  it('restart: loads the checkpoint and seeds the gate, so a relist exports nothing twice', async () => {
    const clock = new ManualClock(0);
    const config = deliveryConfigSchema.parse({});
    const store = new FlakyStore();
    const first = await createDelivery(config, { clock, logger: silentLogger(), store });
    expect(first.checkpoint).toBeUndefined();
    const events = [ev('a', 1, '1'), ev('b', 3, '2'), ev('c', 1, '3')];
    events.forEach((e, i) => {
      expect(first.gate.offer(e)).toBe('deliver');
      first.tracker.delivered(i + 1, e);
    });
    first.tracker.settled([1, 2, 3], true);
    await first.checkpointer.stop();

    const second = await createDelivery(config, { clock, logger: silentLogger(), store });
    expect(second.checkpoint?.resourceVersion).toBe('3');
    expect(events.map((e) => second.gate.offer(e))).toEqual(['duplicate', 'duplicate', 'duplicate']);
    expect(second.gate.offer(ev('b', 4, '9', 60))).toBe('deliver');
  });
});
