import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Classifier } from '../../src/classify/classifier.js';
import { classifyConfigSchema } from '../../src/classify/config.js';
import { loadRuleSet } from '../../src/classify/load.js';
import { patternConfigSchema } from '../../src/correlate/config.js';
import { PatternDetector } from '../../src/correlate/pattern.js';
import { deliveryConfigSchema } from '../../src/delivery/config.js';
import { DeliveryGate } from '../../src/delivery/gate.js';
import type { EventRecord, KEvent } from '../../src/model/event.js';
import { ManualClock } from '../../src/model/time.js';
import { silentLogger } from '../../src/observe/logger.js';
import { createMetrics } from '../../src/observe/metrics.js';
import { SkipReporter } from '../../src/observe/skips.js';
import { Pipeline } from '../../src/pipeline/pipeline.js';
import { BASE_TIME_MS, buildEvent, buildRef } from '../support/builders.js';
import { TestSink } from '../support/sinks.js';

/** Keeps every record the pipeline exports, in order. */
class KeepingSink extends TestSink {
  readonly records: EventRecord[] = [];
  emit(record: EventRecord): void {
    this.records.push(record);
  }
}

const rules = loadRuleSet({});
const classifyConfig = classifyConfigSchema.parse({});
const patternConfig = patternConfigSchema.parse({ enabled: true, thresholds: { BackOff: 12 } });

/** One offered Event: which uid, how its count moves (a repeat, an older count, an increase), seconds later, a changed note. */
const stepArb = fc.record({
  uid: fc.integer({ min: 0, max: 5 }),
  change: fc.oneof(fc.integer({ min: 1, max: 6 }), fc.constant(0), fc.constant(-1)),
  seconds: fc.integer({ min: 0, max: 40 }),
  otherNote: fc.boolean(),
});

/** The Events of a run: uids 0-3 are BackOff (escalating, patterned), 4-5 Pulled; counts start between 1 and 3. */
function eventsOf(steps: { uid: number; change: number; seconds: number; otherNote: boolean }[]): KEvent[] {
  const counts = new Map<number, number>();
  let t = BASE_TIME_MS;
  return steps.map(({ uid, change, seconds, otherNote }) => {
    t += seconds * 1000;
    const count = Math.max(1, (counts.get(uid) ?? 1 + (uid % 3)) + change);
    counts.set(uid, Math.max(count, counts.get(uid) ?? 0));
    const backOff = uid < 4;
    return buildEvent({
      uid: `u${uid}`,
      reason: backOff ? 'BackOff' : 'Pulled',
      note: backOff ? `Back-off restarting failed container${otherNote ? ' app' : ''}` : 'Successfully pulled image',
      regarding: buildRef({ name: `pod-${uid % 2}`, uid: `pod-uid-${uid % 2}` }),
      count,
      startTimeMs: BASE_TIME_MS,
      timeMs: t,
    });
  });
}

describe('what was delivered before, from the delivery gate', () => {
  it('gives escalation and the pattern detector the same occurrences as their own memory of uids, which they then do not keep', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(stepArb, { maxLength: 120 }), fc.constantFrom(0, 30_000), async (steps, seriesThrottleMillis) => {
        const clock = new ManualClock(0);
        const metrics = createMetrics();
        const logger = silentLogger();
        const classifier = new Classifier(rules, classifyConfig);
        const pattern = new PatternDetector(patternConfig, { clock });
        const sink = new KeepingSink();
        const pipeline = new Pipeline(
          {
            gate: new DeliveryGate(deliveryConfigSchema.parse({ seriesThrottleMillis }), { clock }),
            classify: classifier,
            correlate: { assign: () => 'c' },
            pattern,
            redact: { redactEvent: (event) => event, redactText: (text) => text },
            sink,
          },
          { clock, logger, metrics, skips: new SkipReporter(logger, metrics) },
        );
        for (const event of eventsOf(steps)) await pipeline.deliver(event);
        await pipeline.drain();
        expect(classifier.uidsRemembered()).toBe(0);
        expect(pattern.uidsRemembered()).toBe(0);

        // the same records, in export order, through a classifier and a detector that remember uids themselves
        const ownClassifier = new Classifier(rules, classifyConfig);
        const ownPattern = new PatternDetector(patternConfig, { clock });
        for (const record of sink.records) {
          const classification = ownClassifier.classify(record.event);
          expect(classification).toEqual(record.classification);
          const own: EventRecord = { event: record.event, seq: record.seq, enrichment: {}, classification };
          ownPattern.observe(own);
          expect(own.patternId).toBe(record.patternId);
        }
        if (sink.records.some((r) => r.event.reason === 'BackOff')) expect(ownClassifier.uidsRemembered()).toBeGreaterThan(0);
      }),
      { numRuns: 150, seed: 20261124 },
    );
  });

  it('counts only the increase of an Event delivered before the checkpoint a restart loaded', () => {
    const classifier = new Classifier(rules, classifyConfig);
    const event = buildEvent({ uid: 'u', reason: 'BackOff', count: 14, timeMs: BASE_TIME_MS });
    // the gate seeded with count 12: 2 occurrences, Medium (10 in 5 minutes escalates to High)
    expect(classifier.classify(event, 12, Number.NEGATIVE_INFINITY).severity).toBe('Medium');
    // without what was delivered before, the whole count is counted: High
    expect(new Classifier(rules, classifyConfig).classify(event).severity).toBe('High');
  });
});
