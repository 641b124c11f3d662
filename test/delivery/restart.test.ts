import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MemoryCheckpointStore } from '../../src/delivery/checkpoint.js';
import { deliveryConfigSchema } from '../../src/delivery/config.js';
import { createDelivery, type Delivery } from '../../src/delivery/delivery.js';
import type { KEvent } from '../../src/model/event.js';
import { ManualClock } from '../../src/model/time.js';
import { silentLogger } from '../../src/observe/logger.js';
import { BASE_TIME_MS, buildEvent } from '../support/builders.js';

/**
 * A model of crash and restart: a watch stream of Event updates (uid with the count going up),
 * an exporter that acknowledges (or fails) batches at random moments, checkpoint saves at random
 * moments, a crash at a random point (in-flight records lost, nothing drained), and a restart
 * that resumes the watch from the checkpoint (or lists the current state when there is none).
 */

interface Step {
  uid: number;
  /** Acknowledge everything in flight after this event. */
  ack: boolean;
  /** ...as a failed batch. */
  fail: boolean;
  /** Save the checkpoint after this event. */
  save: boolean;
  /** Wall-clock milliseconds that pass before the next event. */
  wallMs: number;
}

const stepArb = fc.record({
  uid: fc.integer({ min: 0, max: 4 }),
  ack: fc.boolean(),
  fail: fc.boolean(),
  save: fc.boolean(),
  wallMs: fc.integer({ min: 0, max: 20_000 }),
});

/** The watch stream: resourceVersion i+1 for event i, counts going up per uid, 5 s apart. */
function streamOf(steps: Step[]): KEvent[] {
  const counts = new Map<number, number>();
  return steps.map((s, i) => {
    const count = (counts.get(s.uid) ?? 0) + 1;
    counts.set(s.uid, count);
    return buildEvent({ uid: `u${s.uid}`, count, resourceVersion: String(i + 1), timeMs: BASE_TIME_MS + i * 5000 });
  });
}

/** One process lifetime: offers events, exports what the gate lets through, acks per the steps. */
class Run {
  private seq = 0;
  private inFlight: Array<{ seq: number; event: KEvent }> = [];

  constructor(
    readonly delivery: Delivery,
    private readonly acked: Array<[string, number]>,
  ) {}

  offer(event: KEvent, origin: 'list' | 'modified'): void {
    if (this.delivery.gate.offer(event) === 'deliver') this.export(event, origin);
    for (const e of this.delivery.gate.due()) this.export(e, 'modified');
  }

  ackAll(ok: boolean): void {
    const batch = this.inFlight;
    this.inFlight = [];
    if (ok) for (const r of batch) this.acked.push([r.event.uid, r.event.count]);
    this.delivery.tracker.settled(
      batch.map((r) => r.seq).reverse(), // out of order on purpose
      ok,
    );
  }

  drain(): void {
    for (const e of this.delivery.gate.drain()) this.export(e, 'modified');
  }

  private export(event: KEvent, origin: 'list' | 'modified'): void {
    this.delivery.tracker.delivered(++this.seq, event, origin);
    this.inFlight.push({ seq: this.seq, event });
  }
}

/** The API server's list at change `upTo`: the latest version of each Event, in key (uid) order. */
function listAt(stream: KEvent[], upTo: number): KEvent[] {
  const latest = new Map<string, KEvent>();
  for (const e of stream.slice(0, upTo)) latest.set(e.uid, e);
  return [...latest.values()].sort((a, b) => (a.uid < b.uid ? -1 : 1));
}

/**
 * `listed` > 0: the first run starts by listing the state after that many changes (in key order,
 * so resourceVersions come out of order) and watches from there; the crash may fall inside the list.
 */
