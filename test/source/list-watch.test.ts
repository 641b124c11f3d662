import { afterEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/model/time.js';
import { KubeHttp } from '../../src/source/http.js';
import { ListWatch, type AttemptEnd, type ObjectOrigin } from '../../src/source/list-watch.js';
import { createEvents, recordingScheduler, startSim, testDeps, waitUntil, type Sim } from './harness.js';

let sim: Sim | undefined;
let lw: ListWatch | undefined;
afterEach(async () => {
  await lw?.stop();
  await sim?.server.close();
  lw = undefined;
  sim = undefined;
});

/** `beforeEach` runs before each object is recorded (and can hold the handler up). */
function make(
  s: Sim,
  path: string,
  extra: Partial<ConstructorParameters<typeof ListWatch>[0]> = {},
  beforeEach?: (origin: ObjectOrigin, seenSoFar: number) => Promise<void>,
) {
  const d = testDeps(s.kc);
  const ends: AttemptEnd[] = [];
  const seen: { uid: string; origin: ObjectOrigin }[] = [];
  let forbidden = 0;
  lw = new ListWatch(
    {
      http: new KubeHttp(s.kc), path, pageSize: 3, watchTimeoutSeconds: 60, watchIdleTimeoutMillis: 60_000,
      backoff: { initialMillis: 10, maxMillis: 100 }, clock: d.clock, logger: d.logger, metrics: d.metrics, skips: d.skips,
      scheduler: recordingScheduler(), ...extra,
    },
    {
      onObject: async (obj, origin) => {
        await beforeEach?.(origin, seen.length);
        seen.push({ uid: (obj.metadata as { uid: string }).uid, origin });
      },
      onAttemptEnd: (e) => ends.push(e),
      onForbidden: () => forbidden++,
    },
  );
  return { lw, ends, seen, forbidden: () => forbidden, deps: d };
}

const requestsFor = (s: Sim, resource: string) =>
  Object.entries(s.server.stats().requests)
    .filter(([k]) => k.endsWith(` ${resource}`))
    .reduce((a, [, v]) => a + v, 0);

describe('ListWatch', () => {
  it('fires the end-of-attempt callback exactly once per list or watch request', async () => {
    sim = await startSim({ bookmarkIntervalMillis: 0 });
    createEvents(sim, 'a', 7);
    const t = make(sim, '/api/v1/events');
    sim.server.faults.dropWatchesEvery(2);
    t.lw.start();
    await waitUntil(() => t.lw.status().watching, 'watching');
    createEvents(sim, 'a', 9);
    await waitUntil(() => t.seen.length === 16, 'all seen');
    sim.server.faults.injectRawWatchLine('{"type":"ERROR","object":{"kind":"Status","code":500,"message":"boom"}}');
    await waitUntil(() => t.ends.some((e) => e.reason === 'error' && e.status === 500), 'error end');
    await waitUntil(() => t.lw.status().watching, 'rewatching');
    await t.lw.stop();
    // 3 list pages are one list attempt; every watch request is one attempt.
    const watches = requestsFor(sim, 'events') - 3;
    expect(t.ends.filter((e) => e.phase === 'list')).toHaveLength(1);
    expect(t.ends.filter((e) => e.phase === 'watch')).toHaveLength(watches);
    expect(t.ends.at(-1)!.reason).toBe('stopped');
    expect(new Set(t.seen.map((x) => x.uid)).size).toBe(16);
    expect(t.seen.filter((x) => x.origin === 'list')).toHaveLength(7);
  });

  it('batches the reads of a trickling watch, in order, and reads a backlog without pausing', async () => {
    sim = await startSim({ bookmarkIntervalMillis: 0 });
    const t = make(sim, '/api/v1/events', { clock: systemClock, readCoalesce: { millis: 40, belowPerSecond: 1000 } });
    t.lw.start();
    await waitUntil(() => t.lw.status().watching, 'watching');
    const trickled: string[] = [];
    for (let i = 0; i < 40; i++) {
      trickled.push(...createEvents(sim, 'a', 1).map((e) => (e.metadata as { uid: string }).uid));
      await new Promise((r) => setTimeout(r, 15));
    }
    await waitUntil(() => t.seen.length === 40, 'trickle seen');
    expect(t.seen.map((x) => x.uid)).toEqual(trickled);
    const paused = t.lw.status().readPauses;
    expect(paused).toBeGreaterThan(0);
    expect(paused).toBeLessThan(40); // batched: fewer pauses than Events

    await new Promise((r) => setTimeout(r, 300)); // a quiet window, then a burst
    createEvents(sim, 'a', 3000);
    await waitUntil(() => t.seen.length === 3040, 'burst seen', 20_000);
    // at most a pause or two before the burst's rate is known, not one per read
    expect(t.lw.status().readPauses - paused).toBeLessThanOrEqual(2);
    expect(t.lw.status().consecutiveFailures).toBe(0);
  });

  it('stops for good on a forbidden list when asked to', async () => {
    sim = await startSim();
    const t = make(sim, '/api/v1/pods', { stopOnForbidden: true });
    sim.server.faults.failNext(1, 403);
    t.lw.start();
    await waitUntil(() => t.forbidden() === 1, 'forbidden');
    expect(t.ends).toEqual([expect.objectContaining({ phase: 'list', reason: 'forbidden', status: 403 })]);
    expect(t.lw.status()).toMatchObject({ listed: false, watching: false });
  });
  it('requests the next list page before handing over the items of the current one', async () => {
    sim = await startSim({ bookmarkIntervalMillis: 0 });
    createEvents(sim, 'a', 7);
    const listedBeforeHandover: number[] = [];
    const t = make(sim, '/api/v1/events', {}, async (origin, seenSoFar) => {
      // Page n+1 (of 3, 3, 1 items) is already requested when page n's first item arrives.
      if (origin === 'list' && seenSoFar % 3 === 0) {
        const page = seenSoFar / 3 + 1;
        await waitUntil(() => requestsFor(sim!, 'events') >= Math.min(page + 1, 3), `page ${page + 1} requested`);
        listedBeforeHandover.push(requestsFor(sim!, 'events'));
      }
    });
    t.lw.start();
    await waitUntil(() => t.lw.status().watching, 'watching');
    expect(listedBeforeHandover).toEqual([2, 3, 3]);
    expect(t.seen.map((x) => x.origin)).toEqual(Array(7).fill('list'));
  });

  it('requests up to listPagesAhead pages before the pipeline has taken the first', async () => {
    sim = await startSim({ bookmarkIntervalMillis: 0 });
    createEvents(sim, 'a', 10);
    let requestedAtFirst = -1;
    const t = make(sim, '/api/v1/events', { listPagesAhead: 2 }, async (origin, seenSoFar) => {
      if (origin !== 'list' || seenSoFar !== 0) return;
      // pages of 3, 3, 3, 1: the one handed over and two more, not the fourth
      await waitUntil(() => requestsFor(sim!, 'events') >= 3, 'two pages ahead requested');
      await new Promise((r) => setTimeout(r, 50));
      requestedAtFirst = requestsFor(sim!, 'events');
    });
    t.lw.start();
    await waitUntil(() => t.lw.status().watching, 'watching');
    expect(requestedAtFirst).toBe(3);
    expect(t.seen.map((x) => x.origin)).toEqual(Array(10).fill('list'));
  });

  it('ends a list whose page requested ahead fails as an error, after handing over the page before it, and relists', async () => {
    sim = await startSim({ bookmarkIntervalMillis: 0 });
    createEvents(sim, 'a', 7);
    let released!: () => void;
    const gate = new Promise<void>((r) => (released = r));
    const t = make(sim, '/api/v1/events', {}, () => gate);
    // The first page is served; the request for the second (sent ahead) fails.
    t.lw.start();
    await waitUntil(() => requestsFor(sim!, 'events') >= 1, 'first page requested');
    sim.server.faults.failNext(1, 500);
    released();
    await waitUntil(() => t.ends.some((e) => e.phase === 'list' && e.reason === 'error' && e.status === 500), 'list error');
    await waitUntil(() => t.lw.status().watching, 'watching after relist');
    expect(t.seen.slice(0, 3).map((x) => x.origin)).toEqual(['list', 'list', 'list']);
    expect(new Set(t.seen.map((x) => x.uid)).size).toBe(7);
    expect(t.ends.filter((e) => e.phase === 'list').map((e) => e.reason)).toEqual(['error', 'ok']);
  });
});
