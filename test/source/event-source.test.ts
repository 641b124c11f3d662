import { afterEach, describe, expect, it } from 'vitest';
import { KubeEventSource } from '../../src/source/event-source.js';
import { sourceConfigSchema, type SourceConfig } from '../../src/source/config.js';
import { fieldSelectorFor } from '../../src/source/discovery.js';
import { counterValue, createEvents, RecordingSink, recordingScheduler, startSim, testDeps, waitUntil, type Sim } from './harness.js';

type DeepPartial<T> = { [K in keyof T]?: T[K] extends object ? (T[K] extends unknown[] ? T[K] : DeepPartial<T[K]>) : T[K] };

let sim: Sim | undefined;
let source: KubeEventSource | undefined;

afterEach(async () => {
  await source?.stop();
  await sim?.server.close();
  source = undefined;
  sim = undefined;
});

function setup(s: Sim, config: DeepPartial<SourceConfig> = {}) {
  const deps = { ...testDeps(s.kc), scheduler: recordingScheduler() };
  source = new KubeEventSource(sourceConfigSchema.parse(config), deps);
  return { deps, source, sink: new RecordingSink() };
}

const uidOf = (o: Record<string, unknown>) => (o.metadata as { uid: string }).uid;
/** Requests the simulator counted for `verb` on Events (either API). */
const eventRequests = (s: Sim, verb: string) =>
  Object.entries(s.server.stats().requests)
    .filter(([k]) => k.startsWith(`${verb} events`))
    .reduce((a, [, v]) => a + v, 0);

