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

/** Distinct non-empty labels of an incident, at most {@link MAX_LABELS_PER_INCIDENT}, in first-seen order. */
class Labels {
  readonly values = new Set<string>();
  /** The label offered last: offered again it changes nothing, so it is not hashed again (most records repeat their group's labels). */
  private last: string | undefined = undefined;

  add(value: string): void {
    if (value === this.last) return;
    this.last = value;
    if (value && this.values.size < MAX_LABELS_PER_INCIDENT) this.values.add(value);
  }

  get full(): boolean {
    return this.values.size >= MAX_LABELS_PER_INCIDENT;
  }
}

/** One incident group's mutable state inside the correlator. */
export class Group {
  lastTimeMs: number;
  /** Earliest event time seen (a late event may precede the first one). */
  earliestTimeMs: number;
  eventCount = 0;
  /** Slot of the first key pointing at this group, -1 for none (a list kept by the correlator's KeyIndex; dropped with the group). */
  keys = -1;
  private readonly namespaces = new Labels();
  private readonly subjects = new Labels();
  private readonly categories = new Labels();
  /** Kind, namespace and name of the subject offered last: offered again it is not built again. */
  private lastKind: string | undefined = undefined;
  private lastNamespace = '';
  private lastName = '';
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
    const { kind, namespace, name } = regarding;
    this.namespaces.add(namespace);
    if (!this.subjects.full && (kind !== this.lastKind || namespace !== this.lastNamespace || name !== this.lastName)) {
      this.subjects.add(subjectOf(regarding));
      this.lastKind = kind;
      this.lastNamespace = namespace;
      this.lastName = name;
    }
    this.categories.add(record.classification?.category ?? '');
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
      namespaces: [...this.namespaces.values],
      subjects: [...this.subjects.values],
      categories: [...this.categories.values],
      maxSeverity: SEVERITIES[this.maxSeverity] ?? 'Info',
      open,
    };
  }
}
