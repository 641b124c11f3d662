/**
 * Regenerates gate-golden.json and tracker-golden.json from the Map-based DeliveryGate and CheckpointTracker of commit
 * b255a38^ (the implementation before per-Event state moved into KeyedSlots), taken from git:
 *
 *   node --import tsx test/delivery/slots-golden-regen.ts
 *
 * Only for a deliberate change of the scenarios (slots-golden.ts): the fixture pins the old
 * behaviour, so it must never be produced by the code under test.
 */
import { writeFileSync } from 'node:fs';
import { ManualClock } from '../../src/model/time.js';
import { createMetrics } from '../../src/observe/metrics.js';
import { oldSources } from './old-source.js';
import { GOLDEN_SEEDS, golden } from './slots-golden.js';
import type { GateLike, Impl, TrackerLike } from './slots-golden.js';

export const REFERENCE_COMMIT = 'b255a38^';

const [gateUrl, trackerUrl] = oldSources(REFERENCE_COMMIT, ['src/delivery/gate.ts', 'src/delivery/tracker.ts']);
const { DeliveryGate } = (await import(gateUrl as string)) as { DeliveryGate: new (...args: unknown[]) => GateLike };
const { CheckpointTracker } = (await import(trackerUrl as string)) as { CheckpointTracker: new (...args: unknown[]) => TrackerLike };
const impl: Impl = {
  gate: (config, deps) => new DeliveryGate(config, deps),
  tracker: (options) => new CheckpointTracker(options),
  createMetrics: () => createMetrics(),
  manualClock: (ms) => new ManualClock(ms),
};
const gates: string[] = [];
const trackers: string[] = [];
for (const seed of GOLDEN_SEEDS) {
  const g = await golden(impl, seed);
  gates.push(JSON.stringify({ seed, gate: g.gate }));
  trackers.push(JSON.stringify({ seed, tracker: g.tracker }));
}
writeFileSync(new URL('./gate-golden.json', import.meta.url), `[\n${gates.join(',\n')}\n]\n`);
writeFileSync(new URL('./tracker-golden.json', import.meta.url), `[\n${trackers.join(',\n')}\n]\n`);
