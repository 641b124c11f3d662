import { KeyedSlots } from '../model/keyed-slots.js';

/** Field of an Event uid's slot: the highest count seen. */
const LAST_COUNT = 0;

/**
 * Occurrences a delivery adds, from the Event's count: an in-place update (same uid, count
 * going up) adds the increase, a repeat with the same count adds nothing. The first sighting of
 * an Event adds its count when its occurrences all fall within `windowMillis`, else the share of
 * them that does (count spread evenly from start to last time), at least 1. Remembers at most
 * `maxUids` Event uids (least recently seen forgotten first), in a {@link KeyedSlots} (no Map
 * entry per uid: at 100,000 uids a Map and its key and value arrays held ~5 MiB of heap,
 * docs/performance.md, "Ninth pass").
 */
export class CountDeltas {
  private readonly last: KeyedSlots;

  constructor(
    private readonly windowMillis: number,
    private readonly maxUids: number,
  ) {
    this.last = new KeyedSlots(1, 64, maxUids + 1);
  }

  /** Occurrences added by this delivery of Event `uid`. */
  delta(uid: string, count: number, startTimeMs: number, timeMs: number): number {
    const n = Number.isFinite(count) && count >= 1 ? Math.floor(count) : 1;
    if (!uid) return 1;
    const last = this.last;
    const slot = last.slotOf(uid);
    if (slot >= 0) {
      last.touch(slot);
      const prev = last.get(slot, LAST_COUNT);
      if (n <= prev) return 0;
      last.set(slot, LAST_COUNT, n);
      return n - prev;
    }
    last.set(last.add(uid), LAST_COUNT, n);
    if (last.size > this.maxUids) last.remove(last.oldest());
    const spanMs = timeMs - startTimeMs;
    if (n === 1 || !(spanMs > this.windowMillis)) return n;
    return Math.max(1, Math.ceil((n * this.windowMillis) / spanMs));
  }

  /** Number of uids remembered. */
  size(): number {
    return this.last.size;
  }
}
