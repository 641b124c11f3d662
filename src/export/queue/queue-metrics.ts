import { Counter, Gauge, type Registry } from 'prom-client';

/** Self-metrics of the export queue, declared on the pipeline's registry (once per registry). */
export interface QueueMetrics {
  /** Records waiting for the collector, by tier (memory, disk). */
  queueRecords: Gauge<'tier'>;
  /** Bytes of the disk queue. */
  queueDiskBytes: Gauge;
  /** Records written to the disk queue (spilled from memory, or persisted at shutdown). */
  spilledRecords: Counter;
  /** Records delivered from the queue after at least one failed attempt or from disk, by tier. */
  drainedRecords: Counter<'tier'>;
  /** Export attempts retried after a retryable failure. */
  retries: Counter;
  /** Records the queue gave up on, by reason (disk_full, rejected, retry_expired, corrupt). */
  droppedRecords: Counter<'reason'>;
  /** Disk queue entries (batches) skipped as corrupt at load. */
  corruptEntries: Counter;
}

function counter<L extends string>(registry: Registry, name: string, help: string, labelNames: L[] = []): Counter<L> {
  const existing = registry.getSingleMetric(name);
  return existing instanceof Counter ? (existing as Counter<L>) : new Counter({ name, help, labelNames, registers: [registry] });
}

function gauge<L extends string>(registry: Registry, name: string, help: string, labelNames: L[] = []): Gauge<L> {
  const existing = registry.getSingleMetric(name);
  return existing instanceof Gauge ? (existing as Gauge<L>) : new Gauge({ name, help, labelNames, registers: [registry] });
}

/** The queue metrics on `registry`, created on first use and shared by later callers. */
export function queueMetrics(registry: Registry): QueueMetrics {
  return {
    queueRecords: gauge(registry, 'eventide_export_queue_records', 'Records waiting for the collector, by tier (memory, disk).', ['tier']),
    queueDiskBytes: gauge(registry, 'eventide_export_queue_disk_bytes', 'Bytes in the disk queue.'),
    spilledRecords: counter(registry, 'eventide_export_queue_spilled_records_total', 'Records written to the disk queue.'),
    drainedRecords: counter(registry, 'eventide_export_queue_drained_records_total', 'Records delivered from the queue after a failed attempt, by tier.', ['tier']),
    retries: counter(registry, 'eventide_export_retries_total', 'Export attempts retried after a retryable failure.'),
    droppedRecords: counter(registry, 'eventide_export_dropped_records_total', 'Records the export queue gave up on, by reason.', ['reason']),
    corruptEntries: counter(registry, 'eventide_export_queue_corrupt_entries_total', 'Disk queue entries skipped as corrupt at load.'),
  };
}
