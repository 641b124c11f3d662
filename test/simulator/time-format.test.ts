import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatMicroTime, formatTime } from '../../src/simulator/store.js';

describe('simulator time formats', () => {
  it('format like Date#toISOString (metav1.Time, metav1.MicroTime), whatever was formatted before', () => {
    const ms = fc.oneof(fc.integer({ min: 0, max: 4_102_444_800_000 }), fc.double({ min: 0, max: 4_102_444_800_000, noNaN: true }));
    fc.assert(
      fc.property(fc.array(ms, { minLength: 1, maxLength: 8 }).map((a) => a.flatMap((t) => [t, t + 0.25, t])), (times) => {
        for (const t of times) {
          expect(formatTime(t)).toBe(new Date(Math.floor(t / 1000) * 1000).toISOString().replace('.000Z', 'Z'));
          expect(formatMicroTime(t)).toBe(new Date(t).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z'));
        }
      }),
      { seed: 20261123, numRuns: 500 },
    );
    expect(formatMicroTime(1_795_416_942_123)).toBe('2026-11-23T06:55:42.123000Z');
  });
});
