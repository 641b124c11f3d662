import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { correlateConfigSchema, patternConfigSchema } from '../../src/correlate/config.js';
import { Correlator } from '../../src/correlate/correlator.js';
import { PatternDetector } from '../../src/correlate/pattern.js';
import { ManualClock } from '../../src/model/time.js';
import { createMetrics } from '../../src/observe/metrics.js';
import { GOLDEN_SEEDS, golden } from './golden.js';
import type { Golden, Impl } from './golden.js';

/**
 * Replays 250 seeded record sequences (golden.ts) and compares every correlation id, pattern
 * id, finding, incident list and gauge with golden.json, which the correlate stage of commit
 * 2ff6eb7 produced (lru-cache based, before the hot-path rewrite). Optimizations must not
 * change any of it. To regenerate, run golden() over GOLDEN_SEEDS with that commit's
 * src/correlate (`git show 2ff6eb7:src/correlate/<file>`) from a scratch copy, never with the
 * code under test.
 */
const impl: Impl = {
  Correlator,
  PatternDetector,
  parseCorrelate: (input) => correlateConfigSchema.parse(input),
  parsePattern: (input) => patternConfigSchema.parse(input),
  createMetrics: () => createMetrics(),
  manualClock: (ms) => new ManualClock(ms),
};

const fixture = JSON.parse(readFileSync(new URL('./golden.json', import.meta.url), 'utf8')) as Golden[];

describe('correlate golden replay', () => {
  it('covers every seed', () => {
    expect(fixture.map((g) => g.seed)).toEqual(GOLDEN_SEEDS);
  });

  it('gives the same ids, patterns, findings and incidents as the reference implementation', async () => {
    for (const expected of fixture) {
      const actual = await golden(impl, expected.seed);
      expect({ seed: actual.seed, assigned: actual.assigned, patterns: actual.patterns }).toEqual({ seed: expected.seed, assigned: expected.assigned, patterns: expected.patterns });
      expect(actual.digest, `seed ${expected.seed}: ids, findings or incident lists differ`).toBe(expected.digest);
    }
  });
});
