import type { AckResult, RecordExporter } from '../export/record-exporter.js';
import type { Classification, Enrichment, EventRecord, Finding, KEvent } from '../model/event.js';

/**
 * What the pipeline needs of each stage. Each stage folder provides a class with this shape;
 * keeping the contract here lets tests swap a stage and keeps the wiring in one place.
 */

/** Relist/restart-aware dedupe and series throttling (src/delivery). */
export interface GateStage {
  offer(event: KEvent): 'deliver' | 'duplicate' | 'held';
  due(): KEvent[];
  drain(): KEvent[];
  /** Sets `record.priorCount` and `priorTimeMs` (what was delivered of the uid before); without it the stages that count keep their own memory of uids. */
  notePrior?(record: EventRecord): void;
}

/** Node, pod and workload lookup (src/enrich). */
export interface EnrichStage {
  enrich(event: KEvent): Enrichment;
}

/** Category and severity (src/classify). */
export interface ClassifyStage {
  classify(event: KEvent, priorCount?: number, priorTimeMs?: number): Classification;
}

/** Incident grouping (src/correlate). */
export interface CorrelateStage {
  assign(record: EventRecord): string;
}

/** Frequency pattern matching (src/correlate/pattern). */
export interface PatternStage {
  observe(record: EventRecord): Finding | undefined;
}

/** Secret and personal-data masking (src/redact). */
export interface RedactStage {
  redactEvent(event: KEvent): KEvent;
  redactText(text: string): string;
}

/** Where records leave the process (src/export): OTLP/gRPC or a file; the export stage defines the contract. */
export type RecordSink = RecordExporter;
export type { AckResult };

/** Checkpoint bookkeeping (src/delivery). */
export interface TrackerStage {
  /** `origin`: `watch` (its resourceVersion is a resume point), `list` item, or `release` of a held update. */
  delivered(seq: number, event: KEvent, origin: 'watch' | 'list' | 'release'): void;
  settled(seqs: readonly number[], ok: boolean): void;
  position(resourceVersion: string, api?: KEvent['sourceApi']): void;
}

/** Second consumers of the correlated, redacted stream (anomaly detectors, the terminal view). */
export interface PipelineObserver {
  onRecord?(record: EventRecord): void;
  onFinding?(finding: Finding): void;
}
