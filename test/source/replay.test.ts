import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { KubeConfig } from '@kubernetes/client-node';
import { ReplaySource } from '../../src/source/replay.js';
import { replayConfigSchema } from '../../src/source/config.js';
import { counterValue, RecordingSink, recordingScheduler, testDeps, waitUntil } from './harness.js';

const v1Event = (uid: string, time: string) => ({
  apiVersion: 'events.k8s.io/v1',
  kind: 'Event',
  metadata: { uid, name: uid, namespace: 'ns', resourceVersion: `rv-${uid}` },
  regarding: { kind: 'Pod', name: 'p', namespace: 'ns' },
  reason: 'BackOff',
  note: 'n',
  type: 'Warning',
  eventTime: time,
});
const coreEvent = (uid: string, time: string) => ({
  apiVersion: 'v1',
  kind: 'Event',
  metadata: { uid, name: uid, namespace: 'ns' },
  involvedObject: { kind: 'Pod', name: 'p', namespace: 'ns' },
  reason: 'Pulled',
  message: 'm',
  type: 'Normal',
  lastTimestamp: time,
});

async function file(lines: string[]): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'eventide-replay-'));
  const path = join(dir, 'events.ndjson');
  await writeFile(path, lines.join('\n')); // no trailing newline on purpose
  return path;
}

function deps() {
  const d = testDeps(new KubeConfig());
  return { ...d, scheduler: recordingScheduler() };
}

describe('ReplaySource', () => {
  it('delivers watch envelopes and bare events in file order; skips bad lines', async () => {
    const path = await file([
      JSON.stringify({ type: 'ADDED', object: v1Event('a', '2026-01-01T10:00:00Z') }),
      JSON.stringify(coreEvent('b', '2026-01-01T10:00:10Z')),
      '{broken',
      JSON.stringify({ type: 'BOOKMARK', object: { metadata: { resourceVersion: '9' } } }),
      JSON.stringify({ type: 'DELETED', object: v1Event('a', '2026-01-01T10:00:00Z') }),
      JSON.stringify({ type: 'MODIFIED', object: { ...v1Event('a', '2026-01-01T10:00:20Z'), series: { count: 2, lastObservedTime: '2026-01-01T10:00:20Z' } } }),
      JSON.stringify({ metadata: { uid: 'c' } }),
      JSON.stringify(coreEvent('d', '2026-01-01T10:00:30Z')),
    ]);
    const d = deps();
    const src = new ReplaySource(replayConfigSchema.parse({ path }), d);
    const sink = new RecordingSink();
    src.start(sink);
    await src.done();
    expect(sink.deliveries.map((x) => [x.event.uid, x.origin, x.event.sourceApi])).toEqual([
      ['a', 'added', 'events.k8s.io/v1'],
      ['b', 'list', 'v1'],
      ['a', 'modified', 'events.k8s.io/v1'],
      ['d', 'list', 'v1'],
    ]);
    expect(sink.deliveries[2]!.event.count).toBe(2);
    expect(d.skips.count('source', 'malformed_line')).toBe(1);
    expect(d.skips.count('normalize', 'missing_regarding')).toBe(1);
    expect(await counterValue(d.metrics.eventsReceived, { type: 'DELETED' })).toBe(1);
    expect(d.scheduler.sleeps).toEqual([]);
    expect(src.status()).toMatchObject({ watching: false, lastResourceVersion: 'rv-a' });
  });

  it('paces by event-time gaps divided by speed', async () => {
    const path = await file([
      JSON.stringify(v1Event('a', '2026-01-01T10:00:00Z')),
      JSON.stringify(v1Event('b', '2026-01-01T10:00:10Z')),
      JSON.stringify(v1Event('c', '2026-01-01T10:00:05Z')), // out of order: no wait
      JSON.stringify(v1Event('d', '2026-01-01T10:00:30Z')),
    ]);
    const d = deps();
    const src = new ReplaySource(replayConfigSchema.parse({ path, speed: 2 }), d);
    const sink = new RecordingSink();
    src.start(sink);
    await src.done();
    expect(sink.uids()).toEqual(['a', 'b', 'c', 'd']);
    expect(d.scheduler.sleeps).toEqual([5000, 10000]);
  });

  it('waits for the sink (backpressure)', async () => {
    const path = await file(Array.from({ length: 500 }, (_, i) => JSON.stringify(v1Event(`e${i}`, '2026-01-01T10:00:00Z'))));
    const d = deps();
    const src = new ReplaySource(replayConfigSchema.parse({ path }), d);
    const sink = new RecordingSink();
    sink.hold();
    src.start(sink);
    await waitUntil(() => sink.inFlight === 1, 'first delivery');
    for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
    expect(await counterValue(d.metrics.eventsReceived)).toBe(1);
    sink.release();
    await src.done();
    expect(sink.deliveries).toHaveLength(500);
    expect(sink.maxInFlight).toBe(1);
  });

  it('reports a missing file in status and still resolves done()', async () => {
    const src = new ReplaySource(replayConfigSchema.parse({ path: '/nonexistent/eventide.ndjson' }), deps());
    src.start(new RecordingSink());
    await src.done();
    expect(src.status().lastError).toMatch(/ENOENT/);
    expect(src.status().ready).toBe(false);
  });
});
