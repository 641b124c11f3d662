import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import type { LogRecordExporter, ReadableLogRecord } from '@opentelemetry/sdk-logs';
import { afterEach, describe, expect, it } from 'vitest';
import { decodeBatch, encodeBatch } from '../../src/export/queue/record-codec.js';
import { queueMetrics } from '../../src/export/queue/queue-metrics.js';
import { BatchingRecordExporter, type AckResult } from '../../src/export/record-exporter.js';
import { ManualClock, systemClock, type Clock } from '../../src/model/time.js';
import { silentLogger, type Logger } from '../../src/observe/logger.js';
import { createMetrics, type Metrics } from '../../src/observe/metrics.js';
import { buildEvent, buildRecord, buildRef } from '../support/builders.js';
import { capturingLogger, metricValue, testConfig, until } from './helpers.js';

type Mode = 'up' | 'down' | 'reject' | 'hang' | 'hold';

/** A scripted transport: up (accepts), down (UNAVAILABLE), reject (INVALID_ARGUMENT), hang (never answers), hold (answers when the test says). */
class FakeCollector implements LogRecordExporter {
  mode: Mode = 'up';
  /** Delay of every answer, ms (a slow failure, e.g. a connect timeout). */
  delayMillis = 0;
  attempts = 0;
  readonly received: string[] = [];
  readonly batches: ReadableLogRecord[][] = [];
  /** Requests of mode hold, waiting for {@link answer}. */
  readonly holding: { logs: ReadableLogRecord[]; callback: (result: ExportResult) => void }[] = [];

  export(logs: ReadableLogRecord[], resultCallback: (result: ExportResult) => void): void {
    this.attempts++;
    const mode = this.mode;
    if (mode === 'hang') return;
    if (mode === 'hold') {
      this.holding.push({ logs, callback: resultCallback });
      return;
    }
    const answer = (fn: () => void): unknown => (this.delayMillis > 0 ? setTimeout(fn, this.delayMillis) : setImmediate(fn));
    answer(() => {
      if (mode === 'up') {
        this.batches.push(logs);
        for (const log of logs) this.received.push(String(log.attributes['k8s.event.uid']));
        resultCallback({ code: ExportResultCode.SUCCESS });
      } else {
        const code = mode === 'down' ? 14 : 3;
        resultCallback({ code: ExportResultCode.FAILED, error: Object.assign(new Error(mode), { code }) });
      }
    });
  }

  /** Answers the held request whose first record has `uid`: taken, or refused UNAVAILABLE. */
  answer(uid: string, ok: boolean): void {
    const at = this.holding.findIndex((h) => h.logs[0]?.attributes['k8s.event.uid'] === uid);
    const [held] = this.holding.splice(at, 1);
    if (!held) throw new Error(`no request held for ${uid}`);
    if (ok) {
      this.batches.push(held.logs);
      for (const log of held.logs) this.received.push(String(log.attributes['k8s.event.uid']));
      held.callback({ code: ExportResultCode.SUCCESS });
    } else held.callback({ code: ExportResultCode.FAILED, error: Object.assign(new Error('down'), { code: 14 }) });
  }

  forceFlush(): Promise<void> {
    return Promise.resolve();
  }

  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}

const exporters: BatchingRecordExporter[] = [];

afterEach(async () => {
  for (const exporter of exporters.splice(0)) await exporter.shutdown();
});

interface Made {
  exporter: BatchingRecordExporter;
  collector: FakeCollector;
  metrics: Metrics;
  acks: AckResult[];
}

function make(input: Record<string, unknown>, options: { collector?: FakeCollector; clock?: Clock; logger?: Logger } = {}): Made {
  const { batch, ...rest } = input as { batch?: object };
  const config = testConfig({ ...rest, batch: { maxExportBatchSize: 1, scheduledDelayMillis: 5, ...batch } });
  const collector = options.collector ?? new FakeCollector();
  const metrics = createMetrics();
  const exporter = new BatchingRecordExporter(
    config,
    { logger: options.logger ?? silentLogger(), metrics, clock: options.clock ?? systemClock, serviceVersion: 't', env: {}, random: () => 0.5 },
    collector,
    { durableQueue: true },
  );
  exporters.push(exporter);
  const acks: AckResult[] = [];
  exporter.onAck((a) => acks.push(a));
  return { exporter, collector, metrics, acks };
}

