/**
 * Micro-benchmark of {@link normalizeEvent} (hot path). Run: `npx tsx src/normalize/normalize.bench.ts`.
 * Prints events per second for a typical legacy event, a series event and a long-note event.
 */
import { performance } from 'node:perf_hooks';
import { normalizeConfigSchema } from './config.js';
import { normalizeEvent } from './normalize.js';

const cfg = normalizeConfigSchema.parse({});

const legacy = {
  apiVersion: 'events.k8s.io/v1',
  metadata: { name: 'web-1.17a', namespace: 'shop', uid: 'c0ffee-1', resourceVersion: '123456', creationTimestamp: '2026-01-01T10:00:00Z' },
  regarding: { kind: 'Pod', name: 'web-1', namespace: 'shop', uid: 'pod-uid', apiVersion: 'v1', fieldPath: 'spec.containers{web}' },
  reason: 'BackOff',
  note: 'Back-off restarting failed container web in pod web-1_shop(pod-uid)',
  type: 'Warning',
  deprecatedSource: { component: 'kubelet', host: 'node-3' },
  deprecatedFirstTimestamp: '2026-01-01T10:00:00Z',
  deprecatedLastTimestamp: '2026-01-01T10:05:00Z',
  deprecatedCount: 12,
};
const series = { ...legacy, eventTime: '2026-01-01T10:00:00.123456Z', series: { count: 40, lastObservedTime: '2026-01-01T10:09:00.654321Z' }, reportingController: 'kubelet', reportingInstance: 'node-3' };
const longNote = { ...legacy, note: 'x€'.repeat(5000) };

function run(name: string, raw: unknown, iterations: number): void {
  let sink = 0;
  for (let i = 0; i < 10_000; i++) sink += normalizeEvent(raw, 'events.k8s.io/v1', i, cfg).ok ? 1 : 0; // warm-up
  const t0 = performance.now();
  for (let i = 0; i < iterations; i++) sink += normalizeEvent(raw, 'events.k8s.io/v1', i, cfg).ok ? 1 : 0;
  const elapsedMs = performance.now() - t0;
  const perSec = Math.round((iterations / elapsedMs) * 1000);
  console.log(`${name.padEnd(10)} ${perSec.toLocaleString('en-US').padStart(12)} events/s  (${((elapsedMs * 1e6) / iterations).toFixed(0)} ns/event, ok=${sink})`);
}

run('legacy', legacy, 300_000);
run('series', series, 300_000);
run('long-note', longNote, 50_000);
