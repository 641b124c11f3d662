import { createContextKey, ROOT_CONTEXT, type Context } from '@opentelemetry/api';
import type { Logger as OtelLogger } from '@opentelemetry/api-logs';
import { resourceFromAttributes, type Resource } from '@opentelemetry/resources';
import {
  BatchLogRecordProcessor,
  LoggerProvider,
  type LogRecordExporter,
  type LogRecordProcessor,
  type ReadWriteLogRecord,
} from '@opentelemetry/sdk-logs';
import { LRUCache } from 'lru-cache';
import type { EventRecord, Finding } from '../model/event.js';
import type { Clock } from '../model/time.js';
import type { Logger } from '../observe/logger.js';
import type { Metrics } from '../observe/metrics.js';
import { SkipReporter } from '../observe/skips.js';
import { AckingExporter, grpcCode, type BatchOutcome, type DeliveryTag } from './acking-exporter.js';
import { QueueingExporter } from './queue/queueing-exporter.js';
import { queueMetrics } from './queue/queue-metrics.js';
import type { ExportConfig } from './config.js';
import { millisToHrTime } from './flat-record.js';
import { eventToLogRecord, findingToLogRecord, type MappedRecord } from './mapping.js';
import { baseResourceAttributes } from './otlp-settings.js';

/** Result given to ack listeners after each export batch. */
export interface AckResult {
  /** Seqs of the event records in the batch. */
  seqs: number[];
  /** False when the batch failed after retries: those records did not reach the collector. */
  ok: boolean;
  /**
   * True when the batch was acknowledged by the disk queue, not (yet) by the collector: it is
   * durable and delivered later, also after a restart (a readiness check may treat it as an outage).
   */
  queued?: boolean;
}

/** What every record exporter offers the pipeline. */
export interface RecordExporter {
  /** Sends an event record; resolves once accepted, waiting while inFlight() >= maxInFlight. */
  emit(record: EventRecord): Promise<void>;
  /** Sends an anomaly record; same backpressure as {@link emit}. */
  emitFinding(finding: Finding): Promise<void>;
  /** Registers a listener called after every export batch. */
  onAck(listener: (result: AckResult) => void): void;
  /** Records emitted and not yet acknowledged (successfully or not). */
  inFlight(): number;
  /** Exports everything queued and waits for the outcome. */
  forceFlush(): Promise<void>;
  /** Flushes, then closes the transport; later emits are skipped and counted. */
  shutdown(): Promise<void>;
}

/** Dependencies of a record exporter. */
export interface RecordExporterDeps {
  logger: Logger;
  metrics: Metrics;
  clock: Clock;
  /** service.version resource attribute (package.json version). */
  serviceVersion: string;
  /** Environment read for OTEL_* variables. Default process.env. */
  env?: NodeJS.ProcessEnv;
  /** Random numbers in [0, 1) for retry jitter. Default Math.random. */
  random?: () => number;
}

/** Options of the batching core chosen by each concrete exporter. */
export interface BatchingOptions {
  /** Use the memory + disk queue (when `config.queue.enabled`): for transports that can be unreachable. Default false. */
  durableQueue?: boolean;
}

/** Namespaces whose LoggerProvider is kept; an evicted one is rebuilt on its next record (same attributes). */
export const MAX_NAMESPACE_PROVIDERS = 1024;

/** Instrumentation scope name of eventide's records. */
export const SCOPE_NAME = 'eventide';

const DELIVERY_TAG = createContextKey('eventide.export.delivery');

/** Remembers each SDK record's delivery tag (from the emit context) before batching it. */
class TaggingProcessor implements LogRecordProcessor {
  /** Records that reached this processor: lets emit() see whether the SDK accepted its record. */
  accepted = 0;

  constructor(
    private readonly tags: WeakMap<object, DeliveryTag>,
    private readonly inner: LogRecordProcessor,
  ) {}

  onEmit(logRecord: ReadWriteLogRecord, context?: Context): void {
    const tag = context?.getValue(DELIVERY_TAG) as DeliveryTag | undefined;
    if (tag) this.tags.set(logRecord, tag);
    this.accepted++;
    this.inner.onEmit(logRecord, context);
  }

