import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DeliveryGate } from '../../src/delivery/gate.js';
import { CheckpointTracker } from '../../src/delivery/tracker.js';
import { ManualClock } from '../../src/model/time.js';
import { createMetrics } from '../../src/observe/metrics.js';
import { GOLDEN_SEEDS, gateScenario, runGate, runTracker, trackerScenario } from './slots-golden.js';
import type { GateTrace, Impl, TrackerTrace } from './slots-golden.js';

/**
 * Replays 250 seeded call sequences per class (slots-golden.ts) through the current
 * DeliveryGate and CheckpointTracker and compares every decision, released and held Event,
 * size, held count, dedupe counter, snapshot, pending count, revision and frozen reason with
 * gate-golden.json and tracker-golden.json, which the Map-based implementation of commit
 * b255a38^ produced (before per-Event state moved into KeyedSlots). To regenerate (only for a
 * deliberate change of the scenarios): `node --import tsx test/delivery/slots-golden-regen.ts`,
 * which runs that commit's code from git, never the code under test.
 */
const impl: Impl = {
  gate: (config, deps) => new DeliveryGate(config, deps),
  tracker: (options) => new CheckpointTracker(options),
  createMetrics: () => createMetrics(),
  manualClock: (ms) => new ManualClock(ms),
};

const load = <T>(name: string): T => JSON.parse(readFileSync(new URL(name, import.meta.url), 'utf8')) as T;
const gates = load<Array<{ seed: number; gate: GateTrace }>>('./gate-golden.json');
const trackers = load<Array<{ seed: number; tracker: TrackerTrace }>>('./tracker-golden.json');

describe('delivery golden replay', () => {
  it('covers every seed', () => {
    expect(gates.map((g) => g.seed)).toEqual(GOLDEN_SEEDS);
    expect(trackers.map((g) => g.seed)).toEqual(GOLDEN_SEEDS);
  });

  it('the fixtures exercise eviction, expiry, holds, releases, failures and overflow', () => {
    const results = gates.flatMap((g) => g.gate.steps.map((s) => s[0]));
    for (const decision of ['deliver', 'duplicate', 'held']) expect(results).toContain(decision);
    expect(results.some((r) => Array.isArray(r) && r.length > 0)).toBe(true);
    expect(gates.some((g) => (g.gate.deduplicated.coalesced ?? 0) > 0 && (g.gate.deduplicated.already_exported ?? 0) > 0)).toBe(true);
    const frozen = new Set(trackers.flatMap((t) => t.tracker.steps.map((s) => s[3])));
    expect([...frozen].sort()).toEqual(['failed', 'overflow', null].sort());
  });

  it('DeliveryGate (slots) decides, releases and counts as the Map-based gate did', async () => {
    for (const expected of gates) {
      const actual = await runGate(impl, gateScenario(expected.seed));
      expect(actual, `gate seed ${expected.seed}`).toEqual(expected.gate);
    }
  });

  it('CheckpointTracker (slots) checkpoints as the Map-based tracker did', () => {
    for (const expected of trackers) {
      const actual = runTracker(impl, trackerScenario(expected.seed));
      expect(actual, `tracker seed ${expected.seed}`).toEqual(expected.tracker);
    }
  });
});
