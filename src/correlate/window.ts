/**
 * Occurrence counts over a sliding event-time window, kept in `buckets` slots of equal width.
 * The window ends at the bucket of the newest time seen; events may arrive out of order and
 * still count while their bucket is inside the window. Memory is at most `buckets` pairs.
 */
export class SlidingCount {
  private readonly slots: number[] = [];
  private readonly counts: number[] = [];
  private newest = Number.NEGATIVE_INFINITY;
  private sum = 0;

  constructor(
    /** Width of one bucket, ms. */
    readonly bucketMillis: number,
    /** Buckets per window. */
    readonly buckets: number,
  ) {}

  /** Occurrences in the current window. */
  total(): number {
    return this.sum;
  }

  /** Index of the newest bucket seen (window end). */
  newestBucket(): number {
    return this.newest;
  }

  /** Adds `n` occurrences at `timeMs`; false when that time is already out of the window (too late, not counted). */
  add(timeMs: number, n: number): boolean {
    const slot = Math.floor(timeMs / this.bucketMillis);
    if (slot > this.newest) this.slide(slot);
    if (slot <= this.newest - this.buckets) return false;
    if (n <= 0) return true;
    this.sum += n;
    let i = this.slots.length - 1;
    while (i >= 0 && (this.slots[i] as number) > slot) i--;
    if (i >= 0 && this.slots[i] === slot) this.counts[i] = (this.counts[i] as number) + n;
    else {
      this.slots.splice(i + 1, 0, slot);
      this.counts.splice(i + 1, 0, n);
    }
    return true;
  }

  /** Moves the window end to `slot`, dropping buckets that fall out. */
  private slide(slot: number): void {
    this.newest = slot;
    const oldest = slot - this.buckets + 1;
    let drop = 0;
    while (drop < this.slots.length && (this.slots[drop] as number) < oldest) {
      this.sum -= this.counts[drop] as number;
      drop++;
    }
    if (drop > 0) {
      this.slots.splice(0, drop);
      this.counts.splice(0, drop);
    }
  }
}