  forceFlush(): Promise<void> {
    return this.inner.forceFlush();
  }

  shutdown(): Promise<void> {
    return this.inner.shutdown();
  }
}

/**
 * The batching core shared by the OTLP and file exporters. k8s.namespace.name is a resource
 * attribute, and the SDK groups records into ResourceLogs by Resource object, so each namespace
 * gets its own LoggerProvider (bounded LRU of {@link MAX_NAMESPACE_PROVIDERS}) with its own
 * Resource; all of them share ONE tagging + batch processor and ONE transport exporter, so a
 * batch mixes namespaces and goes out as one request with one ResourceLogs per namespace.
 * Backpressure: a slot is taken per record before it enters the SDK and returned when its batch
 * completes, and maxQueueSize > maxInFlight, so the SDK queue never drops.
 */
export class BatchingRecordExporter implements RecordExporter {
  private readonly tags = new WeakMap<object, DeliveryTag>();
  private readonly processor: TaggingProcessor;
  private readonly loggers = new LRUCache<string, OtelLogger>({ max: MAX_NAMESPACE_PROVIDERS });
  private readonly baseAttributes: Record<string, string>;
  private readonly listeners: ((result: AckResult) => void)[] = [];
  private readonly waiters: (() => void)[] = [];
  private readonly warnedErrors = new Set<string>();
  private readonly skips: SkipReporter;
  private inFlightCount = 0;
  private closed = false;
  /** The queue between the SDK and the transport, when the durable queue is in use. */
  protected readonly queue: QueueingExporter | undefined;

  constructor(
    private readonly config: ExportConfig,
    private readonly deps: RecordExporterDeps,
    transport: LogRecordExporter,
    options: BatchingOptions = {},
  ) {
    this.skips = new SkipReporter(deps.logger, deps.metrics);
    this.baseAttributes = baseResourceAttributes(config, deps.serviceVersion, deps.env ?? process.env);
    const onOutcome = (outcome: BatchOutcome): void => this.onBatch(outcome);
    let exporter: LogRecordExporter;
    if (options.durableQueue && config.queue.enabled) {
      const { logger, clock } = deps;
      this.queue = new QueueingExporter(transport, this.tags, config, onOutcome, {
        logger,
        clock,
        metrics: queueMetrics(deps.metrics.registry),
        ...(deps.random ? { random: deps.random } : {}),
      });
      exporter = this.queue;
    } else {
      exporter = new AckingExporter(transport, this.tags, { ...config.retry, deadlineMillis: Math.max(0, config.batch.exportTimeoutMillis - 1000) }, onOutcome);
    }
    const batch = new BatchLogRecordProcessor({
      exporter,
      maxExportBatchSize: config.batch.maxExportBatchSize,
      scheduledDelayMillis: config.batch.scheduledDelayMillis,
      exportTimeoutMillis: config.batch.exportTimeoutMillis,
      maxQueueSize: config.batch.maxQueueSize,
    });
    this.processor = new TaggingProcessor(this.tags, batch);
  }

  async emit(record: EventRecord): Promise<void> {
    if (!(await this.acquire())) return this.skipClosed('event');
    this.send(eventToLogRecord(record, this.config), { kind: 'event', seq: record.seq });
    this.deps.metrics.eventsExported.inc();
  }

  async emitFinding(finding: Finding): Promise<void> {
    if (!(await this.acquire())) return this.skipClosed('finding');
    this.send(findingToLogRecord(finding, { clusterName: this.config.clusterName, observedTimeMs: this.deps.clock.now() }), { kind: 'finding' });
  }

  onAck(listener: (result: AckResult) => void): void {
    this.listeners.push(listener);
  }

  inFlight(): number {
    return this.inFlightCount;
  }

  forceFlush(): Promise<void> {
    return this.processor.forceFlush();
  }

