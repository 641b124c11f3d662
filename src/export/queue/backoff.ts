/**
 * Exponential backoff with full jitter (AWS architecture blog, "Exponential Backoff and Jitter"):
 * a uniformly random wait between 0 and `min(maxMillis, initialMillis * 2^retry)`. `retry` counts
 * from 0 (the wait before the first retry); `random` returns [0, 1) and is injected for tests.
 */
export function fullJitterBackoffMillis(retry: number, initialMillis: number, maxMillis: number, random: () => number): number {
  const ceiling = Math.min(maxMillis, initialMillis * 2 ** Math.min(retry, 52));
  return Math.floor(random() * ceiling);
}