async function crashAndRestart(
  steps: Step[],
  crashAt: number,
  graceful: boolean,
  listed = 0,
): Promise<{ acked: Array<[string, number]>; stream: KEvent[] }> {
  const stream = streamOf(steps);
  // the first run's deliveries: a list, then the watch
  const firstRun: Array<{ event: KEvent; origin: 'list' | 'modified'; step: Step }> = [
    ...listAt(stream, listed).map((event, i) => ({ event, origin: 'list' as const, step: steps[i % steps.length] as Step })),
    ...stream.slice(listed).map((event, i) => ({ event, origin: 'modified' as const, step: steps[listed + i] as Step })),
  ];
  const crashIndex = Math.min(crashAt, firstRun.length);
  // how many changes the API server had made by the crash (the watch reached)
  const listCount = firstRun.length - (stream.length - listed);
  const changesAtCrash = crashIndex <= listCount ? listed : listed + (crashIndex - listCount);
  const config = deliveryConfigSchema.parse({ seriesThrottleMillis: 30_000 });
  const store = new MemoryCheckpointStore();
  const clock = new ManualClock(1_000_000);
  const acked: Array<[string, number]> = [];

  // first run, until the crash
  const first = new Run(await createDelivery(config, { clock, logger: silentLogger(), store }), acked);
  for (let i = 0; i < crashIndex; i++) {
    const { event, origin, step } = firstRun[i] as (typeof firstRun)[number];
    first.offer(event, origin);
    if (step.ack) first.ackAll(graceful || !step.fail);
    if (step.save) await first.delivery.checkpointer.flush();
    clock.advance(step.wallMs);
  }
  if (graceful) {
    first.ackAll(true);
    await first.delivery.checkpointer.flush();
  }

  // restart: resume after the checkpoint's resourceVersion, or list the current state
  const second = new Run(await createDelivery(config, { clock, logger: silentLogger(), store }), acked);
  const rv = second.delivery.checkpoint?.resourceVersion;
  let resumeAt: number;
  if (rv !== undefined) {
    resumeAt = stream.findIndex((e) => e.resourceVersion === rv) + 1;
    expect(resumeAt).toBeGreaterThan(0);
  } else {
    for (const e of listAt(stream, changesAtCrash)) second.offer(e, 'list');
    if (changesAtCrash > 0) second.delivery.tracker.position(String(changesAtCrash));
    resumeAt = changesAtCrash;
  }
  for (let i = resumeAt; i < stream.length; i++) {
    second.offer(stream[i] as KEvent, 'modified');
    second.ackAll(true);
  }
  second.drain();
  second.ackAll(true);
  return { acked, stream };
}

const maxCounts = (pairs: Array<readonly [string, number]>): Map<string, number> => {
  const m = new Map<string, number>();
  for (const [uid, count] of pairs) m.set(uid, Math.max(m.get(uid) ?? 0, count));
  return m;
};

describe('crash and restart (gate + tracker + checkpoint)', () => {
  it('never loses an update: every Event ends exported with its final count, whatever acks, failures, saves and crash point', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(stepArb, { minLength: 1, maxLength: 40 }),
        fc.nat(),
        async (steps, crashSeed) => {
          const crashAt = crashSeed % (steps.length + 1);
          const { acked, stream } = await crashAndRestart(steps, crashAt, false);
          expect(maxCounts(acked)).toEqual(maxCounts(stream.map((e) => [e.uid, e.count] as const)));
        },
      ),
      { numRuns: 300, seed: 20261123 },
    );
  });

  it('a crash in the middle of the first list loses nothing (list items are not resume points)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(stepArb, { minLength: 2, maxLength: 40 }),
        fc.nat(),
        fc.nat(),
        async (steps, listSeed, crashSeed) => {
          const listed = 1 + (listSeed % steps.length);
          const crashAt = crashSeed % (steps.length + 6);
          const { acked, stream } = await crashAndRestart(steps, crashAt, false, listed);
          expect(maxCounts(acked)).toEqual(maxCounts(stream.map((e) => [e.uid, e.count] as const)));
        },
      ),
      { numRuns: 300, seed: 20261123 },
    );
  });

  it('repeats nothing when the crash comes after everything in flight was acknowledged and saved', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(stepArb, { minLength: 1, maxLength: 40 }),
        fc.nat(),
        async (steps, crashSeed) => {
          const crashAt = crashSeed % (steps.length + 1);
          const { acked, stream } = await crashAndRestart(steps, crashAt, true);
          const keys = acked.map(([uid, count]) => `${uid}:${count}`);
          expect(new Set(keys).size).toBe(keys.length);
          expect(maxCounts(acked)).toEqual(maxCounts(stream.map((e) => [e.uid, e.count] as const)));
        },
      ),
      { numRuns: 300, seed: 20261123 },
    );
  });
});
