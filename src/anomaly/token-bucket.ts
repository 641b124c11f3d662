import type { Clock } from '../model/time.js';

/** A token bucket on an injected clock: `burst` tokens, refilled at `ratePerMinute`. */
export class TokenBucket {
  private tokens: number;
  private lastMs: number;

  constructor(
    private readonly ratePerMinute: number,
    private readonly burst: number,
    private readonly clock: Clock,
  ) {
    this.tokens = burst;
    this.lastMs = clock.now();
  }

  /** Takes one token when there is one; false (nothing taken) otherwise. */
  take(): boolean {
    const now = this.clock.now();
    // Wall clock may step back: never refill on a negative gap.
    this.tokens = Math.min(this.burst, this.tokens + (Math.max(0, now - this.lastMs) * this.ratePerMinute) / 60_000);
    this.lastMs = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}
