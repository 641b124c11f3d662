import { existsSync, readdirSync } from 'node:fs';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import type { LogRecordExporter, ReadableLogRecord } from '@opentelemetry/sdk-logs';
import type { Clock } from '../../model/time.js';
import type { Logger } from '../../observe/logger.js';
import { describeBatch, exportOnce, grpcCode, isRetryable, type BatchOutcome } from '../acking-exporter.js';
import type { ExportConfig } from '../config.js';
import { fullJitterBackoffMillis } from './backoff.js';
import { DiskQueue, type DiskQueueEntry, type DroppedEntries } from './disk-queue.js';
import type { QueueMetrics } from './queue-metrics.js';
import { decodeBatch, encodeBatch } from './record-codec.js';

/** Settings of a {@link QueueingExporter} (the `export` config fields it reads). */
export type QueueingSettings = Pick<ExportConfig, 'queue' | 'retry' | 'shutdownTimeoutMillis'>;

/** Dependencies of a {@link QueueingExporter}. */
export interface QueueingDeps {
  clock: Clock;
  logger: Logger;
  metrics: QueueMetrics;
  /** Random numbers in [0, 1) for the backoff jitter. Default Math.random. */
  random?: () => number;
}

/** A batch waiting in memory: not acknowledged yet, so it holds its records' in-flight slots. */
interface MemoryBatch {
  logs: ReadableLogRecord[];
  outcome: Pick<BatchOutcome, 'seqs' | 'counts'>;
  /** Set when the batch was written to disk (at a flush) while an attempt to send it was under way. */
  spilled: boolean;
}

type Head = { tier: 'memory'; batch: MemoryBatch; logs: ReadableLogRecord[] } | { tier: 'disk'; entry: DiskQueueEntry; logs: ReadableLogRecord[] };

