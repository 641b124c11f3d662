/** Source of wall-clock time, injected so tests drive it. Event-time windows never use it. */
export interface Clock {
  /** Epoch milliseconds. */
  now(): number;
}

/** The process clock. */
export const systemClock: Clock = { now: () => Date.now() };

/** A clock tests move by hand. */
export class ManualClock implements Clock {
  constructor(private ms = 0) {}
  now(): number {
    return this.ms;
  }
  /** Moves the clock forward by `ms` milliseconds. */
  advance(ms: number): void {
    this.ms += ms;
  }
  /** Sets the clock to `ms`. */
  set(ms: number): void {
    this.ms = ms;
  }
}

/** The last string {@link toEpochMs} parsed, and its result. */
const lastParsed: { text: string; ms: number | undefined } = { text: '', ms: undefined };

/** Parses a Kubernetes time (RFC 3339, possibly with microseconds) or Date to epoch ms; undefined when absent or invalid. */
export function toEpochMs(value: unknown): number | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (value instanceof Date) {
    const t = value.getTime();
    return Number.isFinite(t) && t > 0 ? t : undefined;
  }
  if (typeof value === 'string') {
    // Events in a stream mostly carry the same few second-resolution times: parse each once.
    if (value === lastParsed.text) return lastParsed.ms;
    const t = Date.parse(value);
    const ms = Number.isFinite(t) && t > 0 ? t : undefined;
    lastParsed.text = value;
    lastParsed.ms = ms;
    return ms;
  }
  if (typeof value === 'number' && Number.isFinite(value) && value > 0) return value;
  return undefined;
}
