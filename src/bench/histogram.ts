/** Relative width of a bucket: values are reported with at most this relative error (1%). */
const GROWTH = 1.01;
const LOG_GROWTH = Math.log(GROWTH);

/** Latency percentiles, milliseconds. */
export interface LatencySummary {
  /** Samples recorded. */
  count: number;
  p50Millis: number;
  p95Millis: number;
  p99Millis: number;
  maxMillis: number;
}

/**
 * A bounded latency histogram: log-spaced buckets 1% wide over (value + 1) milliseconds, so a
 * run of any length takes the same few kilobytes. Percentiles are bucket upper bounds.
 */
export class LatencyHistogram {
  private counts = new Map<number, number>();
  private total = 0;
  private max = 0;

  /** Records one latency, milliseconds (negative values, from clock skew, count as 0). */
  record(millis: number): void {
    const value = Math.max(0, millis);
    const index = Math.floor(Math.log(value + 1) / LOG_GROWTH);
    this.counts.set(index, (this.counts.get(index) ?? 0) + 1);
    this.total++;
    if (value > this.max) this.max = value;
  }

  /** The value at quantile `q` (0..1), milliseconds; 0 when empty. */
  quantile(q: number): number {
    if (this.total === 0) return 0;
    const rank = Math.max(1, Math.ceil(q * this.total));
    let seen = 0;
    for (const index of [...this.counts.keys()].sort((a, b) => a - b)) {
      seen += this.counts.get(index)!;
      if (seen >= rank) return Math.min(this.max, GROWTH ** (index + 1) - 1);
    }
    return this.max;
  }

  /** p50/p95/p99/max of what was recorded. */
  summary(): LatencySummary {
    return { count: this.total, p50Millis: this.quantile(0.5), p95Millis: this.quantile(0.95), p99Millis: this.quantile(0.99), maxMillis: this.max };
  }
}
