import { describe, expect, it } from 'vitest';
import { createMetrics, HotCounter } from '../../src/observe/metrics.js';

describe('HotCounter', () => {
  it('adds what was counted to the prom-client counter whenever the registry is read', async () => {
    const metrics = createMetrics();
    const hot = HotCounter.of(metrics.enrichLookups);
    hot.inc('hit', { result: 'hit' });
    hot.inc('hit', { result: 'hit' }, 2);
    hot.inc('miss', { result: 'miss' });
    const text = await metrics.registry.metrics();
    expect(text).toContain('eventide_enrich_lookups_total{result="hit"} 3');
    expect(text).toContain('eventide_enrich_lookups_total{result="miss"} 1');
    hot.inc('hit', { result: 'hit' });
    const values = (await metrics.enrichLookups.get()).values;
    expect(values.find((v) => v.labels.result === 'hit')?.value).toBe(4);
    // nothing counted twice by a second read
    expect((await metrics.enrichLookups.get()).values.find((v) => v.labels.result === 'hit')?.value).toBe(4);
  });

  it('is one per counter, so every user flushes into the same one, and direct increments still count', async () => {
    const metrics = createMetrics();
    expect(HotCounter.of(metrics.eventsReceived)).toBe(HotCounter.of(metrics.eventsReceived));
    HotCounter.of(metrics.eventsReceived).inc('v1LIST', { api: 'v1', type: 'LIST' });
    metrics.eventsReceived.inc({ api: 'v1', type: 'LIST' });
    const values = (await metrics.eventsReceived.get()).values;
    expect(values.find((v) => v.labels.type === 'LIST')?.value).toBe(2);
  });
});
