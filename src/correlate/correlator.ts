import type { EventRecord } from '../model/event.js';
import { LruMap } from '../model/lru.js';
import type { Clock } from '../model/time.js';
import { Watermark } from '../model/watermark.js';
import type { Metrics } from '../observe/metrics.js';
import type { CorrelateConfig } from './config.js';
import { severityRank } from './severity.js';
import { Group } from './group.js';
import type { IncidentSummary } from './group.js';
import { stableId } from './ids.js';
import { KeyIndex } from './key-index.js';
import { EVENT_KEY, NODE_KEY, OBJECT_KEY, RecordKeys, planRecordKeys } from './keys.js';

export type { IncidentSummary } from './group.js';

/** Dependencies of a {@link Correlator}. */
export interface CorrelatorDeps {
  /** Wall clock: only for the watermark's idle advance. */
  clock: Clock;
  /** Sets `incidentsOpen` (when the number of open groups changes). */
  metrics?: Metrics;
}

/** Event-time step between two expiry passes on the hot path. */
const EXPIRY_STEP_MILLIS = 1000;

/** Event time of a record; a record without one sorts first rather than throwing. */
function timeOf(record: EventRecord): number {
  const { timeMs, startTimeMs } = record.event;
  if (Number.isFinite(timeMs) && timeMs > 0) return timeMs;
  return Number.isFinite(startTimeMs) && startTimeMs > 0 ? startTimeMs : 0;
}

/** Deterministic order of groups: the one whose first event is older wins, then the smaller id. */
function isOlder(a: Group, b: Group): boolean {
  return a.firstTimeMs < b.firstTimeMs || (a.firstTimeMs === b.firstTimeMs && a.id < b.id);
}

/**
 * Groups event records into incidents in event time (see docs/correlation.md). The id of a
 * group is a hash of its first event's uid and event time, so replaying the same sequence of
 * records gives the same ids. State is bounded by `maxGroups` and `maxKeys`; groups close when
 * the watermark passes their last event plus `windowMillis` (or their lifetime cap).
 */
export class Correlator {
  /** Open groups by id, in least-recently-updated order; beyond `maxGroups` the oldest closes. */
  private readonly groups: LruMap<string, Group>;
  /** Correlation keys, in least-recently-used order; beyond `maxKeys` the oldest is forgotten. */
  private readonly keys: KeyIndex;
  /** The keys of the record being assigned (reused). */
  private readonly plan = new RecordKeys();
  /** Open groups last reported to `incidentsOpen`. */
  private reportedOpen = -1;
  /** Summaries of recently closed groups, oldest first. */
  private readonly closed: IncidentSummary[] = [];
  private readonly watermark: Watermark;
  /** Watermark at the last expiry pass. */
  private expiredAtMark = Number.NEGATIVE_INFINITY;
  /** Rank of `linkMinSeverity`. */
  private readonly linkMinRank: number;

  constructor(
    private readonly config: CorrelateConfig,
    private readonly deps: CorrelatorDeps,
  ) {
    // Linked recency lists rather than Maps used as queues: V8 Maps make eviction from the front O(deleted entries).
    this.keys = new KeyIndex(config.maxKeys);
    this.groups = new LruMap<string, Group>(config.maxGroups, (group) => this.onClose(group));
    this.linkMinRank = severityRank(config.linkMinSeverity);
    this.watermark = new Watermark(deps.clock, {
      allowedLatenessMillis: config.allowedLatenessMillis,
      idleAdvanceMillis: config.idleAdvanceMillis,
    });
  }

  /** Assigns the record to an incident group (joining one or opening one) and returns its correlation id. */
  assign(record: EventRecord): string {
    const timeMs = timeOf(record);
    this.watermark.observe(timeMs);
    this.expireOldest();

    const plan = planRecordKeys(record, this.config, this.plan);
    const group = this.choose(plan, timeMs) ?? this.open(record, timeMs);
    group.add(record, timeMs);
    this.groups.get(group.id); // mark most recently updated

    const { keys } = this;
    if (plan.eventKey) keys.register(EVENT_KEY, plan.eventKey, group, timeMs, true);
    if (plan.objectKey) keys.register(OBJECT_KEY, plan.objectKey, group, timeMs, true);
    for (let i = 0; i < plan.registerCount; i++) keys.register(plan.registerKinds[i] as number, plan.registerKeys[i] as string, group, timeMs, false);
    this.reportOpen();
    return group.id;
  }

  /** Number of open groups (closing those the watermark has passed first). */
  openGroups(): number {
    this.sweep();
    return this.groups.size;
  }

  /** Up to `limit` incidents, open and recently closed, latest event first. */
  recentIncidents(limit: number): IncidentSummary[] {
    if (limit <= 0) return [];
    this.sweep();
    const open = [...this.groups.values()].sort((a, b) => b.lastTimeMs - a.lastTimeMs).slice(0, limit);
    const all = [...open.map((g) => g.summary(true)), ...this.closed];
    return all.sort((a, b) => b.lastTimeMs - a.lastTimeMs || (a.id < b.id ? -1 : 1)).slice(0, limit);
  }

