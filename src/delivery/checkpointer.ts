import type { Clock } from '../model/time.js';
import type { Logger } from '../observe/logger.js';
import type { CheckpointStore } from './checkpoint.js';
import type { CheckpointTracker } from './tracker.js';

/** Options of a {@link Checkpointer}. */
export interface CheckpointerOptions {
  /** How often to save when the checkpoint changed, milliseconds (`delivery.checkpoint.intervalMillis`). */
  intervalMillis: number;
  /** Wall clock (kept for symmetry with the other stages; `savedAtMs` comes from the tracker's clock). */
  clock?: Clock;
  logger?: Logger;
}

/**
 * Saves the tracker's checkpoint every `intervalMillis` when it changed, and once more on
 * `stop()`. A failed save is logged (once per distinct message) and retried at the next tick;
 * it never throws into the timer.
 */
export class Checkpointer {
  private timer: NodeJS.Timeout | undefined;
  private savedRevision = -1;
  private chain: Promise<boolean> = Promise.resolve(true);
  private readonly warned = new Set<string>();
  private saves = 0;

  constructor(
    private readonly tracker: CheckpointTracker,
    private readonly store: CheckpointStore,
    private readonly options: CheckpointerOptions,
  ) {}

  /** Starts the periodic save (the timer does not keep the process alive). */
  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.flush(), this.options.intervalMillis);
    this.timer.unref();
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
    const checkpoint = this.tracker.snapshot();
    if (!checkpoint) return false;
    try {
      await this.store.save(checkpoint);
      this.savedRevision = revision;
      this.saves++;
      return true;
    } catch (err) {
      const message = (err as Error).message ?? String(err);
      if (!this.warned.has(message)) {
        this.warned.add(message);
        this.options.logger?.warn({ err: message }, `checkpoint save failed (retried every ${this.options.intervalMillis} ms): ${message}`);
      }
      return false;
    }
  }
}
