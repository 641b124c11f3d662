import type { EventRecord, ObjectRef, Severity } from '../model/event.js';
import { SEVERITIES } from '../model/event.js';
import { recordSeverity, severityRank } from './severity.js';

/** Most distinct namespaces, subjects and categories remembered per incident (memory bound). */
export const MAX_LABELS_PER_INCIDENT = 20;

/** What the correlator reports about an incident group (terminal view, debugging). */
export interface IncidentSummary {
  /** Correlation id (`eventide.correlation.id`). */
  id: string;
  /** Event time of the earliest event, epoch ms. */
  firstTimeMs: number;
  /** Event time of the latest event, epoch ms. */
  lastTimeMs: number;
  /** Records assigned to the group (each delivery of a series update counts once). */
  eventCount: number;
  /** Namespaces of the regarding objects (at most {@link MAX_LABELS_PER_INCIDENT}). */
  namespaces: string[];
  /** Regarding objects, e.g. `Pod payments/api-7d9-x`, `Node node-3` (at most {@link MAX_LABELS_PER_INCIDENT}). */
  subjects: string[];
  /** Categories of the events (at most {@link MAX_LABELS_PER_INCIDENT}). */
  categories: string[];
  /** Highest severity seen. */
  maxSeverity: Severity;
  /** False once the group has closed (window passed, lifetime cap, or evicted). */
  open: boolean;
}

/** `Pod payments/api-7d9-x`, or `Node node-3` for cluster-scoped objects. */
export function subjectOf(ref: ObjectRef): string {
  return ref.namespace ? `${ref.kind} ${ref.namespace}/${ref.name}` : `${ref.kind} ${ref.name}`;
}

function addBounded(set: Set<string>, value: string): void {
  if (value && set.size < MAX_LABELS_PER_INCIDENT) set.add(value);
}

/** One incident group's mutable state inside the correlator. */
export class Group {
  lastTimeMs: number;
  /** Earliest event time seen (a late event may precede the first one). */
  earliestTimeMs: number;
  eventCount = 0;
  /** Keys currently pointing at this group (removed with it). */
  readonly keys = new Set<string>();
  private readonly namespaces = new Set<string>();
  private readonly subjects = new Set<string>();
  private readonly categories = new Set<string>();
  private maxSeverity = 0;

  constructor(
    readonly id: string,
    readonly firstTimeMs: number,
  ) {
    this.lastTimeMs = firstTimeMs;
    this.earliestTimeMs = firstTimeMs;
  }

  /** Adds a record's facts (times, labels, severity). */
  add(record: EventRecord, timeMs: number): void {
    this.eventCount++;
    if (timeMs > this.lastTimeMs) this.lastTimeMs = timeMs;
    if (timeMs < this.earliestTimeMs) this.earliestTimeMs = timeMs;
    const { regarding } = record.event;
    addBounded(this.namespaces, regarding.namespace);
    addBounded(this.subjects, subjectOf(regarding));
    addBounded(this.categories, record.classification?.category ?? '');
    const rank = severityRank(recordSeverity(record));
    if (rank > this.maxSeverity) this.maxSeverity = rank;
  }

  /** Rank of the highest severity in the group (see severityRank). */
  severityRank(): number {
    return this.maxSeverity;
  }

  /** Event time after which no event can join any more: window after the last event, or the lifetime cap. */
  closesAtMs(windowMillis: number, maxGroupMillis: number): number {
    return Math.min(this.lastTimeMs + windowMillis, this.firstTimeMs + maxGroupMillis);
  }

  /** A snapshot for reporting. */
  summary(open: boolean): IncidentSummary {
    return {
      id: this.id,
      firstTimeMs: this.earliestTimeMs,
      lastTimeMs: this.lastTimeMs,
      eventCount: this.eventCount,
      namespaces: [...this.namespaces],
      subjects: [...this.subjects],
      categories: [...this.categories],
      maxSeverity: SEVERITIES[this.maxSeverity] ?? 'Info',
      open,
    };
  }
}
