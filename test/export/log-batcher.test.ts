import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { resourceFromAttributes } from '@opentelemetry/resources';
import type { LogRecordExporter, ReadableLogRecord } from '@opentelemetry/sdk-logs';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { LogBatcher } from '../../src/export/log-batcher.js';

/** An exporter that holds each batch until the test answers it. */
class HeldExporter implements LogRecordExporter {
  readonly batches: number[][] = [];
  readonly pending: ((result: ExportResult) => void)[] = [];
  forceFlushes = 0;
  shutdowns = 0;
  throwNext = false;

  export(logs: ReadableLogRecord[], resultCallback: (result: ExportResult) => void): void {
    if (this.throwNext) {
      this.throwNext = false;
      throw new Error('transport broke');
    }
    this.batches.push(logs.map((log) => Number(log.body)));
    this.pending.push(resultCallback);
  }

  /** Answers the oldest held batch. */
  answer(code: ExportResultCode = ExportResultCode.SUCCESS): void {
    this.pending.shift()?.({ code });
  }

  forceFlush(): Promise<void> {
    this.forceFlushes++;
    return Promise.resolve();
  }

  shutdown(): Promise<void> {
    this.shutdowns++;
    return Promise.resolve();
  }
}

const resource = resourceFromAttributes({ 'service.name': 'test' });
const scope = { name: 'eventide' };

function record(n: number): ReadableLogRecord {
  return { hrTime: [n, 0], hrTimeObserved: [n, 0], body: String(n), resource, instrumentationScope: scope, attributes: {}, droppedAttributesCount: 0 };
}

const config = { maxExportBatchSize: 3, scheduledDelayMillis: 200, exportTimeoutMillis: 1_000, maxQueueSize: 10 };

/** Lets promise callbacks run (fake timers leave microtasks alone). */
const settle = async (): Promise<void> => {
  await vi.advanceTimersByTimeAsync(0);
};

beforeEach(() => {
  vi.useFakeTimers();
});

afterEach(() => {
  vi.useRealTimers();
});

describe('LogBatcher (the BatchLogRecordProcessor semantics on the export path)', () => {
  it('sends a full batch at once and a partial one after scheduledDelayMillis', async () => {
    const exporter = new HeldExporter();
    const batcher = new LogBatcher(exporter, config);
    for (let n = 1; n <= 4; n++) expect(batcher.add(record(n))).toBe(true);
    expect(exporter.batches).toEqual([[1, 2, 3]]);
    exporter.answer();
    await settle();
    expect(exporter.batches).toHaveLength(1); // 4 waits for its batch to fill
    await vi.advanceTimersByTimeAsync(199);
    expect(exporter.batches).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(exporter.batches).toEqual([[1, 2, 3], [4]]);
  });

  it('has one export at a time: the next batch leaves when the exporter called back, failed or not', async () => {
    const exporter = new HeldExporter();
    const batcher = new LogBatcher(exporter, config);
    for (let n = 1; n <= 7; n++) batcher.add(record(n));
    expect(exporter.batches).toEqual([[1, 2, 3]]);
    await vi.advanceTimersByTimeAsync(500);
    expect(exporter.batches).toHaveLength(1);
    exporter.answer(ExportResultCode.FAILED);
    await settle();
    expect(exporter.batches).toEqual([[1, 2, 3], [4, 5, 6]]);
    exporter.answer();
    await settle();
    expect(exporter.batches).toHaveLength(2); // 7 alone waits for the delay
    await vi.advanceTimersByTimeAsync(200);
    expect(exporter.batches).toEqual([[1, 2, 3], [4, 5, 6], [7]]);
  });

  it('refuses records past maxQueueSize and after shutdown', async () => {
    const exporter = new HeldExporter();
    const batcher = new LogBatcher(exporter, config);
    // the first batch is in the exporter's hands; 10 more fit in the queue
    for (let n = 1; n <= 13; n++) expect(batcher.add(record(n))).toBe(true);
    expect(batcher.waiting()).toBe(10);
    expect(batcher.add(record(14))).toBe(false);
    const shutdown = batcher.shutdown();
    expect(batcher.add(record(15))).toBe(false);
    while (exporter.pending.length > 0 || exporter.batches.length < 5) {
      exporter.answer();
      await settle();
    }
    await shutdown;
    expect(exporter.batches.flat()).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13]);
    expect(exporter.shutdowns).toBe(1);
    await batcher.shutdown();
    expect(exporter.shutdowns).toBe(1);
  });

  it('moves on after exportTimeoutMillis without a callback, tells onTimeout, and ignores the late callback', async () => {
    const exporter = new HeldExporter();
    const timeouts: number[] = [];
    const batcher = new LogBatcher(exporter, config, (records) => timeouts.push(records));
    for (let n = 1; n <= 6; n++) batcher.add(record(n));
    await vi.advanceTimersByTimeAsync(999);
    expect(exporter.batches).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(timeouts).toEqual([3]);
    expect(exporter.batches).toEqual([[1, 2, 3], [4, 5, 6]]);
    exporter.answer(); // the late answer of the first batch
    await settle();
    expect(exporter.batches).toHaveLength(2);
    exporter.answer();
    await settle();
    expect(timeouts).toEqual([3]);
  });

  it('forceFlush hands every waiting record over in batches, calls the exporter forceFlush, and waits for the callbacks', async () => {
    const exporter = new HeldExporter();
    const batcher = new LogBatcher(exporter, config);
    for (let n = 1; n <= 7; n++) batcher.add(record(n));
    let flushed = false;
    const flush = batcher.forceFlush().then(() => {
      flushed = true;
    });
    for (let i = 0; i < 3; i++) {
      await settle();
      expect(flushed).toBe(false);
      exporter.answer();
    }
    await flush;
    expect(exporter.batches).toEqual([[1, 2, 3], [4, 5, 6], [7]]);
    expect(exporter.forceFlushes).toBeGreaterThanOrEqual(3);
    // nothing waiting: still asks the exporter (it may hold acknowledged batches)
    const before = exporter.forceFlushes;
    await batcher.forceFlush();
    expect(exporter.forceFlushes).toBe(before + 1);
  });

  it('an exporter that throws ends that batch; the next one still leaves', async () => {
    const exporter = new HeldExporter();
    const batcher = new LogBatcher(exporter, config);
    exporter.throwNext = true;
    for (let n = 1; n <= 6; n++) batcher.add(record(n));
    await settle();
    expect(exporter.batches).toEqual([[4, 5, 6]]);
  });
});
