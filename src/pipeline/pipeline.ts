import type { EventRecord, Finding, KEvent } from '../model/event.js';
import type { Clock } from '../model/time.js';
import type { Logger } from '../observe/logger.js';
import type { Metrics } from '../observe/metrics.js';
import type { SkipReporter } from '../observe/skips.js';
import type {
  ClassifyStage,
  CorrelateStage,
  EnrichStage,
  GateStage,
  PatternStage,
  PipelineObserver,
  RecordSink,
  RedactStage,
  TrackerStage,
} from './stages.js';

/** The stages a pipeline runs, in data-flow order. Optional ones are skipped when absent. */
export interface PipelineStages {
  gate: GateStage;
  enrich?: EnrichStage;
  classify: ClassifyStage;
  correlate: CorrelateStage;
  pattern?: PatternStage;
  redact: RedactStage;
  sink: RecordSink;
  tracker?: TrackerStage;
}

/** Injected services. */
export interface PipelineDeps {
  clock: Clock;
  logger: Logger;
  metrics: Metrics;
  skips: SkipReporter;
}

/** Running totals, for the terminal view and tests. */
export interface PipelineCounts {
  delivered: number;
  duplicates: number;
  held: number;
  exported: number;
  findings: number;
}

/** reportingController of the Events eventide writes itself: never scored again. */
export const SELF_REPORTING_CONTROLLER = 'eventide.io/anomaly-detector';

/**
 * normalize → (gate) → enrich → classify → correlate → pattern → redact → export, and the
 * redacted records to observers (anomaly detectors). The source awaits `deliver`, so a slow
 * exporter slows reading (bounded memory, no drops). `deliver` runs synchronously and returns
 * nothing while the exporter accepts records at once; it returns a promise only when something
 * has to wait (export backpressure, a finding to export): an Event costs no promise, no
 * suspended async frame and no microtask in the common case (docs/performance.md, sixth pass).
 */
export class Pipeline {
  private seq = 0;
  private readonly observers: PipelineObserver[] = [];
  private readonly totals: PipelineCounts = { delivered: 0, duplicates: 0, held: 0, exported: 0, findings: 0 };

  constructor(
    private readonly stages: PipelineStages,
    private readonly deps: PipelineDeps,
  ) {
    stages.sink.onAck(({ seqs, ok }) => stages.tracker?.settled(seqs, ok));
  }

  /** Adds a consumer of redacted records and findings. */
  addObserver(observer: PipelineObserver): void {
    this.observers.push(observer);
  }

  /** The source's sink: decides with the gate, then runs the stages; a promise only when something waits. */
  readonly deliver = (event: KEvent, origin: 'list' | 'added' | 'modified' = 'added'): void | Promise<void> => {
    this.totals.delivered++;
    const decision = this.stages.gate.offer(event);
    let pending: void | Promise<void> = undefined;
    if (decision === 'duplicate') this.totals.duplicates++;
    else if (decision === 'held') this.totals.held++;
    else pending = this.process(event, origin === 'list' ? 'list' : 'watch');
    // Releases due by event time go out in stream order, so a fast replay exports what the live run did.
    return pending === undefined ? this.releaseDueNow() : pending.then(() => this.releaseDueNow());
  };

  /** A resume point from the source (list end, bookmark): recorded in stream order for the checkpoint. */
  position(resourceVersion: string, api: KEvent['sourceApi']): void {
    this.stages.tracker?.position(resourceVersion, api);
  }

  /** Exports held series updates whose throttle interval has passed; call on a timer. */
  async releaseDue(): Promise<void> {
    await this.releaseDueNow();
  }

  /** {@link releaseDue}, without a promise when nothing is due or every release was accepted at once. */
  private releaseDueNow(): void | Promise<void> {
    const due = this.stages.gate.due();
    for (let i = 0; i < due.length; i++) {
      const pending = this.process(due[i]!, 'release');
      if (pending !== undefined) return pending.then(() => this.releaseInOrder(due, i + 1));
    }
  }

