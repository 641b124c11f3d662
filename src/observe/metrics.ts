import { Counter, Gauge, Histogram, Registry } from 'prom-client';

/**
 * eventide's self-metrics, declared up front in one place. Each pipeline instance owns a
 * Registry (so tests stay isolated); `/metrics` serves it.
 */
export interface Metrics {
  registry: Registry;
  /** Watch/list deliveries received, by API and watch type (ADDED, MODIFIED, LIST). */
  eventsReceived: Counter<'api' | 'type'>;
  /** Event records handed to the exporter. */
  eventsExported: Counter;
  /** Records acknowledged by the collector. */
  recordsAcked: Counter<'kind'>;
  /** Events skipped, by stage and reason: nothing is dropped without landing here. */
  eventsSkipped: Counter<'stage' | 'reason'>;
  /** Deliveries not exported again because they were already exported (relist, duplicate, throttled-then-coalesced). */
  eventsDeduplicated: Counter<'reason'>;
  /** Notes truncated to the configured maximum. */
  notesTruncated: Counter;
  /** Events classified, by category and severity. */
  eventsClassified: Counter<'category' | 'severity'>;
  /** Fields masked by the redactor, by rule. */
  redactions: Counter<'rule'>;
  /** Export batches by result (success, failure). */
  exportBatches: Counter<'result'>;
  /** Records emitted but not yet acknowledged. */
  exportInFlight: Gauge;
  /** Time the source waited for export capacity (backpressure), seconds. */
  backpressureSeconds: Counter;
  /** Watch (re)starts by reason (start, closed, error, gone, idle). */
  watchRestarts: Counter<'reason'>;
  /** Full relists (start, 410 Gone). */
  relists: Counter<'reason'>;
  /** 1 while the watch is established, 0 otherwise. */
  sourceUp: Gauge;
  /** Open incident groups in the correlator. */
  incidentsOpen: Gauge;
  /** Findings emitted, by detector and kind. */
  findings: Counter<'detector' | 'kind'>;
  /** Latest anomaly score by detector and key (alert on >= 1). */
  anomalyScore: Gauge<'detector' | 'key'>;
  /** Enrichment lookups by result (hit, miss, error). */
  enrichLookups: Counter<'result'>;
  /** Pipeline latency from receipt to export hand-off, seconds. */
  pipelineSeconds: Histogram;
  /** Checkpoint saves by kind (snapshot: the whole checkpoint; append: a journal line) and result (ok, error). */
  checkpointSaves: Counter<'kind' | 'result'>;
  /** Duration of successful checkpoint saves by kind, seconds. */
  checkpointSaveSeconds: Histogram<'kind'>;
  /** Wall-clock time of the last successful checkpoint save, epoch seconds (0 before the first). */
  checkpointLastSave: Gauge;
}

