import type { LogRecordExporter, ReadableLogRecord } from '@opentelemetry/sdk-logs';
import type { ExportConfig } from './config.js';

/** The `export.batch` settings. */
type BatchConfig = ExportConfig['batch'];

/**
 * Batches log records for one exporter, with the semantics of the SDK's
 * `BatchLogRecordProcessor` (sdk-logs 0.223.1) that it replaces on eventide's export path:
 *
 * - a batch leaves when `maxExportBatchSize` records are waiting, or `scheduledDelayMillis`
 *   after the first record of a batch arrived (an unref'd timer);
 * - one export at a time: the next batch leaves when the exporter called back for the current
 *   one, or `exportTimeoutMillis` passed (then `onTimeout` is told, and the late callback is ignored);
 * - at most `maxQueueSize` records wait; {@link add} refuses more (the caller counts them);
 * - {@link forceFlush} exports everything waiting in batches, one after the other, calling the
 *   exporter's `forceFlush` after handing each over and once at the end (always: an exporter
 *   that calls back before sending, like the export queue, is waited for too);
 *   {@link shutdown} flushes, then shuts the exporter down and refuses later records.
 *
 * It takes the records as they are (no copy, no validation): the caller builds them.
 */
export class LogBatcher<T extends ReadableLogRecord = ReadableLogRecord> {
  private buffer: T[] = [];
  private current: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private flushing = false;
  private shutdownPromise: Promise<void> | undefined;

  constructor(
    private readonly exporter: LogRecordExporter,
    private readonly config: BatchConfig,
    /** Told when a batch's export did not call back within `exportTimeoutMillis`. */
    private readonly onTimeout: (records: number) => void = () => {},
  ) {}

  /** Queues a record; false when it was refused (queue full or shut down). */
  add(record: T): boolean {
    if (this.shutdownPromise !== undefined || this.buffer.length >= this.config.maxQueueSize) return false;
    this.buffer.push(record);
    this.maybeStart();
    return true;
  }

  /** Records waiting for their batch to leave. */
  waiting(): number {
    return this.buffer.length;
  }

  /** Exports every record added so far and resolves when the exporter called back for all of them. */
  forceFlush(): Promise<void> {
    return this.shutdownPromise ?? this.flushAll();
  }

  /** Flushes, then shuts the exporter down; records added later are refused. Idempotent. */
  shutdown(): Promise<void> {
    this.shutdownPromise ??= (async () => {
      await this.flushAll();
      await this.exporter.shutdown();
    })();
    return this.shutdownPromise;
  }

  private maybeStart(): void {
    if (this.shutdownPromise !== undefined || this.flushing || this.buffer.length === 0 || this.current !== undefined) return;
    if (this.buffer.length >= this.config.maxExportBatchSize) {
      this.exportOne();
      return;
    }
    if (this.timer !== undefined) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.exportOne();
    }, this.config.scheduledDelayMillis);
    this.timer.unref();
  }

  private clearTimer(): void {
    if (this.timer === undefined) return;
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** Takes up to one batch off the buffer. */
  private take(): T[] {
    const size = this.config.maxExportBatchSize;
    if (this.buffer.length <= size) {
      const batch = this.buffer;
      this.buffer = [];
      return batch;
    }
    return this.buffer.splice(0, size);
  }

  private exportOne(): void {
    this.clearTimer();
    if (this.buffer.length === 0) return;
    const done = this.exportWithTimeout(this.take()).then(() => {
      if (this.current === done) this.current = undefined;
      this.maybeStart();
    });
    this.current = done;
  }

  /** Hands `batch` to the exporter; resolves on its callback (whatever the result) or at the timeout. */
  private exportWithTimeout(batch: T[]): Promise<void> {
    return new Promise((resolve) => {
      let settled = false;
      const timer = setTimeout(() => {
        if (settled) return;
        settled = true;
        this.onTimeout(batch.length);
        resolve();
      }, this.config.exportTimeoutMillis);
      const finish = (): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve();
      };
      try {
        this.exporter.export(batch, finish);
      } catch {
        // an exporter that throws has failed this batch; its outcome is the exporter's to report
        finish();
      }
    });
  }

  private async flushAll(): Promise<void> {
    // like the SDK: a flush during a flush returns at once
    if (this.flushing) return;
    this.flushing = true;
    let toFlush = this.buffer;
    this.buffer = [];
    this.clearTimer();
    try {
      const inFlight = this.current;
      if (inFlight !== undefined) {
        await this.exporter.forceFlush();
        await inFlight;
        this.current = undefined;
      }
      while (toFlush.length > 0) {
        const size = this.config.maxExportBatchSize;
        const batch = toFlush.length <= size ? toFlush : toFlush.splice(0, size);
        if (batch === toFlush) toFlush = [];
        const done = this.exportWithTimeout(batch);
        this.current = done;
        await this.exporter.forceFlush();
        await done;
        this.current = undefined;
      }
      // what the exporter still holds (the export queue acknowledges batches before sending
      // them); the SDK only asks when it had a batch in hand, which an early callback can miss
      await this.exporter.forceFlush();
    } finally {
      this.flushing = false;
    }
    this.maybeStart();
  }
}

