/**
 * Regenerates escalation-golden.json from the LRUCache-based EscalationTracker of commit
 * b255a38^ (before Event uids moved into KeyedSlots), taken from git:
 *
 *   node --import tsx test/classify/escalation-golden-regen.ts
 *
 * Only for a deliberate change of the scenarios (escalation-golden.ts): the fixture pins the old
 * behaviour, so it must never be produced by the code under test.
 */
import { writeFileSync } from 'node:fs';
import { oldSources } from '../delivery/old-source.js';
import { GOLDEN_SEEDS, runEscalation, scenario } from './escalation-golden.js';
import type { Scenario, TrackerLike } from './escalation-golden.js';

const [url] = oldSources('b255a38^', ['src/classify/escalation.ts']);
const { EscalationTracker } = (await import(url as string)) as { EscalationTracker: new (options: Scenario['options']) => TrackerLike };
const entries = GOLDEN_SEEDS.map((seed) => JSON.stringify({ seed, results: runEscalation((o) => new EscalationTracker(o), scenario(seed)) }));
writeFileSync(new URL('./escalation-golden.json', import.meta.url), `[\n${entries.join(',\n')}\n]\n`);
