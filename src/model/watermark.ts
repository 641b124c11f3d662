import type { Clock } from './time.js';

/** Options of a {@link Watermark}. */
export interface WatermarkOptions {
  /** How far behind the newest event time an event may arrive and still count as in order. Default 30000. */
  allowedLatenessMillis?: number;
  /** After this long without events (wall clock), the watermark advances with wall-clock time. Default 60000. */
  idleAdvanceMillis?: number;
}

/**
 * Event-time watermark: the newest event time seen, minus the allowed lateness.
 * Windows close when the watermark passes their end. Wall clock only advances it when idle.
 */
export class Watermark {
  private maxEventMs = 0;
  private lastArrivalWallMs = 0;
  private readonly latenessMs: number;
  private readonly idleMs: number;

  constructor(
    private readonly clock: Clock,
    options: WatermarkOptions = {},
  ) {
    this.latenessMs = options.allowedLatenessMillis ?? 30_000;
    this.idleMs = options.idleAdvanceMillis ?? 60_000;
  }

  /** Records an event time; returns true when the event is later than the watermark (in order enough). */
  observe(eventMs: number): boolean {
    this.lastArrivalWallMs = this.clock.now();
    const onTime = eventMs >= this.current();
    if (eventMs > this.maxEventMs) this.maxEventMs = eventMs;
    return onTime;
  }

  /** Current watermark in epoch ms (0 before any event). */
  current(): number {
    if (this.maxEventMs === 0) return 0;
    let mark = this.maxEventMs - this.latenessMs;
    const idleFor = this.clock.now() - this.lastArrivalWallMs;
    if (idleFor > this.idleMs) mark += idleFor - this.idleMs;
    return mark;
  }
}