  async shutdown(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const wake of this.waiters.splice(0)) wake();
    this.queue?.beginShutdown();
    await this.processor.shutdown();
  }

  /** Resource attributes a record of `namespace` is sent with. */
  resourceAttributes(namespace: string): Record<string, string> {
    return namespace === '' ? { ...this.baseAttributes } : { ...this.baseAttributes, 'k8s.namespace.name': namespace };
  }

  private loggerFor(namespace: string): OtelLogger {
    let logger = this.loggers.get(namespace);
    if (!logger) {
      const resource: Resource = resourceFromAttributes(this.resourceAttributes(namespace));
      const provider = new LoggerProvider({ resource, processors: [this.processor] });
      logger = provider.getLogger(SCOPE_NAME, this.deps.serviceVersion);
      this.loggers.set(namespace, logger);
    }
    return logger;
  }

  private send(mapped: MappedRecord, tag: DeliveryTag): void {
    const before = this.processor.accepted;
    this.loggerFor(mapped.namespace).emit({
      timestamp: millisToHrTime(mapped.timestampMs),
      observedTimestamp: millisToHrTime(mapped.observedTimestampMs),
      severityNumber: mapped.severityNumber,
      severityText: mapped.severityText,
      body: mapped.body,
      ...(mapped.eventName !== undefined ? { eventName: mapped.eventName } : {}),
      attributes: mapped.attributes,
      context: ROOT_CONTEXT.setValue(DELIVERY_TAG, tag),
    });
    if (this.processor.accepted === before) {
      // the SDK refused the record (provider shut down): give the slot back, count it
      this.release(1);
      this.skips.skip('export', 'sdk_refused', { kind: tag.kind });
    }
  }

  /** Takes one in-flight slot, waiting while none is free; false when the exporter closed meanwhile. */
  private async acquire(): Promise<boolean> {
    if (this.closed) return false;
    if (this.inFlightCount < this.config.maxInFlight && this.waiters.length === 0) {
      this.setInFlight(this.inFlightCount + 1);
      return true;
    }
    const startedMs = this.deps.clock.now();
    await new Promise<void>((resolve) => this.waiters.push(resolve));
    this.deps.metrics.backpressureSeconds.inc(Math.max(0, this.deps.clock.now() - startedMs) / 1000);
    return !this.closed; // release() handed this waiter its slot already
  }

  private release(count: number): void {
    let inFlight = Math.max(0, this.inFlightCount - count);
    while (this.waiters.length > 0 && inFlight < this.config.maxInFlight && !this.closed) {
      inFlight++;
      this.waiters.shift()?.();
    }
    this.setInFlight(inFlight);
  }

  private setInFlight(value: number): void {
    this.inFlightCount = value;
    this.deps.metrics.exportInFlight.set(value);
  }

  private skipClosed(kind: string): void {
    this.skips.skip('export', 'shutdown', { kind });
  }

  private onBatch(outcome: BatchOutcome): void {
    const { metrics, logger } = this.deps;
    metrics.exportBatches.inc({ result: outcome.ok ? (outcome.queued ? 'queued' : 'success') : 'failure' });
    if (outcome.ok) {
      // a batch on the disk queue is counted as acked when the collector takes it (drained_records)
      if (!outcome.queued && outcome.counts.event > 0) metrics.recordsAcked.inc({ kind: 'event' }, outcome.counts.event);
      if (!outcome.queued && outcome.counts.finding > 0) metrics.recordsAcked.inc({ kind: 'finding' }, outcome.counts.finding);
    } else {
      const code = grpcCode(outcome.error);
      const kind = code !== undefined ? `grpc_${code}` : outcome.error instanceof Error ? outcome.error.name : 'unknown';
      if (!this.warnedErrors.has(kind)) {
        this.warnedErrors.add(kind);
        const message = outcome.error instanceof Error ? outcome.error.message : String(outcome.error);
        logger.warn(
          { kind, error: message, records: outcome.counts.event + outcome.counts.finding },
          'export batch failed after retries; its records are reported not acknowledged (further failures of this kind only counted)',
        );
      }
    }
    this.release(outcome.counts.event + outcome.counts.finding);
    const result: AckResult = outcome.queued ? { seqs: outcome.seqs, ok: outcome.ok, queued: true } : { seqs: outcome.seqs, ok: outcome.ok };
    for (const listener of this.listeners) {
      try {
        listener(result);
      } catch (error) {
        logger.error({ error: error instanceof Error ? error.message : String(error) }, 'export ack listener threw');
      }
    }
  }
}
