import type { KEvent } from '../model/event.js';

/** Options of {@link EscalationTracker}. */
export interface EscalationTrackerOptions {
  /** Most keys (and most Event uids) kept; the least recently seen is evicted first. */
  maxKeys: number;
  /** State whose newest occurrence is this far (event time, ms) behind the newest event seen is dropped. */
  maxAgeMillis: number;
  /** Most spans kept per key; beyond it the two oldest are merged. Default 128. */
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

interface UidState {
  count: number;
  timeMs: number;
}

/** Keys are evicted a few at a time on each record, so no call does unbounded work. */
const SWEEP_PER_CALL = 4;

/**
 * Counts occurrences per key in event time, for frequency escalation. An Event seen again with
 * a higher `count` adds the delta (3 then 7 adds 4), spread over the time since its previous
 * delivery; an Event seen first with count n > 1 spreads n over [startTimeMs, timeMs]. A
 * re-delivery with the same count adds nothing. State is bounded in keys and in age.
 */
export class EscalationTracker {
  private readonly keys = new Map<string, KeyState>();
  private readonly uids = new Map<string, UidState>();
  private newestMs = Number.NEGATIVE_INFINITY;
  private readonly maxSpans: number;

  constructor(private readonly options: EscalationTrackerOptions) {
    this.maxSpans = Math.max(2, options.maxSpansPerKey ?? 128);
  }

  /** Records the occurrences `event` adds under `key`. */
  record(key: string, event: KEvent): void {
    const t = event.timeMs;
    if (t > this.newestMs) this.newestMs = t;
    const span = this.newOccurrences(event);
    if (span) {
      let state = this.keys.get(key);
      if (state) this.keys.delete(key);
      else state = { spans: [], lastMs: Number.NEGATIVE_INFINITY };
      this.keys.set(key, state);
      state.spans.push(span);
      if (span.toMs > state.lastMs) state.lastMs = span.toMs;
      this.prune(state);
    }
    this.sweep();
  }

  /** Occurrences under `key` within the window (endMs - windowMillis, endMs]. */
  countInWindow(key: string, endMs: number, windowMillis: number): number {
    const state = this.keys.get(key);
    if (!state) return 0;
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

  /** Number of keys held (for tests and self-observation). */
  size(): number {
    return this.keys.size;
  }

  private newOccurrences(event: KEvent): Span | undefined {
    const count = Number.isFinite(event.count) && event.count >= 1 ? Math.floor(event.count) : 1;
    const t = event.timeMs;
    if (!event.uid) return { fromMs: t, toMs: t, n: count };
    const prev = this.uids.get(event.uid);
    if (prev) this.uids.delete(event.uid);
    this.uids.set(event.uid, { count: Math.max(count, prev?.count ?? 0), timeMs: Math.max(t, prev?.timeMs ?? t) });
    if (this.uids.size > this.options.maxKeys) this.evictOldest(this.uids);
    if (!prev) {
      const from = event.startTimeMs > 0 && event.startTimeMs < t ? event.startTimeMs : t;
      return { fromMs: count > 1 ? from : t, toMs: t, n: count };
    }
    const delta = count - prev.count;
    if (delta <= 0) return undefined;
    return { fromMs: prev.timeMs < t ? prev.timeMs : t, toMs: t, n: delta };
  }

  private prune(state: KeyState): void {
    const cutoff = this.newestMs - this.options.maxAgeMillis;
    if (state.spans.length > 0 && state.spans.some((s) => s.toMs < cutoff)) {
      state.spans = state.spans.filter((s) => s.toMs >= cutoff);
    }
    while (state.spans.length > this.maxSpans) {
      let a = 0;
      for (let i = 1; i < state.spans.length; i++) if (state.spans[i]!.toMs < state.spans[a]!.toMs) a = i;
      const [oldest] = state.spans.splice(a, 1);
      let b = 0;
      for (let i = 1; i < state.spans.length; i++) if (state.spans[i]!.toMs < state.spans[b]!.toMs) b = i;
      const next = state.spans[b]!;
      state.spans[b] = { fromMs: Math.min(oldest!.fromMs, next.fromMs), toMs: Math.max(oldest!.toMs, next.toMs), n: oldest!.n + next.n };
    }
  }

  private sweep(): void {
    while (this.keys.size > this.options.maxKeys) this.evictOldest(this.keys);
    const cutoff = this.newestMs - this.options.maxAgeMillis;
    let n = 0;
    for (const [key, state] of this.keys) {
      if (n++ >= SWEEP_PER_CALL || state.lastMs >= cutoff) break;
      this.keys.delete(key);
    }
    n = 0;
    for (const [uid, state] of this.uids) {
      if (n++ >= SWEEP_PER_CALL || state.timeMs >= cutoff) break;
      this.uids.delete(uid);
    }
  }

  private evictOldest(map: Map<string, unknown>): void {
    const first = map.keys().next();
    if (!first.done) map.delete(first.value);
  }
}
