import type { Logger } from './logger.js';
import type { Metrics } from './metrics.js';

/**
 * Counts what a stage could not handle: every skip is counted by stage and reason and
 * logged once per (stage, reason), so nothing is lost silently and logs do not flood.
 */
export class SkipReporter {
  private readonly warned = new Set<string>();
  private readonly counts = new Map<string, number>();

  constructor(
    private readonly logger: Logger,
    private readonly metrics?: Metrics,
  ) {}

  /** Records one skipped (or degraded) item. `detail` goes into the first log line only. */
  skip(stage: string, reason: string, detail?: Record<string, unknown>): void {
    const key = `${stage}/${reason}`;
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
    this.metrics?.eventsSkipped.inc({ stage, reason });
    if (!this.warned.has(key)) {
      this.warned.add(key);
      this.logger.warn({ stage, reason, ...detail }, `skipped: ${stage}/${reason} (further ones only counted)`);
    }
  }

  /** Count of skips for `stage/reason`, or of all skips when no key is given. */
  count(stage?: string, reason?: string): number {
    if (stage === undefined) return [...this.counts.values()].reduce((a, b) => a + b, 0);
    if (reason === undefined) {
      let n = 0;
      for (const [k, v] of this.counts) if (k.startsWith(`${stage}/`)) n += v;
      return n;
    }
    return this.counts.get(`${stage}/${reason}`) ?? 0;
  }

  /** Snapshot of all counts keyed `stage/reason`. */
  snapshot(): Record<string, number> {
    return Object.fromEntries(this.counts);
  }
}
