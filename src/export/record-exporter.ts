import { resourceFromAttributes, type Resource } from '@opentelemetry/resources';
import type { LogRecordExporter } from '@opentelemetry/sdk-logs';
import { LRUCache } from 'lru-cache';
import type { EventRecord, Finding } from '../model/event.js';
import type { Clock } from '../model/time.js';
import type { Logger } from '../observe/logger.js';
import type { Metrics } from '../observe/metrics.js';
import { SkipReporter } from '../observe/skips.js';
import { AckingExporter, grpcCode, type BatchOutcome, type DeliveryTag, type ExportLogRecord } from './acking-exporter.js';
import { QueueingExporter } from './queue/queueing-exporter.js';
import { queueMetrics } from './queue/queue-metrics.js';
import type { ExportConfig } from './config.js';
import { millisToHrTime } from './flat-record.js';
import { LogBatcher } from './log-batcher.js';
import { eventToLogRecord, findingToLogRecord, type AttributeValue, type MappedRecord } from './mapping.js';
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
  /**
   * Sends an event record. Returns nothing when it was accepted at once, and a promise that
   * resolves once it was accepted while inFlight() >= maxInFlight (the caller waits only then:
   * the common case costs no promise).
   */
  emit(record: EventRecord): void | Promise<void>;
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

/** Namespaces whose Resource is kept; an evicted one is rebuilt on its next record (same attributes). */
export const MAX_NAMESPACE_RESOURCES = 1024;

/** Instrumentation scope name of eventide's records. */
export const SCOPE_NAME = 'eventide';

/** Attributes per record at most, as the SDK's default `attributeCountLimit`; more are dropped and counted in the record. */
export const ATTRIBUTE_COUNT_LIMIT = 128;

/**
 * The plain SDK-shaped log record a mapped record is sent as: what the SDK's `LoggerProvider`
 * would have built, around `attributes` as they are (not copied).
 */
export function toExportLogRecord(
  mapped: MappedRecord,
  resource: Resource,
  instrumentationScope: ExportLogRecord['instrumentationScope'],
  attributes: MappedRecord['attributes'],
  droppedAttributesCount: number,
  tag: DeliveryTag | undefined,
): ExportLogRecord {
  return {
    hrTime: millisToHrTime(mapped.timestampMs),
    hrTimeObserved: millisToHrTime(mapped.observedTimestampMs),
    severityNumber: mapped.severityNumber,
    severityText: mapped.severityText,
    body: mapped.body,
    eventName: mapped.eventName,
    resource,
    instrumentationScope,
    attributes,
    droppedAttributesCount,
    tag,
  };
}

/**
 * The batching core shared by the OTLP and file exporters. Each mapped record becomes a plain
 * SDK-shaped log record ({@link ExportLogRecord}: what the SDK's `LoggerProvider` would have
 * built, without copying the attributes again) and goes to ONE {@link LogBatcher} (the SDK's
 * `BatchLogRecordProcessor` semantics) in front of ONE transport exporter. k8s.namespace.name is
 * a resource attribute and records are grouped into ResourceLogs by Resource object, so each
 * namespace has its own Resource (bounded LRU of {@link MAX_NAMESPACE_RESOURCES}); a batch mixes
 * namespaces and goes out as one request with one ResourceLogs per namespace. The delivery tag
 * (kind, seq) rides on the record object, never in its attributes. Backpressure: a slot is taken
 * per record before it is batched and returned when its batch completes, and
 * maxQueueSize > maxInFlight, so the batch queue never drops.
 */
