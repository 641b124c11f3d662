/** Timers used by the list/watch loop, injected so tests run without real waiting. */
export interface Scheduler {
  /** Resolves after `ms` milliseconds, or early (without error) when `signal` aborts. */
  sleep(ms: number, signal: AbortSignal): Promise<void>;
  /** Calls `fn` after `ms` milliseconds unless the returned cancel function is called first. */
  setTimer(fn: () => void, ms: number): () => void;
}

/** The real timers. */
export const realScheduler: Scheduler = {
  sleep(ms, signal) {
    return new Promise<void>((resolve) => {
      if (signal.aborted || ms <= 0) {
        resolve();
        return;
      }
      const onAbort = (): void => {
        clearTimeout(t);
        resolve();
      };
      const t = setTimeout(() => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      signal.addEventListener('abort', onAbort, { once: true });
    });
  },
  setTimer(fn, ms) {
    const t = setTimeout(fn, ms);
    return () => clearTimeout(t);
  },
};

/** Capped exponential backoff with full jitter: a uniform delay in [0, min(max, initial * 2^(failures-1))). */
export function backoffMillis(failures: number, initialMillis: number, maxMillis: number, random: () => number): number {
  const cap = Math.min(maxMillis, initialMillis * 2 ** Math.min(Math.max(failures - 1, 0), 30));
  return Math.floor(random() * cap);
}
