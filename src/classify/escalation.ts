import { LRUCache } from 'lru-cache';
import type { KEvent } from '../model/event.js';
import { growingBound } from '../model/lru.js';
import { PriorCounts, occurrenceCount } from '../model/prior-counts.js';

/** Options of {@link EscalationTracker}. */
export interface EscalationTrackerOptions {
  /** Most keys kept (and most Event uids, for calls that do not bring what was delivered before); the least recently seen is evicted first. */
  maxKeys: number;
  /** State whose newest occurrence is this far (event time, ms) behind the newest event seen is dropped. */
  maxAgeMillis: number;
  /** Most spans kept per key; beyond it the two oldest are merged. Default 16. */
  maxSpansPerKey?: number;
}

/** `n` occurrences spread evenly over [fromMs, toMs] (a point when equal). */
interface Span {
  fromMs: number;
  toMs: number;
  n: number;
}

interface KeyState {
  spans: Span[];
  /** Newest toMs of any span. */
  lastMs: number;
}

/** Every this many records, stale keys are swept from the least recently used end. */
const SWEEP_EVERY = 1024;
/** Most stale keys removed by one sweep, so no call does unbounded work. */
const SWEEP_MAX = 4096;

/**
 * Counts occurrences per key in event time, for frequency escalation. An Event seen again with
 * a higher `count` adds the delta (3 then 7 adds 4), spread over the time since its previous
 * delivery; an Event seen first with count n > 1 spreads n over [startTimeMs, timeMs]. A
 * re-delivery with the same count adds nothing. State is bounded in keys (LRU) and in age
 * (event time behind the newest event seen).
 *
 * What was seen of an Event before comes with the call (`priorCount`, `priorTimeMs`: in the
 * pipeline, the delivery gate's memory of the uid); a call without it uses this tracker's own
 * {@link PriorCounts} (at most `maxKeys` uids), made at the first such call.
 */
export class EscalationTracker {
  private readonly keys: LRUCache<string, KeyState>;
  /** What was seen of each Event uid, for calls that do not bring it; made at the first such call. */
  private uids: PriorCounts | undefined;
  private newestMs = Number.NEGATIVE_INFINITY;
  private readonly maxSpans: number;
  private sinceSweep = 0;
  /** The key {@link record} last added occurrences under, and its state (what `keys.peek` would return). */
  private lastKey: string | undefined;
  private lastState: KeyState | undefined;

  constructor(private readonly options: EscalationTrackerOptions) {
    this.maxSpans = Math.max(2, options.maxSpansPerKey ?? 16);
    this.keys = new LRUCache(growingBound(options.maxKeys));
  }

  /**
   * Records the occurrences `event` adds under `key`. `priorCount` and `priorTimeMs`: the highest
   * count and the event time delivered of this Event's uid before (NaN: a new uid; a time that is
   * NaN or infinite: unknown, as for a uid seeded from a checkpoint); without them the tracker's
   * own memory of the uid is used.
   */
  record(key: string, event: KEvent, priorCount?: number, priorTimeMs?: number): void {
    const t = event.timeMs;
    if (t > this.newestMs) this.newestMs = t;
    const span = this.newOccurrences(event, priorCount, priorTimeMs);
    if (span) {
      let state = this.keys.get(key);
      if (!state || state.lastMs < this.cutoff()) {
        state = { spans: [], lastMs: Number.NEGATIVE_INFINITY };
        this.keys.set(key, state);
      }
      this.add(state, span);
      this.lastKey = key;
      this.lastState = state;
    } else {
      this.lastKey = undefined;
    }
    if (++this.sinceSweep >= SWEEP_EVERY) this.sweep();
  }

  /** Occurrences under `key` within the window (endMs - windowMillis, endMs]. */
  countInWindow(key: string, endMs: number, windowMillis: number): number {
    // The key just recorded (countInWindow follows record once per escalation step): no lookup.
    const state = key === this.lastKey ? this.lastState : this.keys.peek(key);
    if (!state || state.lastMs < this.cutoff()) return 0;
    const startMs = endMs - windowMillis;
    let total = 0;
    for (const s of state.spans) {
      if (s.toMs <= startMs || s.fromMs > endMs) continue;
      if (s.toMs === s.fromMs) {
        total += s.n;
        continue;
      }
      const overlap = Math.min(s.toMs, endMs) - Math.max(s.fromMs, startMs);
      total += (s.n * overlap) / (s.toMs - s.fromMs);
    }
    // Spread spans give fractions; round away float noise so thresholds compare exactly.
    return Math.round(total * 1e6) / 1e6;
  }

  /** Number of keys held after dropping stale ones (for tests and self-observation). */
  size(): number {
    this.sweep();
    return this.keys.size;
  }

  /** Event uids this tracker remembers itself (0 when every call brought what was delivered before). */
  uidsRemembered(): number {
    return this.uids?.size ?? 0;
  }

  private cutoff(): number {
    return this.newestMs - this.options.maxAgeMillis;
  }

  private newOccurrences(event: KEvent, priorCount: number | undefined, priorTimeMs: number | undefined): Span | undefined {
    const count = occurrenceCount(event.count);
    const t = event.timeMs;
    if (!event.uid) return { fromMs: t, toMs: t, n: count };
    let prevCount = priorCount;
    let prevMs = priorTimeMs ?? Number.NaN;
    if (prevCount === undefined) {
      const uids = (this.uids ??= new PriorCounts(this.options.maxKeys));
      uids.note(event.uid, count, t);
      prevCount = uids.count;
      prevMs = uids.timeMs;
    }
    if (Number.isNaN(prevCount)) {
      const from = count > 1 && event.startTimeMs > 0 && event.startTimeMs < t ? event.startTimeMs : t;
      return { fromMs: from, toMs: t, n: count };
    }
    const delta = count - occurrenceCount(prevCount);
    if (delta <= 0) return undefined;
    return { fromMs: Number.isFinite(prevMs) && prevMs < t ? prevMs : t, toMs: t, n: delta };
  }

  private add(state: KeyState, span: Span): void {
    const spans = state.spans;
    const last = spans[spans.length - 1];
    // Occurrences at the same instant share one span.
    if (last && last.fromMs === last.toMs && span.fromMs === span.toMs && last.toMs === span.toMs) last.n += span.n;
    else spans.push(span);
    if (span.toMs > state.lastMs) state.lastMs = span.toMs;
    const cutoff = this.cutoff();
    if (spans[0]!.toMs < cutoff) state.spans = spans.filter((s) => s.toMs >= cutoff);
    const list = state.spans;
    if (list.length > this.maxSpans) {
      // Merge the two oldest (spans arrive mostly in time order) into the first, in place: the total is kept.
      const a = list[0]!;
      const b = list[1]!;
      a.fromMs = Math.min(a.fromMs, b.fromMs);
      a.toMs = Math.max(a.toMs, b.toMs);
      a.n += b.n;
      for (let i = 1; i < list.length - 1; i++) list[i] = list[i + 1]!;
      list.length--;
    }
  }

  private sweep(): void {
    this.sinceSweep = 0;
    this.lastKey = undefined;
    const cutoff = this.cutoff();
    const staleKeys: string[] = [];
    for (const [key, state] of this.keys.rentries() as Generator<[string, KeyState]>) {
      if (state.lastMs >= cutoff || staleKeys.length >= SWEEP_MAX) break;
      staleKeys.push(key);
    }
    for (const key of staleKeys) this.keys.delete(key);
    this.uids?.forgetOlderThan(cutoff, SWEEP_MAX);
  }
}
