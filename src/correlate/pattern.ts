import type { EventRecord, Finding } from '../model/event.js';
import { LruMap } from '../model/lru.js';
import type { Clock } from '../model/time.js';
import type { Metrics } from '../observe/metrics.js';
import type { PatternConfig } from './config.js';
import { CountDeltas, countDelta } from './counts.js';
import { stableId } from './ids.js';
import { recordSeverity, severityRank } from './severity.js';
import { SlidingCount } from './window.js';

/** Buckets per window: the window slides in steps of windowMillis / 60 (5 s for 5 min). */
const BUCKETS_PER_WINDOW = 60;
/** Version of the detector logic, reported as `eventide.model.version`. */
export const PATTERN_MODEL_VERSION = 'pattern-v1';

/** Dependencies of a {@link PatternDetector}. */
export interface PatternDetectorDeps {
  /** Unused by the windows (event time only); kept for a uniform stage contract. */
  clock: Clock;
  /** Counts late occurrences (`eventsSkipped{stage="pattern",reason="late"}`). */
  metrics?: Metrics;
}

/** State of one similarity key. */
interface KeyState {
  readonly window: SlidingCount;
  /** Newest event time seen for the key. */
  lastTimeMs: number;
  /** Pattern id while the count is at or above the threshold. */
  activeId: string | undefined;
}

/** `5m`, `90s`, `1500ms`. */
export function formatMillis(ms: number): string {
  if (ms % 60_000 === 0) return `${ms / 60_000}m`;
  if (ms % 1000 === 0) return `${ms / 1000}s`;
  return `${ms}ms`;
}

/**
 * Frequency pattern detector: counts occurrences per (namespace, reason, reportingController)
 * over a sliding event-time window. When the count reaches the reason's threshold, the pattern
 * activates: it returns one {@link Finding} and stamps `record.patternId` on this and every
 * following record of the key until the count falls below the threshold again (re-arm).
 * Ids hash the key and the window start, so a replay gives the same ids and findings.
 */
export class PatternDetector {
  /** Key states in least-recently-seen order; beyond `maxKeys` the oldest is forgotten. */
  private readonly states: LruMap<string, KeyState>;
  /** Count deltas for records that do not bring what was delivered of their uid before; made at the first such record. */
  private deltas: CountDeltas | undefined;
  private readonly bucketMillis: number;
  /** Rank of `minSeverity`. */
  private readonly minRank: number;
  /** `thresholds` as a Map (one hash lookup per record instead of hasOwn and a property read on a dictionary object). */
  private readonly thresholds: Map<string, number>;
  private newestMs = 0;
  /** Newest event time at the last idle-key pass. */
  private sweptAtMs = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly config: PatternConfig,
    private readonly deps: PatternDetectorDeps,
  ) {
    this.states = new LruMap<string, KeyState>(config.maxKeys);
    this.bucketMillis = Math.max(1, Math.floor(config.windowMillis / BUCKETS_PER_WINDOW));
    this.minRank = severityRank(config.minSeverity);
    this.thresholds = new Map(Object.entries(config.thresholds));
  }

  /** Event uids this detector remembers itself for count deltas (0 when every record brought `priorCount`). */
  uidsRemembered(): number {
    return this.deltas?.size() ?? 0;
  }

  /**
   * Counts the record; returns a finding when this record activates a pattern. The occurrences
   * it adds come from `record.priorCount` (what was delivered of the uid before: the delivery
   * gate's memory) or, on a record without it, from this detector's own memory of uids.
   */
  observe(record: EventRecord): Finding | undefined {
    if (!this.config.enabled) return undefined;
    const { event } = record;
    const listed = this.thresholds.get(event.reason);
    if (listed === undefined && severityRank(recordSeverity(record)) < this.minRank) return undefined;
    const threshold = listed ?? this.config.defaultThreshold;

    const timeMs = Number.isFinite(event.timeMs) ? event.timeMs : 0;
    const namespace = event.regarding.namespace || event.namespace;
    const controller = event.reportingController || 'unknown';
    const key = `${namespace}/${event.reason}/${controller}`;
    const state = this.touch(key, timeMs);

    const n = this.occurrences(record, timeMs);
    if (!state.window.add(timeMs, n)) this.deps.metrics?.eventsSkipped.inc({ stage: 'pattern', reason: 'late' });

    const count = state.window.total();
    let finding: Finding | undefined;
    if (state.activeId !== undefined && count < threshold) {
      state.activeId = undefined;
    } else if (state.activeId === undefined && count >= threshold) {
      const startBucket = state.window.newestBucket() - BUCKETS_PER_WINDOW + 1;
      state.activeId = stableId('pattern', key, startBucket);
      const windowStartMs = startBucket * this.bucketMillis;
      finding = {
        detector: 'pattern',
        kind: 'frequency',
        score: count / threshold,
        key,
        windowStartMs,
        windowEndMs: state.lastTimeMs,
        modelVersion: PATTERN_MODEL_VERSION,
        body: `${event.reason} x${count} in ${formatMillis(this.config.windowMillis)} from ${controller} in ${namespace || 'the cluster'} (threshold ${threshold})`,
        timeMs,
        subject: { event, enrichment: record.enrichment, correlationId: record.correlationId },
        attributes: { 'eventide.pattern.id': state.activeId },
      };
      if (namespace) finding.namespace = namespace;
    }
    if (state.activeId !== undefined) record.patternId = state.activeId;
    return finding;
  }

  /** Number of similarity keys held. */
  keyCount(): number {
    return this.states.size;
  }

  /** The key's state, marked most recently seen; forgets idle and excess keys. */
  /** Occurrences `record` adds: from what was delivered of its uid before when it brings that, else from this detector's own memory of uids. */
  private occurrences(record: EventRecord, timeMs: number): number {
    const { event } = record;
    if (record.priorCount === undefined) {
      return (this.deltas ??= new CountDeltas(this.config.windowMillis, this.config.maxKeys)).delta(event.uid, event.count, event.startTimeMs, timeMs);
    }
    return event.uid ? countDelta(event.count, record.priorCount, event.startTimeMs, timeMs, this.config.windowMillis) : 1;
  }

  private touch(key: string, timeMs: number): KeyState {
    if (timeMs > this.newestMs) this.newestMs = timeMs;
    if (this.newestMs >= this.sweptAtMs + this.bucketMillis) this.dropIdle();
    let state = this.states.get(key);
    if (!state) {
      state = { window: new SlidingCount(this.bucketMillis, BUCKETS_PER_WINDOW), lastTimeMs: timeMs, activeId: undefined };
      this.states.set(key, state);
    }
    if (timeMs > state.lastTimeMs) state.lastTimeMs = timeMs;
    return state;
  }

  /** Drops keys quiet for two windows (their window is empty: no result changes), oldest first. */
  private dropIdle(): void {
    this.sweptAtMs = this.newestMs;
    const idleBefore = this.newestMs - 2 * this.config.windowMillis;
    for (;;) {
      const oldest = this.states.oldestValue();
      if (!oldest || oldest.lastTimeMs >= idleBefore) break;
      this.states.delete(this.states.oldestKey() as string);
    }
  }
}