  /** The group this record joins: its own Event's group, else its node's incident for node-caused events, else the best match (see {@link preferred}). */
  private choose(plan: RecordKeys, timeMs: number): Group | undefined {
    if (plan.eventKey) {
      const own = this.match(EVENT_KEY, plan.eventKey, timeMs);
      if (own) return own;
    }
    const cause = plan.preferred ? this.match(NODE_KEY, plan.preferred, timeMs) : undefined;
    if (cause) return cause;
    let best = plan.objectKey ? this.match(OBJECT_KEY, plan.objectKey, timeMs) : undefined;
    for (let i = 0; i < plan.lookupCount; i++) {
      const g = this.match(plan.lookupKinds[i] as number, plan.lookupKeys[i] as string, timeMs);
      if (g && (!best || this.preferred(g, best))) best = g;
    }
    return best;
  }

  /**
   * An incident (a group with a significant event) wins over a routine-only group, e.g. an
   * eviction joins its node's pressure incident rather than its pod's earlier start-up events;
   * between two incidents the one active most recently wins (the likelier cause: an eviction
   * seconds after its node's disk pressure belongs there, not to the pod's mount failure of
   * minutes ago); on a tie, the older group.
   */
  private preferred(candidate: Group, best: Group): boolean {
    const a = candidate.severityRank() >= this.linkMinRank;
    const b = best.severityRank() >= this.linkMinRank;
    if (a !== b) return a;
    if (candidate.lastTimeMs !== best.lastTimeMs) return candidate.lastTimeMs > best.lastTimeMs;
    return isOlder(candidate, best);
  }

  /** The group behind `key` when an event at `timeMs` may still join it. */
  private match(kind: number, key: string, timeMs: number): Group | undefined {
    const { keys } = this;
    const slot = keys.find(kind, key);
    if (slot < 0) return undefined;
    const group = keys.groupAt(slot);
    const { windowMillis, maxGroupMillis } = this.config;
    if (timeMs >= group.firstTimeMs + maxGroupMillis || timeMs < group.firstTimeMs - windowMillis) return undefined;
    const identity = keys.isIdentity(slot);
    const ref = identity ? group.lastTimeMs : keys.lastTimeMsAt(slot);
    return Math.abs(timeMs - ref) <= windowMillis || (identity && timeMs <= ref) ? group : undefined;
  }

  /** Opens a group whose id derives from this, its first, record. */
  private open(record: EventRecord, timeMs: number): Group {
    const { uid, regarding, reason } = record.event;
    const id = stableId(uid || `${regarding.kind}/${regarding.namespace}/${regarding.name}/${reason}`, timeMs);
    // Same first Event at the same time is the same incident (e.g. re-delivered after its key was evicted).
    const existing = this.groups.get(id);
    if (existing) return existing;
    const group = new Group(id, timeMs);
    this.groups.set(id, group);
    return group;
  }

  /** Closes groups from the least recently updated end while the watermark has passed them. */
  private expireOldest(): void {
    const mark = this.watermark.current();
    // At most one pass per second of event time: an on-time event never matches a group the
    // watermark has passed, so closing a little later changes no id.
    if (mark < this.expiredAtMark + EXPIRY_STEP_MILLIS) return;
    this.expiredAtMark = mark;
    for (;;) {
      const oldest = this.groups.oldestValue();
      if (!oldest || oldest.closesAtMs(this.config.windowMillis, this.config.maxGroupMillis) >= mark) return;
      this.close(oldest);
    }
  }

  /** Closes every group the watermark has passed (reporting calls; O(open groups)). */
  private sweep(): void {
    const mark = this.watermark.current();
    const expired = [...this.groups.values()].filter((g) => g.closesAtMs(this.config.windowMillis, this.config.maxGroupMillis) < mark);
    for (const group of expired) this.close(group);
    this.reportOpen();
  }

  /** Sets the `incidentsOpen` gauge when the number of open groups has changed since it was last set. */
  private reportOpen(): void {
    const open = this.groups.size;
    if (open === this.reportedOpen || !this.deps.metrics) return;
    this.reportedOpen = open;
    this.deps.metrics.incidentsOpen.set(open);
  }

  private close(group: Group): void {
    this.groups.delete(group.id);
    this.onClose(group);
  }

  /** Bookkeeping when a group leaves `groups` (expired or evicted): drop its keys, remember its summary. */
  private onClose(group: Group): void {
    this.keys.dropGroup(group);
    if (this.config.keepClosedIncidents > 0) {
      this.closed.push(group.summary(false));
      if (this.closed.length > this.config.keepClosedIncidents) this.closed.shift();
    }
  }
}
