import { EventsV1Api, KubeConfig } from '@kubernetes/client-node';
import { afterEach, describe, expect, it } from 'vitest';
import { anomalyEventsConfigSchema } from '../../src/anomaly/config.js';
import { ANOMALY_REPORTING_CONTROLLER, coreV1Body, eventsV1Body, microTime, targetOf } from '../../src/anomaly/event-body.js';
import { KubeEventWriter, namespaceFilter } from '../../src/anomaly/k8s-event-writer.js';
import { TokenBucket } from '../../src/anomaly/token-bucket.js';
import type { Finding } from '../../src/model/event.js';
import { ManualClock } from '../../src/model/time.js';
import { silentLogger } from '../../src/observe/logger.js';
import { createMetrics } from '../../src/observe/metrics.js';
import { SkipReporter } from '../../src/observe/skips.js';
import { type ApiServerHandle, startApiServer } from '../../src/simulator/apiserver.js';
import { buildEvent, buildRef } from '../support/builders.js';

function finding(overrides: Partial<Finding> = {}): Finding {
  const event = buildEvent({ namespace: 'shop', regarding: buildRef({ kind: 'Pod', name: 'web-1', namespace: 'shop', uid: 'pod-uid-1' }) });
  return {
    detector: 'isolation_forest',
    kind: 'frequency',
    score: 1.7,
    key: 'shop/BackOff',
    windowStartMs: 0,
    windowEndMs: 60_000,
    modelVersion: 'm1',
    body: 'BackOff in shop is 9x its usual rate',
    timeMs: 60_000,
    subject: { event, enrichment: {} },
    namespace: 'shop',
    ...overrides,
  };
}

describe('anomaly Event bodies (pure)', () => {
  it('targets the subject object, else the namespace; nothing without a namespace', () => {
    expect(targetOf(finding())).toEqual({ namespace: 'shop', regarding: { kind: 'Pod', name: 'web-1', namespace: 'shop', uid: 'pod-uid-1', apiVersion: 'v1' } });
    expect(targetOf(finding({ subject: undefined }))).toEqual({ namespace: 'shop', regarding: { kind: 'Namespace', name: 'shop', apiVersion: 'v1' } });
    expect(targetOf(finding({ subject: undefined, namespace: undefined }))).toBeUndefined();
    const node = finding({ subject: { event: buildEvent({ namespace: '', regarding: buildRef({ kind: 'Node', name: 'n1', namespace: '' }) }), enrichment: {} }, namespace: undefined });
    expect(targetOf(node)?.namespace).toBe('default');
  });

  it('writes a valid events.k8s.io/v1 Warning with a series from the second occurrence, and a core/v1 twin', () => {
    const f = finding({ detector: 'pattern', body: 'é'.repeat(2000) });
    const t = targetOf(f)!;
    const first = eventsV1Body(f, t, { name: 'web-1.abc', reportingInstance: 'eventide-0', firstMs: 1_000, lastMs: 1_000, count: 1 });
    expect(first).toMatchObject({ reportingController: ANOMALY_REPORTING_CONTROLLER, reportingInstance: 'eventide-0', type: 'Warning', action: 'Detected', reason: 'PatternDetected', eventTime: microTime(1_000) });
    expect(first.series).toBeUndefined();
    expect(Buffer.byteLength(String(first.note))).toBeLessThanOrEqual(1024);
    const again = eventsV1Body(f, t, { name: 'web-1.abc', reportingInstance: 'eventide-0', firstMs: 1_000, lastMs: 5_000, count: 3 });
    expect(again.series).toEqual({ count: 3, lastObservedTime: '1970-01-01T00:00:05.000000Z' });
    const core = coreV1Body(finding(), t, { name: 'x', reportingInstance: 'i', firstMs: 0, lastMs: 0, count: 2 });
    expect(core).toMatchObject({ reason: 'AnomalyDetected', count: 2, reportingComponent: ANOMALY_REPORTING_CONTROLLER, involvedObject: t.regarding });
  });

  it('token bucket: burst, then the steady rate on the injected clock', () => {
    const clock = new ManualClock(0);
    const b = new TokenBucket(60, 2, clock);
    expect([b.take(), b.take(), b.take()]).toEqual([true, true, false]);
    clock.advance(1000);
    expect([b.take(), b.take()]).toEqual([true, false]);
  });

  it('namespace filter follows the source include/exclude lists', () => {
    expect(namespaceFilter({ include: [], exclude: ['kube-system'] })('shop')).toBe(true);
    expect(namespaceFilter({ include: [], exclude: ['kube-system'] })('kube-system')).toBe(false);
    expect(namespaceFilter({ include: ['shop'], exclude: [] })('other')).toBe(false);
  });
});

