/** One step of a scenario: writes exactly one Event at sim time `atMs`. */
export type StepFn = (atMs: number) => void;

/** A scenario step, `delayMs` after the previous one (sim milliseconds). */
export interface Step {
  delayMs: number;
  run: StepFn;
}

interface Pending {
  atMs: number;
  seq: number;
  run: StepFn;
}

/** A queue of future scenario steps in sim-time order (ties in insertion order). */
export class StepQueue {
  private items: Pending[] = [];
  private seq = 0;

  /** Number of pending steps. */
  size(): number {
    return this.items.length;
  }

  /** Queues every step at its cumulative time from `startMs` (the first at `startMs + steps[0].delayMs`). */
  schedule(startMs: number, steps: readonly Step[]): void {
    let at = startMs;
    for (const s of steps) {
      at += s.delayMs;
      this.push(at, s.run);
    }
  }

  /** Queues one step. */
  push(atMs: number, run: StepFn): void {
    const item = { atMs, seq: this.seq++, run };
    let lo = 0;
    let hi = this.items.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      const m = this.items[mid]!;
      if (m.atMs < atMs || (m.atMs === atMs && m.seq < item.seq)) lo = mid + 1;
      else hi = mid;
    }
    this.items.splice(lo, 0, item);
  }

  /** Removes and returns the earliest step due at or before `nowMs`, if any. */
  popDue(nowMs: number): { atMs: number; run: StepFn } | undefined {
    const first = this.items[0];
    if (!first || first.atMs > nowMs) return undefined;
    this.items.shift();
    return first;
  }
}