  private async releaseInOrder(events: readonly KEvent[], from: number): Promise<void> {
    for (let i = from; i < events.length; i++) await this.process(events[i]!, 'release');
  }

  /** Exports everything still held and flushes the sink (shutdown). */
  async drain(): Promise<void> {
    for (const event of this.stages.gate.drain()) await this.process(event, 'release');
    await this.stages.sink.forceFlush();
  }

  /** Running totals. */
  counts(): PipelineCounts {
    return { ...this.totals };
  }

  /** Runs the stages and hands the record to the sink; a promise only when the sink or a finding makes it wait. */
  private process(event: KEvent, origin: 'watch' | 'list' | 'release'): void | Promise<void> {
    const started = this.deps.clock.now();
    // the priors in the literal: a record has them in the same place whether or not the gate fills them
    const record: EventRecord = { event, seq: ++this.seq, enrichment: {}, priorCount: undefined, priorTimeMs: undefined };
    const { gate, enrich, classify, correlate, pattern, redact } = this.stages;
    gate.notePrior?.(record);
    if (enrich) record.enrichment = this.guard('enrich', () => enrich.enrich(event), {});
    record.classification = this.guard('classify', () => classify.classify(event, record.priorCount, record.priorTimeMs), {
      category: 'Unknown',
      severity: 'Info',
      ruleId: 'error',
      escalated: false,
    });
    record.correlationId = this.guard('correlate', () => correlate.assign(record), undefined);
    const own = event.reportingController === SELF_REPORTING_CONTROLLER;
    const finding = pattern && !own ? this.guard('pattern', () => pattern.observe(record), undefined) : undefined;
    record.event = this.guard('redact', () => redact.redactEvent(event), undefined) ?? redactFailed(event);

    this.stages.tracker?.delivered(record.seq, event, origin);
    const accepted = this.stages.sink.emit(record);
    if (accepted !== undefined) return accepted.then(() => this.exported(record, started, own, finding));
    return this.exported(record, started, own, finding);
  }

  /** After the sink took `record`: totals, observers, and its finding (if any) exported after it. */
  private exported(record: EventRecord, started: number, own: boolean, finding: Finding | undefined): void | Promise<void> {
    this.totals.exported++;
    this.deps.metrics.pipelineSeconds.observe((this.deps.clock.now() - started) / 1000);
    for (const o of this.observers) if (!own) this.notify(() => o.onRecord?.(record));
    if (finding) return this.emitFinding(finding, record);
  }

  /** Exports a finding (redacted) and hands it to observers. Also used by the anomaly detectors. */
  async emitFinding(finding: Finding, subject?: EventRecord): Promise<void> {
    const redacted: Finding = { ...finding, body: this.stages.redact.redactText(finding.body) };
    if (subject && finding.subject) {
      redacted.subject = { ...finding.subject, event: subject.event };
    }
    this.totals.findings++;
    this.deps.metrics.findings.inc({ detector: finding.detector, kind: finding.kind });
    this.deps.metrics.anomalyScore.set({ detector: finding.detector, key: finding.key }, finding.score);
    await this.stages.sink.emitFinding(redacted);
    for (const o of this.observers) this.notify(() => o.onFinding?.(redacted));
  }

  private guard<T>(stage: string, run: () => T, fallback: T): T {
    try {
      return run();
    } catch (err) {
      this.deps.skips.skip(stage, 'stage_error', { err: String(err) });
      return fallback;
    }
  }

  private notify(run: () => void): void {
    try {
      run();
    } catch (err) {
      this.deps.skips.skip('observer', 'observer_error', { err: String(err) });
    }
  }
}

/** When the redactor itself fails, nothing free-text may leave: the note is withheld. */
function redactFailed(event: KEvent): KEvent {
  return { ...event, note: '[REDACTED:redactor_error]', action: '' };
}