describe('KubeEventWriter against the simulated API server', () => {
  let api: ApiServerHandle | undefined;
  afterEach(async () => {
    await api?.close();
    api = undefined;
  });

  async function setUp(config: Record<string, unknown> = {}, options: { servesEventsV1?: boolean; watched?: (ns: string) => boolean } = {}) {
    api = await startApiServer({ servesEventsV1: options.servesEventsV1 ?? true });
    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromString(api.kubeconfigYaml());
    const clock = new ManualClock(Date.UTC(2026, 0, 1));
    const logger = silentLogger();
    const metrics = createMetrics();
    const skips = new SkipReporter(logger, metrics);
    const writer = new KubeEventWriter(anomalyEventsConfigSchema.parse(config), {
      kubeConfig,
      clock,
      logger,
      metrics,
      skips,
      watched: options.watched ?? namespaceFilter({ include: ['shop', 'default'], exclude: [] }),
      reportingInstance: 'eventide-7d9f',
    });
    const events = async (ns: string) => (await kubeConfig.makeApiClient(EventsV1Api).listNamespacedEvent({ namespace: ns })).items;
    return { writer, clock, skips, events };
  }

  it('writes a finding as an events.k8s.io/v1 Event readable through the API', async () => {
    const { writer, events } = await setUp();
    writer.onFinding(finding());
    await writer.flush();
    const items = await events('shop');
    expect(items).toHaveLength(1);
    const e = items[0]!;
    expect(e.reportingController).toBe('eventide.io/anomaly-detector');
    expect(e.reportingInstance).toBe('eventide-7d9f');
    expect(e.type).toBe('Warning');
    expect(e.reason).toBe('AnomalyDetected');
    expect(e.action).toBe('Detected');
    expect(e.note).toBe('BackOff in shop is 9x its usual rate');
    expect(e.regarding).toMatchObject({ kind: 'Pod', name: 'web-1', namespace: 'shop', uid: 'pod-uid-1' });
    expect(writer.counts().created).toBe(1);
  });

  it('aggregates repeats of one key into the series count instead of flooding', async () => {
    const { writer, clock, events } = await setUp();
    for (let i = 0; i < 5; i++) {
      writer.onFinding(finding());
      clock.advance(1000);
    }
    await writer.flush();
    const items = await events('shop');
    expect(items).toHaveLength(1);
    expect(items[0]!.series?.count).toBe(5);
    // A different key is a different Event.
    writer.onFinding(finding({ key: 'shop/FailedMount' }));
    await writer.flush();
    expect(await events('shop')).toHaveLength(2);
  });

  it('writes nothing in namespaces eventide does not watch (counted as skipped)', async () => {
    const { writer, skips, events } = await setUp({}, { watched: namespaceFilter({ include: ['default'], exclude: [] }) });
    writer.onFinding(finding());
    writer.onFinding(finding({ subject: undefined, namespace: 'kube-system' }));
    await writer.flush();
    expect(await events('shop')).toHaveLength(0);
    expect(await events('kube-system')).toHaveLength(0);
    expect(skips.count('anomaly_events', 'namespace_not_watched')).toBe(2);
    expect(api!.stats().requests['create events.events.k8s.io'] ?? 0).toBe(0);
  });

  it('rate-limits new Events with a token bucket; drops are counted', async () => {
    const { writer, clock, skips, events } = await setUp({ burst: 3, ratePerMinute: 60 });
    for (let i = 0; i < 10; i++) writer.onFinding(finding({ key: `shop/R${i}` }));
    await writer.flush();
    expect(await events('shop')).toHaveLength(3);
    expect(skips.count('anomaly_events', 'rate_limited')).toBe(7);
    clock.advance(2000); // two tokens back at one per second
    for (let i = 10; i < 15; i++) writer.onFinding(finding({ key: `shop/R${i}` }));
    await writer.flush();
    expect(await events('shop')).toHaveLength(5);
  });

  it('bounds its queue: onFinding never waits for the API server', async () => {
    const { writer, skips } = await setUp({ maxQueue: 2, burst: 100 });
    api!.faults.setLatencyMillis(200);
    for (let i = 0; i < 6; i++) writer.onFinding(finding({ key: `shop/Q${i}` }));
    // The first write is in flight, two wait: the rest are dropped at once.
    expect(skips.count('anomaly_events', 'queue_full')).toBeGreaterThanOrEqual(3);
    await writer.stop();
    writer.onFinding(finding({ key: 'shop/late' }));
    expect(writer.counts().skipped.stopped).toBe(1);
  });

  it('falls back to core/v1 when events.k8s.io/v1 is not served', async () => {
    const { writer } = await setUp({}, { servesEventsV1: false });
    writer.onFinding(finding());
    writer.onFinding(finding());
    await writer.flush();
    const stored = api!.store.list('events') as Array<{ reportingComponent?: string; count?: number; involvedObject?: { name?: string } }>;
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({ reportingComponent: 'eventide.io/anomaly-detector', involvedObject: { name: 'web-1' } });
    expect(stored[0]!.count).toBe(2);
  });

  it('counts failed writes and keeps going', async () => {
    const { writer, skips, events } = await setUp();
    api!.faults.failNext(1, 500);
    writer.onFinding(finding({ key: 'a' }));
    writer.onFinding(finding({ key: 'b' }));
    await writer.flush();
    expect(skips.count('anomaly_events', 'write_failed')).toBe(1);
    expect(await events('shop')).toHaveLength(1);
  });
});
