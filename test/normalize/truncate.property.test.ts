import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { truncateUtf8 } from '../../src/normalize/strings.js';

describe('truncateUtf8 (property)', () => {
  it('fits the limit, keeps a whole-character prefix and reports the bytes cut', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 400 }), fc.integer({ min: 64, max: 600 }), (text, max) => {
        const { text: out, truncated } = truncateUtf8(text, max);
        const total = Buffer.byteLength(text);
        if (total <= max) {
          expect(truncated).toBe(false);
          expect(out).toBe(text);
          return;
        }
        expect(truncated).toBe(true);
        expect(Buffer.byteLength(out)).toBeLessThanOrEqual(max);
        const m = /^([\s\S]*) …\[truncated (\d+) bytes\]$/.exec(out);
        expect(m).not.toBeNull();
        const kept = m![1]!;
        expect(text.startsWith(kept)).toBe(true);
        expect(Buffer.byteLength(kept) + Number(m![2])).toBe(total);
        expect(Buffer.from(kept).toString()).toBe(kept); // no split character
      }),
      { numRuns: 300, seed: 42 },
    );
  });
});