describe('KubeEventSource against the simulator', () => {
  it('delivers every event once through pagination and then the watch', async () => {
    sim = await startSim();
    const listed = createEvents(sim, 'shop', 25).map(uidOf);
    const { source, sink, deps } = setup(sim, { pageSize: 10 });
    source.start(sink);
    await waitUntil(() => source.status().watching, 'watch established');
    expect(sink.uids('list')).toEqual(expect.arrayContaining(listed));
    expect(sink.deliveries).toHaveLength(25);
    expect(eventRequests(sim, 'list')).toBe(3);
    const watched = createEvents(sim, 'shop', 10).map(uidOf);
    await waitUntil(() => sink.deliveries.length === 35, '35 deliveries');
    expect(sink.uids('added')).toEqual(watched);
    expect(new Set(sink.uids()).size).toBe(35);
    const st = source.status();
    expect(st).toMatchObject({ ready: true, api: 'events.k8s.io/v1', watching: true, consecutiveFailures: 0 });
    expect(sink.deliveries[0]!.event.sourceApi).toBe('events.k8s.io/v1');
    expect(await counterValue(deps.metrics.eventsReceived, { api: 'events.k8s.io/v1', type: 'LIST' })).toBe(25);
    expect(await counterValue(deps.metrics.eventsReceived, { type: 'ADDED' })).toBe(10);
    expect(await counterValue(deps.metrics.relists, { reason: 'start' })).toBe(1);
  });

  it('resumes after dropped connections without loss or repeat', async () => {
    sim = await startSim({ bookmarkIntervalMillis: 0 });
    const { source, sink, deps } = setup(sim);
    source.start(sink);
    await waitUntil(() => source.status().watching, 'watch established');
    sim.server.faults.dropWatchesEvery(3);
    const created = createEvents(sim, 'shop', 20).map(uidOf);
    await waitUntil(() => sink.deliveries.length === 20, '20 deliveries');
    sim.server.faults.dropWatches();
    const more = createEvents(sim, 'shop', 5).map(uidOf);
    await waitUntil(() => sink.deliveries.length === 25, '25 deliveries');
    expect(sink.uids()).toEqual([...created, ...more]);
    expect(await counterValue(deps.metrics.relists)).toBe(1); // only the start list
    expect(await counterValue(deps.metrics.watchRestarts)).toBeGreaterThan(5);
  });

  it('relists after 410 Gone and delivers listed items again with origin list', async () => {
    sim = await startSim({ bookmarkIntervalMillis: 0 });
    const first = createEvents(sim, 'shop', 5).map(uidOf);
    const { source, sink, deps } = setup(sim);
    source.start(sink);
    await waitUntil(() => source.status().watching && sink.deliveries.length === 5, 'listed');
    sink.hold();
    const [e6] = createEvents(sim, 'shop', 1).map(uidOf);
    await waitUntil(() => sink.inFlight === 1, 'e6 in delivery');
    const [e7] = createEvents(sim, 'shop', 1).map(uidOf);
    sim.server.faults.compact(); // the source's resourceVersion (before e6) is now too old
    sim.server.faults.dropWatches();
    sink.release();
    await waitUntil(() => sink.uids('list').length === 12, 'relist delivered');
    expect(sink.uids('list').slice(5).sort()).toEqual([...first, e6!, e7!].sort());
    expect(sink.uids('added')).toEqual([e6]);
    expect(await counterValue(deps.metrics.relists, { reason: 'gone' })).toBe(1);
  });

  it('resumes from a checkpoint without listing, and relists when it is gone', async () => {
    sim = await startSim({ bookmarkIntervalMillis: 0 });
    createEvents(sim, 'shop', 3);
    const rv = String(sim.server.store.currentRv());
    const after = createEvents(sim, 'shop', 2).map(uidOf);
    const a = setup(sim);
    a.source.start(a.sink, { resourceVersion: rv, api: 'events.k8s.io/v1' });
    await waitUntil(() => a.sink.deliveries.length === 2, 'resumed');
    expect(a.sink.uids('added')).toEqual(after);
    expect(eventRequests(sim, 'list')).toBe(0);
    expect(eventRequests(sim, 'watch')).toBe(1);
    expect(a.source.status().ready).toBe(true);
    await a.source.stop();

    sim.server.faults.compact();
    createEvents(sim, 'shop', 1);
    const b = setup(sim);
    b.source.start(b.sink, { resourceVersion: rv, api: 'events.k8s.io/v1' });
    await waitUntil(() => b.sink.uids('list').length === 6, 'relisted');
    expect(await counterValue(b.deps.metrics.relists, { reason: 'gone' })).toBe(1);
  });

  it('advances the resourceVersion with bookmarks', async () => {
    sim = await startSim({ bookmarkIntervalMillis: 20 });
    createEvents(sim, 'shop', 2);
    const { source, sink } = setup(sim);
    source.start(sink);
    await waitUntil(() => source.status().watching, 'watching');
    sim.server.store.create('configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x', namespace: 'shop' } });
    const target = String(sim.server.store.currentRv());
    await waitUntil(() => source.status().lastResourceVersion === target, 'bookmark rv');
    expect(sink.deliveries).toHaveLength(2);
  });

  it('watches only included namespaces (one loop each) and drops excluded ones', async () => {
    sim = await startSim();
    createEvents(sim, 'a', 3);
    createEvents(sim, 'b', 2);
    createEvents(sim, 'c', 4);
    const inc = setup(sim, { namespaces: { include: ['a', 'b'] } });
    inc.source.start(inc.sink);
    await waitUntil(() => inc.source.status().watching && inc.sink.deliveries.length === 5, 'included listed');
    createEvents(sim, 'c', 1);
    createEvents(sim, 'a', 1);
    await waitUntil(() => inc.sink.deliveries.length === 6, 'a watched');
    expect(new Set(inc.sink.deliveries.map((d) => d.event.namespace))).toEqual(new Set(['a', 'b']));
    expect(eventRequests(sim, 'list')).toBe(2);
    await inc.source.stop();

    const exc = setup(sim, { namespaces: { exclude: ['c'] } });
    exc.source.start(exc.sink);
    await waitUntil(() => exc.source.status().watching, 'watching');
    expect(exc.sink.deliveries.map((d) => d.event.namespace).sort()).toEqual(['a', 'a', 'a', 'a', 'b', 'b']);
    expect(exc.deps.skips.count('source', 'namespace_excluded')).toBe(5);
  });

  it('applies the field selector on the server', async () => {
    sim = await startSim();
    createEvents(sim, 'a', 3, { type: 'Normal' });
    const warnings = createEvents(sim, 'a', 2, { type: 'Warning' }).map(uidOf);
    const { source, sink } = setup(sim, { fieldSelector: 'type=Warning' });
    source.start(sink);
    await waitUntil(() => source.status().watching, 'watching');
    createEvents(sim, 'a', 1, { type: 'Normal' });
    const [w] = createEvents(sim, 'a', 1, { type: 'Warning' }).map(uidOf);
    await waitUntil(() => sink.deliveries.length === 3, 'warning watched');
    expect(sink.uids()).toEqual([...warnings, w]);
  });

  it('translates field selector names to the API in use', async () => {
    sim = await startSim({ servesEventsV1: false });
    createEvents(sim, 'a', 2);
    const [nodeEv] = createEvents(sim, 'a', 1, { involvedObject: { kind: 'Node', name: 'n1', namespace: '' } }).map(uidOf);
    const { source, sink } = setup(sim, { fieldSelector: 'regarding.kind=Node' });
    source.start(sink);
    await waitUntil(() => source.status().watching, 'watching');
    expect(sink.uids()).toEqual([nodeEv]);
    expect(fieldSelectorFor('events.k8s.io/v1', 'involvedObject.name=x,type=Warning,source=kubelet')).toBe('regarding.name=x,type=Warning,deprecatedSource=kubelet');
    expect(fieldSelectorFor('v1', 'regarding.kind=Pod,reportingController=kubelet')).toBe('involvedObject.kind=Pod,reportingComponent=kubelet');
  });

  it('falls back to core/v1 Events when events.k8s.io/v1 is not served', async () => {
    sim = await startSim({ servesEventsV1: false });
    createEvents(sim, 'a', 2);
    const { source, sink, deps } = setup(sim);
    source.start(sink);
    await waitUntil(() => source.status().watching, 'watching');
    expect(source.status().api).toBe('v1');
    expect(sink.deliveries.map((d) => d.event.sourceApi)).toEqual(['v1', 'v1']);
    expect(sink.deliveries[0]!.event.note).toMatch(/Back-off/);
    expect(await counterValue(deps.metrics.eventsReceived, { api: 'v1', type: 'LIST' })).toBe(2);
  });

  it('stops reading while the sink is slow: at most one event in flight, none dropped', async () => {
    sim = await startSim({ bookmarkIntervalMillis: 0 });
    const { source, sink, deps } = setup(sim);
    source.start(sink);
    await waitUntil(() => source.status().watching, 'watching');
    let maxUndelivered = 0;
    sink.onDeliver = () => {
      void counterValue(deps.metrics.eventsReceived).then((received) => {
        maxUndelivered = Math.max(maxUndelivered, received - sink.deliveries.length);
      });
    };
    sink.hold();
    const created = createEvents(sim, 'shop', 3000).map(uidOf);
    await waitUntil(() => sink.inFlight === 1, 'first delivery blocked');
    // Let the server push what it can; the source must not read more than the blocked event.
    await waitUntil(() => sim!.server.stats().watchEventsSent >= 3000, 'server sent all');
    for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
    expect(await counterValue(deps.metrics.eventsReceived)).toBe(1);
    sink.release();
    await waitUntil(() => sink.deliveries.length === 3000, 'all delivered', 30_000);
    expect(sink.maxInFlight).toBe(1);
    expect(maxUndelivered).toBeLessThanOrEqual(1);
    expect(sink.uids()).toEqual(created);
  });

  it('skips and counts malformed lines, and the stream goes on', async () => {
    sim = await startSim({ bookmarkIntervalMillis: 0 });
    const { source, sink, deps } = setup(sim);
    source.start(sink);
    await waitUntil(() => source.status().watching, 'watching');
    sim.server.faults.injectRawWatchLine('{not json');
    sim.server.faults.injectRawWatchLine(Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d, 0x0a]));
    sim.server.faults.injectRawWatchLine('{"type":"ADDED"}');
    const created = createEvents(sim, 'shop', 2).map(uidOf);
    await waitUntil(() => sink.deliveries.length === 2, 'delivered after garbage');
    expect(sink.uids()).toEqual(created);
    expect(deps.skips.count('source', 'malformed_line')).toBe(3);
    expect(await counterValue(deps.metrics.watchRestarts)).toBe(1);
  });

  it('counts DELETED changes without delivering them', async () => {
    sim = await startSim({ bookmarkIntervalMillis: 0 });
    const [e] = createEvents(sim, 'shop', 1);
    const { source, sink, deps } = setup(sim);
    source.start(sink);
    await waitUntil(() => source.status().watching, 'watching');
    sim.server.store.delete('events', 'shop', (e!.metadata as { name: string }).name);
    await waitUntil(() => source.status().lastResourceVersion === String(sim!.server.store.currentRv()), 'delete seen');
    expect(await counterValue(deps.metrics.eventsReceived, { type: 'DELETED' })).toBe(1);
    expect(sink.deliveries).toHaveLength(1);
  });

  it('honours Retry-After on 429', async () => {
    sim = await startSim();
    createEvents(sim, 'shop', 1);
    const { source, sink, deps } = setup(sim, { api: 'events.k8s.io/v1' });
    sim.server.faults.failNext(1, 429, 7);
    source.start(sink);
    await waitUntil(() => source.status().watching, 'watching');
    expect((deps.scheduler as ReturnType<typeof recordingScheduler>).sleeps).toEqual([7000]);
    expect(sink.deliveries).toHaveLength(1);
    expect(source.status().consecutiveFailures).toBe(0);
  });

  it('backs off with jitter while the server is down and reports not ready past the ceiling', async () => {
    sim = await startSim();
    const { source, sink, deps } = setup(sim, { api: 'events.k8s.io/v1', backoff: { initialMillis: 100, maxMillis: 800 } });
    const sched = deps.scheduler as ReturnType<typeof recordingScheduler>;
    sim.server.faults.failNext(8, 500);
    source.start(sink);
    await waitUntil(() => sched.sleeps.length >= 5, 'retries');
    const caps = [100, 200, 400, 800, 800];
    sched.sleeps.slice(0, 5).forEach((ms, i) => expect(ms).toBeLessThan(caps[i]!));
    await waitUntil(() => source.status().watching, 'recovered');
    expect(source.status()).toMatchObject({ ready: true, consecutiveFailures: 0 });
  });

  it('restarts a quiet watch after the idle timeout', async () => {
    sim = await startSim({ bookmarkIntervalMillis: 0 });
    const { source, sink, deps } = setup(sim, { watchIdleTimeoutMillis: 150 });
    source.start(sink);
    await waitUntil(() => source.status().watching, 'watching');
    let idle = 0;
    await waitUntil(() => {
      void counterValue(deps.metrics.watchRestarts, { reason: 'idle' }).then((v) => (idle = v));
      return idle >= 1;
    }, 'idle restart');
    const created = createEvents(sim, 'shop', 1).map(uidOf);
    await waitUntil(() => sink.deliveries.length === 1, 'delivered after idle restart');
    expect(sink.uids()).toEqual(created);
  });
});