export class BatchingRecordExporter implements RecordExporter {
  private readonly batcher: LogBatcher<ExportLogRecord>;
  private readonly resources = new LRUCache<string, Resource>({ max: MAX_NAMESPACE_RESOURCES });
  private readonly scope: ExportLogRecord['instrumentationScope'];
  private readonly baseAttributes: Record<string, string>;
  private readonly listeners: ((result: AckResult) => void)[] = [];
  private readonly waiters: (() => void)[] = [];
  private readonly warnedErrors = new Set<string>();
  private readonly skips: SkipReporter;
  private inFlightCount = 0;
  private closed = false;
  /** The queue between the batcher and the transport, when the durable queue is in use. */
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
      this.queue = new QueueingExporter(transport, config, onOutcome, {
        logger,
        clock,
        metrics: queueMetrics(deps.metrics.registry),
        ...(deps.random ? { random: deps.random } : {}),
      });
      exporter = this.queue;
    } else {
      exporter = new AckingExporter(transport, { ...config.retry, deadlineMillis: Math.max(0, config.batch.exportTimeoutMillis - 1000) }, onOutcome);
    }
    this.scope = { name: SCOPE_NAME, version: deps.serviceVersion };
    let timeouts = 0;
    this.batcher = new LogBatcher<ExportLogRecord>(exporter, config.batch, (records) => {
      // the transport has its own request deadline, so this is a stuck exporter: say it once
      if (timeouts++ > 0) return;
      deps.logger.warn(
        { records, exportTimeoutMillis: config.batch.exportTimeoutMillis },
        'an export batch did not complete within batch.exportTimeoutMillis; sending the next one (further timeouts not logged)',
      );
    });
  }

  emit(record: EventRecord): void | Promise<void> {
    const slot = this.acquire();
    if (slot === true) return this.sendEvent(record);
    if (slot === false) return this.skipClosed('event');
    return slot.then((taken) => (taken ? this.sendEvent(record) : this.skipClosed('event')));
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
    return this.batcher.forceFlush();
  }

  async shutdown(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const wake of this.waiters.splice(0)) wake();
    this.queue?.beginShutdown();
    await this.batcher.shutdown();
  }

  /** Resource attributes a record of `namespace` is sent with. */
  resourceAttributes(namespace: string): Record<string, string> {
    return namespace === '' ? { ...this.baseAttributes } : { ...this.baseAttributes, 'k8s.namespace.name': namespace };
  }

  private resourceFor(namespace: string): Resource {
    let resource = this.resources.get(namespace);
    if (!resource) {
      resource = resourceFromAttributes(this.resourceAttributes(namespace));
      this.resources.set(namespace, resource);
    }
    return resource;
  }

  private send(mapped: MappedRecord, tag: DeliveryTag): void {
    let attributes = mapped.attributes;
    let dropped = 0;
    // event records have a fixed set of well-formed keys; a finding carries detector attributes
    if (tag.kind === 'finding') ({ attributes, dropped } = limitAttributes(attributes));
    const record = toExportLogRecord(mapped, this.resourceFor(mapped.namespace), this.scope, attributes, dropped, tag);
    if (!this.batcher.add(record)) {
      // refused (shut down meanwhile): give the slot back, count it
      this.release(1);
      this.skips.skip('export', 'batch_refused', { kind: tag.kind });
    }
  }

  private sendEvent(record: EventRecord): void {
    this.send(eventToLogRecord(record, this.config), { kind: 'event', seq: record.seq });
    this.deps.metrics.eventsExported.inc();
  }

  /**
   * Takes one in-flight slot: true when one was free, false when the exporter is closed, else a
   * promise of the same answer once a slot is handed over (or the exporter closed meanwhile).
   */
  private acquire(): boolean | Promise<boolean> {
    if (this.closed) return false;
    if (this.inFlightCount < this.config.maxInFlight && this.waiters.length === 0) {
      this.setInFlight(this.inFlightCount + 1);
      return true;
    }
    return this.waitForSlot();
  }

  private async waitForSlot(): Promise<boolean> {
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

/**
 * What the SDK's `LogRecordImpl` does to attributes: keys that are empty are dropped, and past
 * {@link ATTRIBUTE_COUNT_LIMIT} attributes the rest are dropped and counted.
 */
function limitAttributes(attributes: Record<string, AttributeValue>): { attributes: Record<string, AttributeValue>; dropped: number } {
  const out: Record<string, AttributeValue> = {};
  let count = 0;
  let dropped = 0;
  for (const [key, value] of Object.entries(attributes)) {
    if (key === '') continue;
    if (count >= ATTRIBUTE_COUNT_LIMIT) {
      dropped++;
      continue;
    }
    out[key] = value;
    count++;
  }
  return { attributes: out, dropped };
}
