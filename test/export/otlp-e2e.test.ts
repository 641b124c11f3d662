import { status } from '@grpc/grpc-js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { eventToLogRecord, findingToLogRecord } from '../../src/export/mapping.js';
import type { AckResult } from '../../src/export/record-exporter.js';
import type { Finding } from '../../src/model/event.js';
import { startOtlpReceiver, type OtlpReceiver } from '../../src/testkit/otlp-receiver.js';
import { BASE_TIME_MS, buildEvent, buildRecord, buildRef } from '../support/builders.js';
import { capturingLogger, countingProxy, makeExporter, metricValue, until } from './helpers.js';

let receiver: OtlpReceiver;
const cleanups: (() => Promise<void>)[] = [];

beforeEach(async () => {
  receiver = await startOtlpReceiver();
});

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  await receiver.close();
});

function exporterFor(input: Record<string, unknown>, options: Parameters<typeof makeExporter>[1] = {}): ReturnType<typeof makeExporter> {
  const made = makeExporter({ endpoint: receiver.endpoint, ...input }, options);
  cleanups.push(() => made.exporter.shutdown());
  return made;
}

const nanos = (ms: number): string => (BigInt(ms) * 1_000_000n).toString();

describe('OTLP/gRPC export end to end (real gRPC server decoding the OTLP protobuf schema)', () => {
  it('delivers every field, with k8s.namespace.name as a resource attribute per namespace', async () => {
    const { exporter } = exporterFor({ clusterName: 'prod-eu', batch: { scheduledDelayMillis: 60_000 } });
    const shop = buildRecord(
      buildEvent({ uid: 'u-shop', timeMs: BASE_TIME_MS + 1_500, observedTimeMs: BASE_TIME_MS + 2_000, regarding: buildRef({ namespace: 'shop', name: 'web-1' }) }),
      { seq: 1, enrichment: { podName: 'web-1', nodeName: 'n1' }, classification: { category: 'Pod.Restart', severity: 'High', ruleId: 'r', escalated: false }, correlationId: 'c1' },
    );
    const kube = buildRecord(buildEvent({ uid: 'u-kube', regarding: buildRef({ namespace: 'kube-system', name: 'dns' }) }), { seq: 2 });
    const node = buildRecord(buildEvent({ uid: 'u-node', type: 'Normal', regarding: buildRef({ kind: 'Node', name: 'n1' }) }), { seq: 3 });
    const finding: Finding = {
      detector: 'drift',
      kind: 'drift',
      score: 2.5,
      key: 'shop/BackOff',
      windowStartMs: BASE_TIME_MS,
      windowEndMs: BASE_TIME_MS + 60_000,
      modelVersion: 'm1',
      body: 'slow rise of BackOff in shop',
      timeMs: BASE_TIME_MS + 60_000,
      namespace: 'shop',
    };
    await exporter.emit(shop);
    await exporter.emit(kube);
    await exporter.emit(node);
    await exporter.emitFinding(finding);
    await exporter.forceFlush();

    const records = receiver.records();
    expect(records).toHaveLength(4);
    expect(receiver.requests()).toBe(1); // one batch, one request, one ResourceLogs per namespace

    const base = { 'service.name': 'eventide', 'service.version': '9.9.9', 'k8s.cluster.name': 'prod-eu' };
    const byUid = (uid: string) => records.find((r) => r.attributes['k8s.event.uid'] === uid);
    expect(byUid('u-shop')?.resource).toEqual({ ...base, 'k8s.namespace.name': 'shop' });
    expect(byUid('u-kube')?.resource).toEqual({ ...base, 'k8s.namespace.name': 'kube-system' });
    expect(byUid('u-node')?.resource).toEqual(base); // cluster-scoped: no namespace at all

    const got = byUid('u-shop');
    expect(got).toMatchObject({
      scope: { name: 'eventide', version: '9.9.9' },
      timeUnixNano: nanos(BASE_TIME_MS + 1_500),
      observedTimeUnixNano: nanos(BASE_TIME_MS + 2_000),
      severityNumber: 17,
      severityText: 'High',
      body: 'Back-off restarting failed container',
      eventName: '',
    });
    // attributes exactly as mapped: no internal (seq/tag) attribute reaches the wire
    expect(got?.attributes).toEqual(eventToLogRecord(shop).attributes);
    expect(byUid('u-node')?.attributes).toEqual(eventToLogRecord(node).attributes);
    expect(byUid('u-node')?.severityNumber).toBe(9);

    const anomaly = records.find((r) => r.eventName === 'eventide.anomaly');
    expect(anomaly).toMatchObject({ severityNumber: 17, severityText: 'ERROR', body: 'slow rise of BackOff in shop' });
    expect(anomaly?.resource['k8s.namespace.name']).toBe('shop');
    expect(anomaly?.attributes).toEqual(findingToLogRecord(finding).attributes);
    expect(anomaly?.attributes['eventide.anomaly.score']).toBe(2.5);
  });

  it('acks the seqs of each batch and counts exported, acked and batches', async () => {
    const { exporter, metrics } = exporterFor({ batch: { maxExportBatchSize: 2 } });
    const acks: AckResult[] = [];
    exporter.onAck((a) => acks.push(a));
    for (let seq = 1; seq <= 5; seq++) await exporter.emit(buildRecord(buildEvent(), { seq }));
    await exporter.emitFinding({ detector: 'pattern', kind: 'new_pattern', score: 1, key: 'k', windowStartMs: 1, windowEndMs: 2, modelVersion: 'v', body: 'b', timeMs: 2 });
    await exporter.forceFlush();
    await receiver.waitFor(6);
    expect(acks.every((a) => a.ok)).toBe(true);
    expect(acks.flatMap((a) => a.seqs).sort()).toEqual([1, 2, 3, 4, 5]);
    expect(exporter.inFlight()).toBe(0);
    expect(await metricValue(metrics.eventsExported)).toBe(5);
    expect(await metricValue(metrics.recordsAcked, { kind: 'event' })).toBe(5);
    expect(await metricValue(metrics.recordsAcked, { kind: 'finding' })).toBe(1);
    expect(await metricValue(metrics.exportBatches, { result: 'success' })).toBe(acks.length);
    expect(await metricValue(metrics.exportInFlight)).toBe(0);
  });

  it('compresses with gzip by default (bytes on the wire) and not with compression none', async () => {
    const bigNote = 'x'.repeat(200_000);
    const sentBytes = async (compression: 'gzip' | 'none'): Promise<number> => {
      const proxy = await countingProxy(receiver.port);
      cleanups.push(proxy.close);
      const { exporter } = makeExporter({ endpoint: `http://127.0.0.1:${proxy.port}`, compression });
      await exporter.emit(buildRecord(buildEvent({ note: bigNote }), { seq: 1 }));
      await exporter.shutdown();
      return proxy.bytes();
    };
    const gzip = await sentBytes('gzip');
    const none = await sentBytes('none');
    expect(receiver.records().map((r) => r.body)).toEqual([bigNote, bigNote]); // decoded intact both ways
    expect(none).toBeGreaterThan(200_000);
    expect(gzip).toBeLessThan(20_000);
  });

  it('backpressure: emit waits at maxInFlight while the collector is stuck, then everything arrives (nothing dropped)', async () => {
    const { exporter, metrics } = exporterFor({ maxInFlight: 4, batch: { maxExportBatchSize: 2, maxQueueSize: 8 } });
    receiver.pause();
    // accepted at once while slots are free: no promise to wait on
    for (let seq = 1; seq <= 4; seq++) expect(exporter.emit(buildRecord(buildEvent(), { seq }))).toBeUndefined();
    expect(exporter.inFlight()).toBe(4);
    let fifthAccepted = false;
    const fifthWaits = exporter.emit(buildRecord(buildEvent(), { seq: 5 }));
    expect(fifthWaits).toBeInstanceOf(Promise);
    const fifth = Promise.resolve(fifthWaits).then(() => {
      fifthAccepted = true;
    });
    const sixth = exporter.emit(buildRecord(buildEvent(), { seq: 6 }));
    await until(() => receiver.requests() >= 1); // a batch is held by the stuck collector
    await new Promise((r) => setTimeout(r, 50));
    expect(fifthAccepted).toBe(false);
    expect(exporter.inFlight()).toBe(4);
    receiver.resume();
    await fifth;
    await sixth;
    await exporter.forceFlush();
    await receiver.waitFor(6);
    expect(receiver.records().map((r) => r.attributes['k8s.event.uid'])).toHaveLength(6);
    expect(exporter.inFlight()).toBe(0);
    expect(await metricValue(metrics.eventsSkipped)).toBe(0);
    expect(await metricValue(metrics.eventsExported)).toBe(6);
  });

  it('a non-retryable failure is counted, logged once per kind and acked ok:false with its seqs', async () => {
    const { logger, lines } = capturingLogger();
    const { exporter, metrics } = exporterFor({}, { logger });
    const acks: AckResult[] = [];
    exporter.onAck((a) => acks.push(a));
    receiver.setFailure(status.INVALID_ARGUMENT);
    await exporter.emit(buildRecord(buildEvent(), { seq: 10 }));
    await exporter.forceFlush();
    await exporter.emit(buildRecord(buildEvent(), { seq: 11 }));
    await exporter.forceFlush();
    expect(acks).toEqual([
      { seqs: [10], ok: false },
      { seqs: [11], ok: false },
    ]);
    expect(receiver.requests()).toBe(2); // INVALID_ARGUMENT is not retried
    expect(await metricValue(metrics.exportBatches, { result: 'failure' })).toBe(2);
    expect(await metricValue(metrics.recordsAcked, { kind: 'event' })).toBe(0);
    expect(exporter.inFlight()).toBe(0);
    const warnings = lines().filter((l) => typeof l.msg === 'string' && l.msg.startsWith('export batch failed'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]?.kind).toBe(`grpc_${status.INVALID_ARGUMENT}`);
  });

  it('without the queue: retries UNAVAILABLE (outage) and delivers once the collector is back', async () => {
    const { exporter, metrics } = exporterFor({ retry: { maxAttempts: 5 }, queue: { enabled: false } });
    const acks: AckResult[] = [];
    exporter.onAck((a) => acks.push(a));
    receiver.setFailure(status.UNAVAILABLE, 2);
    await exporter.emit(buildRecord(buildEvent(), { seq: 1 }));
    await exporter.forceFlush();
    expect(receiver.requests()).toBe(3);
    expect(receiver.records()).toHaveLength(1);
    expect(acks).toEqual([{ seqs: [1], ok: true }]);
    expect(await metricValue(metrics.exportBatches, { result: 'failure' })).toBe(0);
  });

  it('without the queue: gives up after retry.maxAttempts of a retryable failure and reports ok:false', async () => {
    const { exporter, metrics } = exporterFor({ retry: { maxAttempts: 3 }, queue: { enabled: false } });
    const acks: AckResult[] = [];
    exporter.onAck((a) => acks.push(a));
    receiver.setFailure(status.UNAVAILABLE);
    await exporter.emit(buildRecord(buildEvent(), { seq: 4 }));
    await exporter.forceFlush();
    expect(receiver.requests()).toBe(3);
    expect(acks).toEqual([{ seqs: [4], ok: false }]);
    expect(await metricValue(metrics.exportBatches, { result: 'failure' })).toBe(1);
  });

  it('honours OTEL_EXPORTER_OTLP_LOGS_ENDPOINT, OTEL_EXPORTER_OTLP_HEADERS and OTEL_RESOURCE_ATTRIBUTES', async () => {
    const { exporter } = makeExporter(
      { clusterName: 'from-config' },
      {
        env: {
          OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:1', // the logs-specific one wins
          OTEL_EXPORTER_OTLP_LOGS_ENDPOINT: receiver.endpoint,
          OTEL_EXPORTER_OTLP_HEADERS: 'x-scope-orgid=tenant%20a,authorization=Bearer abc',
          OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment=staging,k8s.cluster.name=from-env,k8s.namespace.name=ignored',
        },
      },
    );
    cleanups.push(() => exporter.shutdown());
    await exporter.emit(buildRecord(buildEvent({ regarding: buildRef({ namespace: 'shop' }) }), { seq: 1 }));
    await exporter.forceFlush();
    const [record] = receiver.records();
    expect(record?.resource).toEqual({
      'service.name': 'eventide',
      'service.version': '9.9.9',
      'deployment.environment': 'staging',
      'k8s.cluster.name': 'from-config', // explicit config wins over the environment
      'k8s.namespace.name': 'shop', // always the regarding object's
    });
    expect(receiver.requestMetadata()[0]).toMatchObject({ 'x-scope-orgid': 'tenant a', authorization: 'Bearer abc' });
  });

  it('after shutdown, emit resolves without sending and the skip is counted', async () => {
    const { exporter, metrics } = makeExporter({ endpoint: receiver.endpoint });
    await exporter.shutdown();
    await exporter.emit(buildRecord(buildEvent(), { seq: 1 }));
    expect(await metricValue(metrics.eventsSkipped, { stage: 'export', reason: 'shutdown' })).toBe(1);
    expect(receiver.requests()).toBe(0);
  });
});
