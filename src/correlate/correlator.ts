import { LRUCache } from 'lru-cache';
import type { EventRecord } from '../model/event.js';
import { growingBound } from '../model/lru.js';
import type { Clock } from '../model/time.js';
import { Watermark } from '../model/watermark.js';
import type { Metrics } from '../observe/metrics.js';
import type { CorrelateConfig } from './config.js';
import { severityRank } from './severity.js';
import { Group } from './group.js';
import type { IncidentSummary } from './group.js';
import { stableId } from './ids.js';
import { planKeys } from './keys.js';

export type { IncidentSummary } from './group.js';

/** Dependencies of a {@link Correlator}. */
export interface CorrelatorDeps {
  /** Wall clock: only for the watermark's idle advance. */
  clock: Clock;
  /** Sets `incidentsOpen`. */
  metrics?: Metrics;
}

/** Event-time step between two expiry passes on the hot path. */
const EXPIRY_STEP_MILLIS = 1000;

/** Where a key points, and how it matches. */
interface KeyEntry {
  group: Group;
  /** Latest event time of a record that registered this key for this group. */
  lastTimeMs: number;
  /** Identity keys (the Event, the regarding object) match within the group's window; affinity keys within their own. */
  identity: boolean;
}

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
  private readonly groups: LRUCache<string, Group>;
  /** Correlation keys, in least-recently-used order; beyond `maxKeys` the oldest is forgotten. */
  private readonly keys: LRUCache<string, KeyEntry>;
  /** Summaries of recently closed groups, oldest first. */
  private readonly closed: IncidentSummary[] = [];
  private readonly watermark: Watermark;
  /** Watermark at the last expiry pass. */
  private expiredAtMark = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly config: CorrelateConfig,
    private readonly deps: CorrelatorDeps,
  ) {
    // LRU caches rather than Maps used as queues: V8 Maps make eviction from the front O(deleted entries).
    this.keys = new LRUCache<string, KeyEntry>({
      ...growingBound(config.maxKeys),
      dispose: (entry, key, reason) => {
        if (reason === 'evict') entry.group.keys.delete(key);
      },
    });
    this.groups = new LRUCache<string, Group>({
      ...growingBound(config.maxGroups),
      dispose: (group, _id, reason) => {
        if (reason !== 'set') this.onClose(group);
      },
    });
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

    const plan = planKeys(record, this.config);
    const group = this.choose(plan.eventKey, plan.preferred, plan.objectKey, plan.lookup, timeMs) ?? this.open(record, timeMs);
    group.add(record, timeMs);
    this.groups.get(group.id); // mark most recently updated

    if (plan.eventKey) this.register(plan.eventKey, group, timeMs, true);
    if (plan.objectKey) this.register(plan.objectKey, group, timeMs, true);
    for (const key of plan.register) this.register(key, group, timeMs, false);
    this.deps.metrics?.incidentsOpen.set(this.groups.size);
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
  private choose(
    eventKey: string | undefined,
    preferred: string | undefined,
    objectKey: string | undefined,
    lookup: readonly string[],
    timeMs: number,
  ): Group | undefined {
    if (eventKey) {
      const own = this.match(eventKey, timeMs);
      if (own) return own;
    }
    const cause = preferred ? this.match(preferred, timeMs) : undefined;
    if (cause) return cause;
    let best = objectKey ? this.match(objectKey, timeMs) : undefined;
    for (const key of lookup) {
      const g = this.match(key, timeMs);
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
    const min = severityRank(this.config.linkMinSeverity);
    const a = candidate.severityRank() >= min;
    const b = best.severityRank() >= min;
    if (a !== b) return a;
    if (candidate.lastTimeMs !== best.lastTimeMs) return candidate.lastTimeMs > best.lastTimeMs;
    return isOlder(candidate, best);
  }

  /** The group behind `key` when an event at `timeMs` may still join it. */
  private match(key: string, timeMs: number): Group | undefined {
    const entry = this.keys.peek(key);
    if (!entry) return undefined;
    const { group } = entry;
    const { windowMillis, maxGroupMillis } = this.config;
    if (timeMs >= group.firstTimeMs + maxGroupMillis || timeMs < group.firstTimeMs - windowMillis) return undefined;
    const ref = entry.identity ? group.lastTimeMs : entry.lastTimeMs;
    return Math.abs(timeMs - ref) <= windowMillis || (entry.identity && timeMs <= ref) ? group : undefined;
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

  /** Points `key` at `group` (moving it from another group if needed) and marks it recently used. */
  private register(key: string, group: Group, timeMs: number, identity: boolean): void {
    const entry = this.keys.get(key);
    if (!entry) {
      this.keys.set(key, { group, lastTimeMs: timeMs, identity });
      group.keys.add(key);
    } else if (entry.group === group) {
      if (timeMs > entry.lastTimeMs) entry.lastTimeMs = timeMs;
      entry.identity ||= identity;
    } else {
      entry.group.keys.delete(key);
      entry.group = group;
      entry.lastTimeMs = timeMs;
      entry.identity = identity;
      group.keys.add(key);
    }
  }

  /** Closes groups from the least recently updated end while the watermark has passed them. */
  private expireOldest(): void {
    const mark = this.watermark.current();
    // At most one pass per second of event time: an on-time event never matches a group the
    // watermark has passed, so closing a little later changes no id.
    if (mark < this.expiredAtMark + EXPIRY_STEP_MILLIS) return;
    this.expiredAtMark = mark;
    for (;;) {
      const oldest = this.groups.rvalues().next();
      if (oldest.done || !oldest.value) return;
      if (oldest.value.closesAtMs(this.config.windowMillis, this.config.maxGroupMillis) >= mark) return;
      this.groups.delete(oldest.value.id);
    }
  }

  /** Closes every group the watermark has passed (reporting calls; O(open groups)). */
  private sweep(): void {
    const mark = this.watermark.current();
    const expired = [...this.groups.values()].filter((g) => g.closesAtMs(this.config.windowMillis, this.config.maxGroupMillis) < mark);
    for (const group of expired) this.groups.delete(group.id);
    this.deps.metrics?.incidentsOpen.set(this.groups.size);
  }

  /** Bookkeeping when a group leaves `groups` (expired or evicted): drop its keys, remember its summary. */
  private onClose(group: Group): void {
    for (const key of group.keys) {
      if (this.keys.peek(key)?.group === group) this.keys.delete(key);
    }
    group.keys.clear();
    if (this.config.keepClosedIncidents > 0) {
      this.closed.push(group.summary(false));
      if (this.closed.length > this.config.keepClosedIncidents) this.closed.shift();
    }
  }
}
