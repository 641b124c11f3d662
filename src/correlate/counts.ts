import { LruMap } from '../model/lru.js';

/**
 * Occurrences a delivery adds, from the Event's count: an in-place update (same uid, count
 * going up) adds the increase, a repeat with the same count adds nothing. The first sighting of
 * an Event adds its count when its occurrences all fall within `windowMillis`, else the share of
 * them that does (count spread evenly from start to last time), at least 1. Remembers at most
 * `maxUids` Event uids (least recently seen forgotten first).
 */
export class CountDeltas {
  private readonly last: LruMap<string, number>;

  constructor(
    private readonly windowMillis: number,
    maxUids: number,
  ) {
    this.last = new LruMap<string, number>(maxUids);
  }

  /** Occurrences added by this delivery of Event `uid`. */
  delta(uid: string, count: number, startTimeMs: number, timeMs: number): number {
    const n = Number.isFinite(count) && count >= 1 ? Math.floor(count) : 1;
    if (!uid) return 1;
    const prev = this.last.get(uid);
    if (prev !== undefined) {
      if (n > prev) this.last.set(uid, n);
      return n > prev ? n - prev : 0;
    }
    this.last.set(uid, n);
    const spanMs = timeMs - startTimeMs;
    if (n === 1 || !(spanMs > this.windowMillis)) return n;
    return Math.max(1, Math.ceil((n * this.windowMillis) / spanMs));
  }
}