async function emitSeqs(exporter: BatchingRecordExporter, from: number, to: number): Promise<void> {
  for (let seq = from; seq < to; seq++) await exporter.emit(buildRecord(buildEvent({ uid: `uid-${seq}` }), { seq }));
}

const uids = (from: number, to: number): string[] => Array.from({ length: to - from }, (_, i) => `uid-${from + i}`);
const ackedSeqs = (acks: AckResult[]): number[] => acks.filter((a) => a.ok).flatMap((a) => a.seqs).sort((a, b) => a - b);

describe('QueueingExporter (through the batching core, scripted collector)', () => {
  it('while the collector is down, keeps maxMemoryRecords in memory (unacked), spills the rest to disk (acked queued), then drains everything in order', async () => {
    const collector = new FakeCollector();
    collector.mode = 'down';
    const { exporter, metrics, acks } = make({ queue: { maxMemoryRecords: 2 } }, { collector });
    await emitSeqs(exporter, 0, 1);
    await until(() => collector.attempts >= 2); // the outage is noticed (a retry)
    await emitSeqs(exporter, 1, 10);
    await until(() => acks.length === 8);
    expect(acks.every((a) => a.ok && a.queued)).toBe(true);
    expect(exporter.inFlight()).toBe(2); // the memory batches hold their slots: backpressure
    const q = queueMetrics(metrics.registry);
    expect(await metricValue(q.queueRecords, { tier: 'memory' })).toBe(2);
    expect(await metricValue(q.queueRecords, { tier: 'disk' })).toBe(8);
    expect(await metricValue(q.queueDiskBytes)).toBeGreaterThan(0);
    await until(() => collector.attempts >= 3);

    collector.mode = 'up';
    await until(() => collector.received.length === 10);
    expect(collector.received).toEqual(uids(0, 10));
    expect(ackedSeqs(acks)).toEqual([...Array(10).keys()]);
    expect(exporter.inFlight()).toBe(0);
    expect(await metricValue(q.spilledRecords)).toBe(8);
    expect(await metricValue(q.drainedRecords, { tier: 'disk' })).toBe(8);
    expect(await metricValue(q.retries)).toBeGreaterThanOrEqual(2);
    expect(await metricValue(q.queueRecords, { tier: 'disk' })).toBe(0);
    expect(await metricValue(metrics.exportBatches, { result: 'failure' })).toBe(0);
  });

  it('batches that piled up in memory while a failing request waited for its answer move to disk once it fails', async () => {
    const collector = new FakeCollector();
    collector.mode = 'down';
    collector.delayMillis = 100;
    const { exporter, acks } = make({ queue: { maxMemoryRecords: 2 } }, { collector });
    await emitSeqs(exporter, 0, 10); // all in memory: the collector has not failed yet
    expect(exporter.inFlight()).toBe(10);
    await until(() => acks.length === 8);
    expect(acks.every((a) => a.queued)).toBe(true);
    expect(ackedSeqs(acks)).toEqual([2, 3, 4, 5, 6, 7, 8, 9]); // the newest moved; the oldest two wait in memory
    expect(exporter.inFlight()).toBe(2);
    collector.mode = 'up';
    collector.delayMillis = 0;
    await until(() => collector.received.length === 10);
    expect(collector.received).toEqual(uids(0, 10));
  });

  it('a restart delivers what the previous run left on disk first, in order; shutdown puts memory batches in front', async () => {
    const down = new FakeCollector();
    down.mode = 'down';
    const first = make({ queue: { maxMemoryRecords: 2 } }, { collector: down });
    const directory = (first.exporter as unknown as { config: { queue: { directory: string } } }).config.queue.directory;
    await emitSeqs(first.exporter, 0, 1);
    await until(() => down.attempts >= 2);
    await emitSeqs(first.exporter, 1, 6);
    await until(() => first.acks.length === 4 && down.attempts > 0);
    await first.exporter.shutdown(); // the 2 memory batches are older than the disk ones: they go in front
    expect(ackedSeqs(first.acks)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(first.acks.every((a) => a.queued)).toBe(true);

    const second = make({ queue: { directory, maxMemoryRecords: 2 } });
    await emitSeqs(second.exporter, 6, 9);
    await until(() => second.collector.received.length === 9);
    expect(second.collector.received).toEqual(uids(0, 9));
  });

  it('a record read back from disk is sent as it was: resource per namespace, scope, times, severity, body, attributes', async () => {
    const { exporter, collector } = make({});
    await exporter.emit(buildRecord(buildEvent({ uid: 'uid-a', regarding: buildRef({ namespace: 'ns-a' }) }), { seq: 1 }));
    await exporter.emit(buildRecord(buildEvent({ uid: 'uid-b', regarding: buildRef({ namespace: 'ns-b' }) }), { seq: 2 }));
    await until(() => collector.batches.length === 2);
    const original = collector.batches.flat();
    const decoded = decodeBatch(encodeBatch(original));
    expect(decoded.map((r) => r.resource.attributes)).toEqual(original.map((r) => r.resource.attributes));
    expect(decoded[0]!.resource).not.toBe(decoded[1]!.resource);
    for (const [i, record] of decoded.entries()) {
      const source = original[i]!;
      expect(record.instrumentationScope).toEqual({ name: source.instrumentationScope.name, version: source.instrumentationScope.version });
      expect([record.hrTime, record.hrTimeObserved, record.severityNumber, record.severityText, record.body, record.attributes]).toEqual([
        source.hrTime,
        source.hrTimeObserved,
        source.severityNumber,
        source.severityText,
        source.body,
        source.attributes,
      ]);
    }
    // records of one resource share one Resource object, so the OTLP serializer groups them
    const same = decodeBatch(encodeBatch([original[0]!, original[0]!]));
    expect(same[0]!.resource).toBe(same[1]!.resource);
  });

  it('on the disk cap drops the oldest records, counts them, warns once per episode; the newest survive', async () => {
    const collector = new FakeCollector();
    collector.mode = 'down';
    const { logger, lines } = capturingLogger();
    const { exporter, metrics } = make({ queue: { maxMemoryRecords: 1, maxDiskBytes: 4000, segmentBytes: 1000 } }, { collector, logger });
    await emitSeqs(exporter, 0, 1);
    await until(() => collector.attempts >= 2);
    await emitSeqs(exporter, 1, 40);
    const q = queueMetrics(metrics.registry);
    await until(() => exporter.inFlight() === 1);
    const dropped = await metricValue(q.droppedRecords, { reason: 'disk_full' });
    expect(dropped).toBeGreaterThan(0);
    expect(await metricValue(q.queueDiskBytes)).toBeLessThanOrEqual(4000);

    collector.mode = 'up';
    await until(() => collector.received.length === 40 - dropped);
    // the memory batch (the oldest, uid-0) and then the newest on disk: everything between was dropped oldest first
    expect(collector.received).toEqual(['uid-0', ...uids(1 + dropped, 40)]);
    expect(lines().filter((l) => String(l.msg).startsWith('export disk queue full'))).toHaveLength(1);
  });

  it('with the collector up, a burst past maxMemoryRecords stays in memory (bounded by maxInFlight) and arrives complete and in order', async () => {
    const { exporter, collector, metrics } = make({ maxInFlight: 100, batch: { maxExportBatchSize: 20 }, queue: { maxMemoryRecords: 20 } });
    await emitSeqs(exporter, 0, 200);
    await until(() => collector.received.length === 200);
    expect(collector.received).toEqual(uids(0, 200));
    const q = queueMetrics(metrics.registry);
    expect(await metricValue(q.spilledRecords)).toBe(0);
    expect(await metricValue(metrics.backpressureSeconds)).toBeGreaterThanOrEqual(0);
  });

  it('a non-retryable refusal ends the batch with ok:false (not retried, not queued)', async () => {
    const collector = new FakeCollector();
    collector.mode = 'reject';
    const { exporter, acks } = make({}, { collector });
    await emitSeqs(exporter, 0, 1);
    await until(() => acks.length === 1);
    expect(acks).toEqual([{ seqs: [0], ok: false }]);
    expect(collector.attempts).toBe(1);
  });

  it('retry.maxElapsedMillis gives a batch up after that long (counted retry_expired, ok:false)', async () => {
    const clock = new ManualClock(1_000_000);
    const collector = new FakeCollector();
    collector.mode = 'down';
    const { exporter, acks, metrics } = make({ retry: { maxElapsedMillis: 60_000 } }, { collector, clock });
    await emitSeqs(exporter, 0, 1);
    await until(() => collector.attempts >= 2);
    expect(acks).toEqual([]);
    clock.advance(60_000);
    await until(() => acks.length === 1);
    expect(acks).toEqual([{ seqs: [0], ok: false }]);
    expect(await metricValue(queueMetrics(metrics.registry).droppedRecords, { reason: 'retry_expired' })).toBe(1);
  });

  it('shutdown with a collector that never answers returns near shutdownTimeoutMillis with everything persisted and acked', async () => {
    const collector = new FakeCollector();
    collector.mode = 'hang';
    const { exporter, acks } = make({ shutdownTimeoutMillis: 300 }, { collector });
    await emitSeqs(exporter, 0, 3);
    const started = Date.now();
    await exporter.shutdown();
    expect(Date.now() - started).toBeLessThan(3000);
    expect(ackedSeqs(acks)).toEqual([0, 1, 2]);
    expect(acks.every((a) => a.queued)).toBe(true);
  });
  it('keeps numConsumers requests in flight while the collector takes batches, acknowledging each as it is answered', async () => {
    const collector = new FakeCollector();
    collector.mode = 'hold';
    const { exporter, acks } = make({ queue: { numConsumers: 3 } }, { collector });
    await emitSeqs(exporter, 0, 5);
    await until(() => collector.holding.length === 3);
    await new Promise((r) => setTimeout(r, 30));
    expect(collector.holding.map((h) => h.logs[0]?.attributes['k8s.event.uid'])).toEqual(uids(0, 3)); // the oldest three, not a fourth
    collector.answer('uid-1', true); // out of order
    await until(() => acks.length === 1);
    expect(acks[0]).toMatchObject({ ok: true, seqs: [1] });
    await until(() => collector.holding.length === 3); // the freed consumer takes the next batch
    expect(collector.holding.map((h) => h.logs[0]?.attributes['k8s.event.uid'])).toEqual(['uid-0', 'uid-2', 'uid-3']);
    collector.mode = 'up';
    for (const uid of ['uid-0', 'uid-2', 'uid-3']) collector.answer(uid, true);
    await until(() => collector.received.length === 5);
    expect(ackedSeqs(acks)).toEqual([0, 1, 2, 3, 4]);
    expect(exporter.inFlight()).toBe(0);
  });

  it('after a retryable failure among concurrent requests, lets the others finish, then retries the failed batch alone, in order', async () => {
    const collector = new FakeCollector();
    collector.mode = 'hold';
    const { exporter, acks } = make({ queue: { numConsumers: 2 }, retry: { initialBackoffMillis: 1, maxBackoffMillis: 5 } }, { collector });
    await emitSeqs(exporter, 0, 4);
    await until(() => collector.holding.length === 2);
    collector.answer('uid-0', false); // UNAVAILABLE
    await new Promise((r) => setTimeout(r, 30));
    expect(collector.holding.map((h) => h.logs[0]?.attributes['k8s.event.uid'])).toEqual(['uid-1']); // no new request meanwhile
    collector.answer('uid-1', true);
    // one at a time from the head now: the failed batch first
    await until(() => collector.holding.length === 1);
    expect(collector.holding[0]?.logs[0]?.attributes['k8s.event.uid']).toBe('uid-0');
    collector.answer('uid-0', true);
    collector.mode = 'up';
    await until(() => collector.received.length === 4);
    expect(collector.received).toEqual(['uid-1', 'uid-0', 'uid-2', 'uid-3']);
    expect(ackedSeqs(acks)).toEqual([0, 1, 2, 3]);
    expect(acks.every((a) => a.ok)).toBe(true);
  });
});