/** Creates the metric set on a fresh registry (or the given one). */
export function createMetrics(registry: Registry = new Registry()): Metrics {
  const r = [registry];
  return {
    registry,
    eventsReceived: new Counter({ name: 'eventide_events_received_total', help: 'Event deliveries received from the source.', labelNames: ['api', 'type'], registers: r }),
    eventsExported: new Counter({ name: 'eventide_events_exported_total', help: 'Event records handed to the exporter.', registers: r }),
    recordsAcked: new Counter({ name: 'eventide_records_acked_total', help: 'Records acknowledged by the collector.', labelNames: ['kind'], registers: r }),
    eventsSkipped: new Counter({ name: 'eventide_events_skipped_total', help: 'Events skipped, by stage and reason.', labelNames: ['stage', 'reason'], registers: r }),
    eventsDeduplicated: new Counter({ name: 'eventide_events_deduplicated_total', help: 'Deliveries not exported again (already exported).', labelNames: ['reason'], registers: r }),
    notesTruncated: new Counter({ name: 'eventide_notes_truncated_total', help: 'Notes cut to the maximum length.', registers: r }),
    eventsClassified: new Counter({ name: 'eventide_events_classified_total', help: 'Events classified by category and severity.', labelNames: ['category', 'severity'], registers: r }),
    redactions: new Counter({ name: 'eventide_redactions_total', help: 'Masked matches by redaction rule.', labelNames: ['rule'], registers: r }),
    exportBatches: new Counter({ name: 'eventide_export_batches_total', help: 'OTLP export batches by result.', labelNames: ['result'], registers: r }),
    exportInFlight: new Gauge({ name: 'eventide_export_in_flight', help: 'Records emitted and not yet acknowledged.', registers: r }),
    backpressureSeconds: new Counter({ name: 'eventide_backpressure_seconds_total', help: 'Seconds the source waited for export capacity.', registers: r }),
    watchRestarts: new Counter({ name: 'eventide_watch_restarts_total', help: 'Watch (re)starts by reason.', labelNames: ['reason'], registers: r }),
    relists: new Counter({ name: 'eventide_relists_total', help: 'Full relists by reason.', labelNames: ['reason'], registers: r }),
    sourceUp: new Gauge({ name: 'eventide_source_up', help: '1 while the watch is established.', registers: r }),
    incidentsOpen: new Gauge({ name: 'eventide_incidents_open', help: 'Open incident groups.', registers: r }),
    findings: new Counter({ name: 'eventide_findings_total', help: 'Findings by detector and kind.', labelNames: ['detector', 'kind'], registers: r }),
    anomalyScore: new Gauge({ name: 'eventide_anomaly_score', help: 'Latest anomaly score by detector and key (>= 1 is anomalous).', labelNames: ['detector', 'key'], registers: r }),
    enrichLookups: new Counter({ name: 'eventide_enrich_lookups_total', help: 'Enrichment lookups by result.', labelNames: ['result'], registers: r }),
    pipelineSeconds: new Histogram({ name: 'eventide_pipeline_seconds', help: 'Receipt to export hand-off.', buckets: [0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1], registers: r }),
    checkpointSaves: new Counter({ name: 'eventide_checkpoint_saves_total', help: 'Checkpoint saves by kind (snapshot, append) and result.', labelNames: ['kind', 'result'], registers: r }),
    checkpointSaveSeconds: new Histogram({
      name: 'eventide_checkpoint_save_seconds',
      help: 'Duration of successful checkpoint saves by kind.',
      labelNames: ['kind'],
      buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5],
      registers: r,
    }),
    checkpointLastSave: new Gauge({ name: 'eventide_checkpoint_last_save_timestamp_seconds', help: 'Time of the last successful checkpoint save.', registers: r }),
  };
}

/** Label values of a counter with label names `L`. */
type LabelValues<L extends string> = Partial<Record<L, string | number>>;

/**
 * A labelled prom-client counter incremented on the per-Event path. Increments are summed per
 * label set (keyed by a string the caller already has) and added to the counter when prom-client
 * collects it (every scrape, every `get()`), so a call costs a Map lookup instead of prom-client's
 * label validation and hashing (~280 ns per `inc({...})` on the benchmark machine). Values read
 * through the registry are always complete.
 */
export class HotCounter<L extends string> {
  private readonly pending = new Map<string, { labels: LabelValues<L>; count: number }>();

  private constructor(private readonly counter: Counter<L>) {}

  /** The hot counter of `counter` (one per counter, so every user flushes into the same one). */
  static of<L extends string>(counter: Counter<L>): HotCounter<L> {
    const known = hotCounters.get(counter) as HotCounter<L> | undefined;
    if (known) return known;
    const hot = new HotCounter(counter);
    hotCounters.set(counter, hot);
    const withCollect = counter as unknown as { collect?: () => unknown };
    const previous = withCollect.collect;
    withCollect.collect = function collect(this: unknown) {
      hot.flush();
      return previous?.call(this);
    };
    return hot;
  }

  /** Adds `count` (default 1) for the label set `labels`, known by `key` (same key, same labels). */
  inc(key: string, labels: LabelValues<L>, count = 1): void {
    const entry = this.pending.get(key);
    if (entry) entry.count += count;
    else this.pending.set(key, { labels, count });
  }

  /** Adds what was counted to the prom-client counter. */
  flush(): void {
    for (const entry of this.pending.values()) {
      if (entry.count === 0) continue;
      this.counter.inc(entry.labels, entry.count);
      entry.count = 0;
    }
  }
}

const hotCounters = new WeakMap<object, HotCounter<string>>();
