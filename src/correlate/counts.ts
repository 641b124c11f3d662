import { PriorCounts, occurrenceCount } from '../model/prior-counts.js';

/**
 * Occurrences a delivery adds, from the Event's count: an in-place update (same uid, count
 * going up) adds the increase, a repeat with the same count adds nothing. The first sighting of
 * an Event (`priorCount` NaN) adds its count when its occurrences all fall within
 * `windowMillis`, else the share of them that does (count spread evenly from start to last
 * time), at least 1.
 */
export function countDelta(count: number, priorCount: number, startTimeMs: number, timeMs: number, windowMillis: number): number {
  const n = occurrenceCount(count);
  if (!Number.isNaN(priorCount)) {
    const prev = occurrenceCount(priorCount);
    return n > prev ? n - prev : 0;
  }
  const spanMs = timeMs - startTimeMs;
  if (n === 1 || !(spanMs > windowMillis)) return n;
  return Math.max(1, Math.ceil((n * windowMillis) / spanMs));
}

/**
 * {@link countDelta} for callers that do not know what was seen of a uid before: remembers at
 * most `maxUids` Event uids (least recently seen forgotten first) in a {@link PriorCounts}. The
 * pipeline does not use one: the delivery gate's memory comes on the record (docs/performance.md,
 * "Tenth pass").
 */
export class CountDeltas {
  private readonly seen: PriorCounts;

  constructor(
    private readonly windowMillis: number,
    maxUids: number,
  ) {
    this.seen = new PriorCounts(maxUids);
  }

  /** Occurrences added by this delivery of Event `uid`. */
  delta(uid: string, count: number, startTimeMs: number, timeMs: number): number {
    if (!uid) return 1;
    const seen = this.seen;
    seen.note(uid, occurrenceCount(count), timeMs);
    return countDelta(count, seen.count, startTimeMs, timeMs, this.windowMillis);
  }

  /** Number of uids remembered. */
  size(): number {
    return this.seen.size;
  }
}
