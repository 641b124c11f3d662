import { type Clock, systemClock } from '../model/time.js';
import type { Logger } from '../observe/logger.js';
import type { Metrics } from '../observe/metrics.js';
import type { CheckpointStore } from './checkpoint.js';
import type { CheckpointTracker } from './tracker.js';

/** Options of a {@link Checkpointer}. */
export interface CheckpointerOptions {
  /** How often to save when the checkpoint changed, milliseconds (`delivery.checkpoint.intervalMillis`). */
  intervalMillis: number;
  /** Wall clock, to space out saves that take long. Default the system clock. */
  clock?: Clock;
  logger?: Logger;
  /** Saves by kind and result, their duration, the time of the last one. */
  metrics?: Metrics;
}

/**
 * Saves the tracker's checkpoint every `intervalMillis` when it changed, and once more on
 * `stop()`. A failed save is logged (once per distinct message) and retried at the next tick;
 * it never throws into the timer. A store that appends (the file store's journal) is handed
 * only the changes since the last save while it accepts them, else the whole checkpoint. A
 * whole save costs time in proportion to the `exported` list (about 0.3 s for 200,000
 * entries), so timer saves are spaced at least 20 times the last save's duration apart:
 * checkpointing never takes more than about 5% of the process.
 */
export class Checkpointer {
  private timer: NodeJS.Timeout | undefined;
  private savedRevision = -1;
  private chain: Promise<boolean> = Promise.resolve(true);
  private readonly warned = new Set<string>();
  private saves = 0;
  private nextTickMs = 0;
  private readonly clock: Clock;

  constructor(
    private readonly tracker: CheckpointTracker,
    private readonly store: CheckpointStore,
    private readonly options: CheckpointerOptions,
  ) {
    this.clock = options.clock ?? systemClock;
  }

  /** Starts the periodic save (the timer does not keep the process alive). */
  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.tick(), this.options.intervalMillis);
    this.timer.unref();
  }

  /** What the timer runs: {@link flush}, unless the last save was so slow that this tick is skipped. */
  tick(): Promise<boolean> {
    if (this.clock.now() < this.nextTickMs) return Promise.resolve(false);
    return this.flush();
  }

  /** Saves now if the checkpoint changed since the last save; resolves true when it saved. Never rejects. */
  flush(): Promise<boolean> {
    this.chain = this.chain.then(() => this.saveIfChanged());
    return this.chain;
  }

  /** Stops the timer and makes a final save. Call after the pipeline drained. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.flush();
  }

  /** Number of successful saves (tests, the terminal view). */
  saveCount(): number {
    return this.saves;
  }

  private async saveIfChanged(): Promise<boolean> {
    const revision = this.tracker.revision();
    if (revision === this.savedRevision) return false;
    const started = this.clock.now();
    const metrics = this.options.metrics;
    let kind: 'append' | 'snapshot' = 'append';
    try {
      // taken together, synchronously: changes acknowledged during the write wait for the next save
      const mark = this.tracker.changeMark();
      const changes = this.store.append ? this.tracker.changes() : undefined;
      if (!(changes && (await this.store.append?.(changes)))) {
        kind = 'snapshot';
        const checkpoint = this.tracker.snapshotColumns();
        if (!checkpoint) return false;
        await this.store.save(checkpoint);
      }
      this.tracker.saved(mark);
      this.savedRevision = revision;
      this.saves++;
      const now = this.clock.now();
      metrics?.checkpointSaves.inc({ kind, result: 'ok' });
      metrics?.checkpointSaveSeconds.observe({ kind }, (now - started) / 1000);
      metrics?.checkpointLastSave.set(now / 1000);
      return true;
    } catch (err) {
      metrics?.checkpointSaves.inc({ kind, result: 'error' });
      const message = err instanceof Error ? err.message : String(err);
      if (!this.warned.has(message)) {
        this.warned.add(message);
        this.options.logger?.warn({ err: message }, `checkpoint save failed (retried every ${this.options.intervalMillis} ms): ${message}`);
      }
      return false;
    } finally {
      this.nextTickMs = started + 20 * (this.clock.now() - started);
    }
  }
}
