import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { EscalationTracker } from '../../src/classify/escalation.js';
import { GOLDEN_SEEDS, runEscalation, scenario } from './escalation-golden.js';
import type { Golden } from './escalation-golden.js';

/**
 * Replays 300 seeded call sequences (escalation-golden.ts) through the current
 * EscalationTracker and compares every window count and size with escalation-golden.json, which
 * the LRUCache-based tracker of commit b255a38^ produced. To regenerate (only for a deliberate
 * change of the scenarios): `node --import tsx test/classify/escalation-golden-regen.ts`, which
 * runs that commit's code from git, never the code under test.
 */
const fixture = JSON.parse(readFileSync(new URL('./escalation-golden.json', import.meta.url), 'utf8')) as Golden[];

describe('escalation golden replay', () => {
  it('covers every seed, with counts and sizes beyond zero', () => {
    expect(fixture.map((g) => g.seed)).toEqual(GOLDEN_SEEDS);
    expect(fixture.filter((g) => g.results.some((r) => r > 1)).length).toBeGreaterThan(GOLDEN_SEEDS.length / 2);
  });

  it('EscalationTracker (uid slots) counts as the LRUCache-based one did', () => {
    for (const expected of fixture) {
      expect(runEscalation((o) => new EscalationTracker(o), scenario(expected.seed)), `seed ${expected.seed}`).toEqual(expected.results);
    }
  });
});