const POLL_MILLIS = 20;

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * A LogRecordExporter that never gives up on a collector outage. Each batch the batcher hands over
 * is queued at once (the batcher's callback succeeds) and delivered from the queue: while the
 * collector takes batches, by up to `queue.numConsumers` requests at once (as the Collector's
 * `sending_queue.num_consumers`), else by ONE sender, in order:
 *
 * - in memory while the disk queue is empty and either the collector is taking batches (memory
 *   then bounded by the exporter's maxInFlight) or the memory holds fewer than
 *   `queue.maxMemoryRecords` (one batch always fits); these batches are acknowledged
 *   (`onOutcome`) only when the collector took them, so their in-flight slots hold the
 *   pipeline back (backpressure) and a crash re-reads them from the checkpoint;
 * - otherwise on disk ({@link DiskQueue}): such a batch is acknowledged `ok: true, queued: true`
 *   once written and synced, so the checkpoint moves past it and the disk queue (reloaded at
 *   start, drained first) delivers it, also after kill -9.
 *
 * A retryable failure (UNAVAILABLE, DEADLINE_EXCEEDED, ...) is retried with exponential backoff
 * and full jitter, without an attempt limit unless `retry.maxElapsedMillis` is set; other
 * failures end the batch (`ok: false` for a memory batch; counted `rejected` for a disk one).
 * On the disk cap the oldest batches are dropped, counted and logged once per episode.
 */
export class QueueingExporter implements LogRecordExporter {
  private readonly memory: MemoryBatch[] = [];
  private memoryRecords = 0;
  private disk: DiskQueue | undefined;
  private diskUnavailable = false;
  private diskHead: { entry: DiskQueueEntry; logs: ReadableLogRecord[] } | undefined;
  private healthy = true;
  private retry = 0;
  private headFailingSinceMs: number | undefined;
  private outageStartedMs: number | undefined;
  private diskFullEpisode = false;
  private readonly warned = new Set<string>();
  private stopped = false;
  private wakeIdle: (() => void) | undefined;
  private wakeSleep: (() => void) | undefined;
  private readonly running: Promise<void>;
  private shutdownDeadlineMs: number | undefined;
  private readonly random: () => number;

  constructor(
    private readonly inner: LogRecordExporter,
    private readonly settings: QueueingSettings,
    private readonly onOutcome: (outcome: BatchOutcome) => void,
    private readonly deps: QueueingDeps,
  ) {
    this.random = deps.random ?? Math.random;
    // a previous run left batches: open now and deliver them first; otherwise open on the first spill
    if (hasSegments(settings.queue.directory)) this.openDisk();
    this.running = this.run().catch((error: unknown) => {
      deps.logger.error({ error: errorText(error) }, 'export queue sender stopped unexpectedly; queued batches stay on disk for the next start');
    });
  }

  /** Records waiting in memory. */
  memoryDepth(): number {
    return this.memoryRecords;
  }

  /** Records waiting on disk. */
  diskDepth(): number {
    return this.disk?.records ?? 0;
  }

  export(logs: ReadableLogRecord[], resultCallback: (result: ExportResult) => void): void {
    if (this.stopped) {
      resultCallback({ code: ExportResultCode.FAILED, error: new Error('export queue is shut down') });
      return;
    }
    const batch: MemoryBatch = { logs, outcome: describeBatch(logs), spilled: false };
    const overCap = this.memory.length > 0 && this.memoryRecords + logs.length > this.settings.queue.maxMemoryRecords;
    // to disk while the collector is failing (or anything is on disk already, to keep the order);
    // a burst the collector is taking stays in memory, bounded by maxInFlight
    const toDisk = this.diskDepthEntries() > 0 || (overCap && !this.healthy);
    if (!toDisk || !this.spill([batch], 'append')) this.pushMemory(batch);
    this.updateGauges();
    this.wakeIdle?.();
    resultCallback({ code: ExportResultCode.SUCCESS });
  }

  /** Sets the deadline every following flush and the shutdown share (`shutdownTimeoutMillis` from now). */
  beginShutdown(): void {
    this.shutdownDeadlineMs ??= this.deps.clock.now() + this.settings.shutdownTimeoutMillis;
  }

  /**
   * Resolves when every batch handed over so far is acknowledged and, while the collector keeps
   * taking batches, the disk queue is drained too: when the collector fails (or
   * `shutdownTimeoutMillis` passes) what is left in memory is written to the disk queue instead,
   * to be delivered later (also by the next start).
   */
  async forceFlush(): Promise<void> {
    const deadline = this.shutdownDeadlineMs ?? this.deps.clock.now() + this.settings.shutdownTimeoutMillis;
    while ((this.memory.length > 0 || this.diskDepthEntries() > 0) && !this.stopped) {
      if (!this.healthy || this.deps.clock.now() >= deadline) {
        this.spillMemory();
        break;
      }
      await delay(POLL_MILLIS);
    }
    await this.inner.forceFlush();
  }

  /** Flushes (see {@link forceFlush}), stops the sender, persists what is left in memory, closes. */
  async shutdown(): Promise<void> {
    if (this.stopped) return;
    this.beginShutdown();
    await this.forceFlush();
    this.stopped = true;
    this.spillMemory();
    this.wakeIdle?.();
    this.wakeSleep?.();
    const remaining = Math.max(0, (this.shutdownDeadlineMs ?? 0) - this.deps.clock.now());
    await Promise.race([this.running, delay(Math.min(remaining, 1000))]);
    this.disk?.close();
    await this.inner.shutdown();
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      const head = this.head();
      if (!head) {
        await new Promise<void>((resolve) => (this.wakeIdle = resolve));
        this.wakeIdle = undefined;
        continue;
      }
      if (head.tier === 'memory' && this.healthy && this.diskDepthEntries() === 0 && this.settings.queue.numConsumers > 1) {
        await this.sendConcurrently();
        continue;
      }
      const result = await exportOnce(this.inner, head.logs);
      if (this.stopped || (head.tier === 'memory' && head.batch.spilled)) continue; // persisted meanwhile: its disk copy is sent later
      if (result.code === ExportResultCode.SUCCESS) this.delivered(head);
      else if (isRetryable(result.error)) await this.failed(head, result.error);
      else this.rejected(head, result.error, 'rejected');
      this.updateGauges();
    }
  }

  /**
   * While the collector takes batches and nothing waits on disk: up to `queue.numConsumers`
   * memory batches in flight, oldest first, each settled as its answer comes (so batches can
   * reach the collector out of order; the checkpoint still only moves over records acknowledged
   * without a gap). Returns when nothing is left to send, or after a retryable failure once the
   * other requests have answered: the failed batch then heads the queue for the one-at-a-time
   * retry path.
   */
  private async sendConcurrently(): Promise<void> {
    const inFlight = new Map<MemoryBatch, Promise<void>>();
    let failure: { batch: MemoryBatch; error: unknown } | undefined;
    const send = (batch: MemoryBatch): void => {
      const answered = exportOnce(this.inner, batch.logs).then((result) => {
        inFlight.delete(batch);
        if (this.stopped || batch.spilled) return; // persisted meanwhile: its disk copy is sent later
        const head: Head = { tier: 'memory', batch, logs: batch.logs };
        if (result.code === ExportResultCode.SUCCESS) this.delivered(head);
        else if (isRetryable(result.error)) failure ??= { batch, error: result.error };
        else this.rejected(head, result.error, 'rejected');
        this.updateGauges();
      });
      inFlight.set(batch, answered);
    };
    // the caller checked the same conditions, so the first pass sends the head at least
    for (;;) {
      if (!this.stopped && failure === undefined && this.healthy && this.diskDepthEntries() === 0) {
        for (const batch of this.memory) {
          if (inFlight.size >= this.settings.queue.numConsumers) break;
          if (!inFlight.has(batch)) send(batch);
        }
      }
      if (inFlight.size === 0) break;
      // an answer, or a new batch that may take a free consumer
      await Promise.race([...inFlight.values(), new Promise<void>((resolve) => (this.wakeIdle = resolve))]);
      this.wakeIdle = undefined;
    }
    const failed = failure;
    if (failed && !this.stopped && this.memory.includes(failed.batch)) await this.failed({ tier: 'memory', batch: failed.batch, logs: failed.batch.logs }, failed.error);
  }

  private head(): Head | undefined {
    const batch = this.memory[0];
    if (batch) return { tier: 'memory', batch, logs: batch.logs };
    while (this.disk && this.disk.entries > 0) {
      if (this.diskHead) return { tier: 'disk', ...this.diskHead };
      let peeked: ReturnType<DiskQueue['peek']>;
      try {
        peeked = this.disk.peek();
      } catch (error) {
        this.warnOnce('disk_read', { error: errorText(error) }, 'cannot read the export disk queue; the stuck entry is skipped and counted');
        this.dropDiskHead('corrupt');
        continue;
      }
      if (!peeked) return undefined;
      try {
        this.diskHead = { entry: peeked.entry, logs: decodeBatch(peeked.payload) };
      } catch (error) {
        this.warnOnce('disk_decode', { error: errorText(error) }, 'an export disk queue entry cannot be decoded; skipped and counted');
        this.dropDiskHead('corrupt');
      }
    }
    return undefined;
  }

  private delivered(head: Head): void {
    if (this.retry > 0 || head.tier === 'disk') this.deps.metrics.drainedRecords.inc({ tier: head.tier }, head.logs.length);
    this.removeHead(head);
    if (head.tier === 'memory') this.onOutcome({ ...head.batch.outcome, ok: true });
    this.retry = 0;
    this.headFailingSinceMs = undefined;
    if (!this.healthy) {
      this.healthy = true;
      this.warned.delete('outage');
      this.deps.logger.info(
        { outageMillis: this.deps.clock.now() - (this.outageStartedMs ?? this.deps.clock.now()), queuedOnDisk: this.diskDepth(), queuedInMemory: this.memoryRecords },
        'collector reachable again; draining the export queue in order',
      );
    }
  }

  private async failed(head: Head, error: unknown): Promise<void> {
    const now = this.deps.clock.now();
    if (this.healthy) {
      this.healthy = false;
      this.outageStartedMs = now;
      this.warnOnce('outage', { code: grpcCode(error), error: errorText(error) }, 'collector unavailable; queueing records (memory, then disk) and retrying with backoff');
      this.trimMemory();
    }
    this.headFailingSinceMs ??= now;
    const { maxElapsedMillis, initialBackoffMillis, maxBackoffMillis } = this.settings.retry;
    if (maxElapsedMillis > 0 && now - this.headFailingSinceMs >= maxElapsedMillis) {
      this.rejected(head, error, 'retry_expired');
      return;
    }
    this.deps.metrics.retries.inc();
    const wait = fullJitterBackoffMillis(this.retry++, initialBackoffMillis, maxBackoffMillis, this.random);
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, wait);
      this.wakeSleep = () => {
        clearTimeout(timer);
        resolve();
      };
    });
    this.wakeSleep = undefined;
  }

  /** Ends a batch the collector will not take: ok:false for a memory batch, counted for a disk one. */
  private rejected(head: Head, error: unknown, reason: 'rejected' | 'retry_expired'): void {
    this.removeHead(head);
    this.retry = 0;
    this.headFailingSinceMs = undefined;
    if (head.tier === 'memory') {
      if (reason === 'retry_expired') this.deps.metrics.droppedRecords.inc({ reason }, head.logs.length);
      this.onOutcome({ ...head.batch.outcome, ok: false, error });
      return;
    }
    this.deps.metrics.droppedRecords.inc({ reason }, head.logs.length);
    this.warnOnce(`disk_${reason}`, { code: grpcCode(error), error: errorText(error), records: head.logs.length }, 'a batch from the export disk queue was given up (further ones only counted)');
  }

  private removeHead(head: Head): void {
    if (head.tier === 'memory') {
      // the head, or with several consumers any batch in flight
      const at = this.memory.indexOf(head.batch);
      if (at >= 0) {
        this.memory.splice(at, 1);
        this.memoryRecords -= head.batch.logs.length;
      }
      return;
    }
    this.diskHead = undefined;
    this.disk?.shift(head.entry);
    if (this.disk?.entries === 0) this.diskFullEpisode = false;
  }

  private dropDiskHead(reason: string): void {
    this.diskHead = undefined;
    if (!this.disk) return;
    const dropped = this.disk.dropOldest();
    this.deps.metrics.droppedRecords.inc({ reason }, dropped.records);
  }

  /**
   * Moves the newest memory batches past `maxMemoryRecords` to the disk queue (acknowledged as
   * queued): what piled up while a failing request was still waiting for its answer, so the
   * pipeline is not held back for the whole outage. Only while the disk queue is empty (order).
   */
  private trimMemory(): void {
    const cap = this.settings.queue.maxMemoryRecords;
    if (this.memoryRecords <= cap || this.diskDepthEntries() > 0) return;
    let kept = 0;
    let keep = 0;
    for (const batch of this.memory) {
      if (keep > 0 && kept + batch.logs.length > cap) break;
      kept += batch.logs.length;
      keep++;
    }
    const moved = this.memory.slice(keep);
    if (moved.length > 0 && this.spill(moved, 'append')) {
      this.memory.length = keep;
      this.memoryRecords = kept;
    }
  }

  private pushMemory(batch: MemoryBatch): void {
    this.memory.push(batch);
    this.memoryRecords += batch.logs.length;
  }

  private diskDepthEntries(): number {
    return this.disk?.entries ?? 0;
  }

  /** Persists every memory batch IN FRONT of the disk queue (they are older) and acknowledges it. */
  private spillMemory(): void {
    if (this.memory.length === 0) return;
    const batches = this.memory.splice(0);
    this.memoryRecords = 0;
    for (const batch of batches) batch.spilled = true;
    if (!this.spill(batches, 'prepend')) {
      // no disk: these records are lost to this run; ok:false keeps the checkpoint behind them
      for (const batch of batches) this.onOutcome({ ...batch.outcome, ok: false, error: new Error('export queue: collector unavailable and no disk queue') });
    }
    this.updateGauges();
  }

  /** Writes batches to the disk queue and acknowledges them as queued; false when the disk queue cannot be used. */
  private spill(batches: MemoryBatch[], where: 'append' | 'prepend'): boolean {
    const disk = this.openDisk();
    if (!disk) return false;
    const dropped: DroppedEntries = { entries: 0, records: 0, bytes: 0 };
    try {
      if (where === 'prepend') {
        this.diskHead = undefined; // the head changes
        add(dropped, disk.prepend(batches.map((b) => ({ payload: encodeBatch(b.logs), records: b.logs.length }))));
      } else {
        for (const batch of batches) {
          const more = disk.append(encodeBatch(batch.logs), batch.logs.length);
          if (more.entries > 0) this.diskHead = undefined; // the head may have been dropped
          add(dropped, more);
        }
      }
    } catch (error) {
      this.warnOnce('disk_write', { directory: this.settings.queue.directory, error: errorText(error) }, 'cannot write the export disk queue; batches wait in memory (bounded by maxInFlight)');
      return false;
    }
    const records = batches.reduce((sum, b) => sum + b.logs.length, 0);
    this.deps.metrics.spilledRecords.inc(records);
    if (dropped.records > 0) {
      this.deps.metrics.droppedRecords.inc({ reason: 'disk_full' }, dropped.records);
      if (!this.diskFullEpisode) {
        this.diskFullEpisode = true;
        this.deps.logger.warn(
          { maxDiskBytes: this.settings.queue.maxDiskBytes, droppedRecords: dropped.records },
          'export disk queue full: dropping the oldest queued records (counted in eventide_export_dropped_records_total{reason="disk_full"}; logged again after the queue empties)',
        );
      }
    }
    for (const batch of batches) this.onOutcome({ ...batch.outcome, ok: true, queued: true });
    return true;
  }

  private openDisk(): DiskQueue | undefined {
    if (this.disk || this.diskUnavailable) return this.disk;
    const { directory, maxDiskBytes, segmentBytes } = this.settings.queue;
    try {
      this.disk = DiskQueue.open({ directory, maxBytes: maxDiskBytes, segmentBytes });
    } catch (error) {
      this.diskUnavailable = true;
      this.deps.logger.warn({ directory, error: errorText(error) }, 'export disk queue unavailable; undeliverable batches wait in memory only (bounded by maxInFlight)');
      return undefined;
    }
    const loaded = this.disk.loaded;
    if (loaded.corruptEntries > 0) {
      this.deps.metrics.corruptEntries.inc(loaded.corruptEntries);
      this.deps.metrics.droppedRecords.inc({ reason: 'corrupt' }, loaded.corruptRecords);
      this.deps.logger.warn({ directory, corruptEntries: loaded.corruptEntries, records: loaded.corruptRecords }, 'export disk queue: skipped corrupt entries (e.g. cut short by a crash)');
    }
    if (loaded.entries > 0) {
      this.deps.logger.info({ directory, records: loaded.records, bytes: loaded.bytes }, 'export disk queue from the previous run: delivering it first');
    }
    this.updateGauges();
    return this.disk;
  }

  private updateGauges(): void {
    const { metrics } = this.deps;
    metrics.queueRecords.set({ tier: 'memory' }, this.memoryRecords);
    metrics.queueRecords.set({ tier: 'disk' }, this.disk?.records ?? 0);
    metrics.queueDiskBytes.set(this.disk?.bytes ?? 0);
  }

  private warnOnce(kind: string, fields: Record<string, unknown>, message: string): void {
    if (this.warned.has(kind)) return;
    this.warned.add(kind);
    this.deps.logger.warn(fields, message);
  }
}

function add(total: DroppedEntries, more: DroppedEntries): void {
  total.entries += more.entries;
  total.records += more.records;
  total.bytes += more.bytes;
}

/** True when `directory` holds disk queue segments (a previous run left batches). */
function hasSegments(directory: string): boolean {
  try {
    return existsSync(directory) && readdirSync(directory).some((name) => name.endsWith('.seg'));
  } catch {
    return false;
  }
}