describe('KubeEventSource edge cases', () => {
  it('restarts the list when a continue token expires (410 on continue)', async () => {
    sim = await startSim({ bookmarkIntervalMillis: 0 });
    const all = createEvents(sim, 'shop', 6).map(uidOf);
    const { source, sink, deps } = setup(sim, { pageSize: 2 });
    let compacted = false;
    sink.onDeliver = () => {
      if (compacted) return;
      compacted = true;
      createEvents(sim!, 'shop', 1);
      sim!.server.faults.compact(); // the first page's continue token is now too old
    };
    source.start(sink);
    await waitUntil(() => source.status().watching, 'watching');
    expect(await counterValue(deps.metrics.relists, { reason: 'continue_expired' })).toBe(1);
    // First attempt delivered page 1 (2 items); the restarted list delivers all 7.
    expect(sink.deliveries).toHaveLength(9);
    expect(new Set(sink.uids().slice(2))).toEqual(new Set([...all, sink.uids()[8]!]));
    expect(new Set(sink.uids().slice(2)).size).toBe(7);
  });

  it('is not ready while the watch keeps failing past the backoff ceiling, ready again after', async () => {
    sim = await startSim({ bookmarkIntervalMillis: 0 });
    const sleeps: number[] = [];
    let gate: (() => void) | undefined;
    const scheduler = {
      sleep: (ms: number) => {
        sleeps.push(ms);
        // From the 6th retry on, wait for the test to let go.
        return sleeps.length < 6 ? new Promise<void>((r) => setImmediate(r)) : new Promise<void>((r) => (gate = r));
      },
      setTimer: (fn: () => void, ms: number) => {
        const t = setTimeout(fn, ms);
        return () => clearTimeout(t);
      },
    };
    const deps = { ...testDeps(sim.kc), scheduler };
    source = new KubeEventSource(sourceConfigSchema.parse({ backoff: { initialMillis: 100, maxMillis: 800 } }), deps);
    const sink = new RecordingSink();
    source.start(sink);
    await waitUntil(() => source!.status().watching, 'watching');
    expect(source.status().ready).toBe(true);
    sim.server.faults.setDown(true);
    await waitUntil(() => gate !== undefined, '6 failed attempts');
    const st = source.status();
    expect(st).toMatchObject({ ready: false, watching: false, consecutiveFailures: 6 });
    expect(st.lastError).toMatch(/503|socket|ECONN/);
    sim.server.faults.setDown(false);
    gate!();
    await waitUntil(() => source!.status().watching, 'recovered');
    expect(source.status().ready).toBe(true);
    createEvents(sim, 'shop', 1); // the first event resets the backoff
    await waitUntil(() => sink.deliveries.length === 1, 'event after recovery');
    expect(source.status()).toMatchObject({ ready: true, consecutiveFailures: 0 });
    expect(source.status().lastError).toBeUndefined();
  });
});
