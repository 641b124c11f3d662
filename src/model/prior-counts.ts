import { KeyedSlots } from './keyed-slots.js';

/** Fields of a uid's slot: the highest count and the newest event time seen. */
const COUNT = 0;
const TIME_MS = 1;

/**
 * Per Event uid, the highest `count` and the newest event time seen so far: what a stage needs to
 * turn an Event's cumulative count into the occurrences one delivery adds (frequency escalation,
 * the pattern detector's count deltas). Least recently seen forgotten first beyond `maxUids`.
 *
 * In the pipeline no stage keeps one: the delivery gate already remembers each uid's delivered
 * count and event time, and hands them over on the record (`EventRecord.priorCount`,
 * `priorTimeMs`; docs/performance.md, "Tenth pass"). A stage used on its own (tests, tools)
 * keeps one of these instead.
 */
export class PriorCounts {
  /** After {@link note}: the uid's highest count before that call; NaN when the uid was new (or forgotten). */
  count = Number.NaN;
  /** After {@link note}: the uid's newest event time before that call; NaN when the uid was new. */
  timeMs = Number.NaN;
  private readonly slots: KeyedSlots;

  constructor(private readonly maxUids: number) {
    this.slots = new KeyedSlots(2, 64, maxUids + 1);
  }

  /** Number of uids remembered. */
  get size(): number {
    return this.slots.size;
  }

  /** Sets {@link count} and {@link timeMs} to what was seen of `uid` before, then remembers this sighting. */
  note(uid: string, count: number, timeMs: number): void {
    const slots = this.slots;
    const slot = slots.slotOf(uid);
    if (slot < 0) {
      this.count = Number.NaN;
      this.timeMs = Number.NaN;
      const added = slots.add(uid);
      slots.set(added, COUNT, count);
      slots.set(added, TIME_MS, timeMs);
      if (slots.size > this.maxUids) slots.remove(slots.oldest());
      return;
    }
    slots.touch(slot);
    const prevCount = slots.get(slot, COUNT);
    const prevMs = slots.get(slot, TIME_MS);
    this.count = prevCount;
    this.timeMs = prevMs;
    if (count > prevCount) slots.set(slot, COUNT, count);
    if (timeMs > prevMs) slots.set(slot, TIME_MS, timeMs);
  }

  /** Forgets, least recently seen first, uids whose newest event time is before `cutoffMs`; stops at a newer one or after `max`. */
  forgetOlderThan(cutoffMs: number, max: number): void {
    const slots = this.slots;
    for (let n = 0, slot = slots.oldest(); slot >= 0 && n < max; n++, slot = slots.oldest()) {
      if (slots.get(slot, TIME_MS) >= cutoffMs) break;
      slots.remove(slot);
    }
  }
}

/** An Event's count as the counting stages read it: a whole number ≥ 1 (1 when missing or invalid). */
export function occurrenceCount(count: number): number {
  return Number.isFinite(count) && count >= 1 ? Math.floor(count) : 1;
}
