import { describe, expect, it } from 'vitest';
import { Classifier } from '../../src/classify/classifier.js';
import { classifyConfigSchema } from '../../src/classify/config.js';
import { EscalationTracker } from '../../src/classify/escalation.js';
import { loadRuleSet } from '../../src/classify/load.js';
import { layerRules, parseRulesText } from '../../src/classify/rules.js';
import type { KEvent } from '../../src/model/event.js';
import { BASE_TIME_MS, buildEvent, buildRef } from '../support/builders.js';

const T0 = BASE_TIME_MS;
const SEC = 1000;
const MIN = 60 * SEC;
const config = classifyConfigSchema.parse({});

/** One rule: Foo is Info, 6 in 5 min -> High, 10 in 5 min -> Critical. */
function fooClassifier(overrides: Partial<typeof config> = {}): Classifier {
  const layer = parseRulesText(
    `rules:\n  - id: foo\n    match: { reason: Foo }\n    category: Test.Foo\n    severity: Info\n    escalate:\n      - { count: 10, windowMillis: 300000, severity: Critical }\n      - { count: 6, windowMillis: 300000, severity: High }\n`,
    '<test>',
  );
  return new Classifier(layerRules([layer]), { ...config, ...overrides });
}
const foo = (o: Partial<KEvent>): KEvent => buildEvent({ reason: 'Foo', ...o });

describe('frequency escalation with the default rules', () => {
  it('raises BackOff to High at 10 in 5 minutes and Critical at 30', () => {
    const c = new Classifier(loadRuleSet({}), config);
    const severities: string[] = [];
    for (let i = 0; i < 30; i++) severities.push(c.classify(buildEvent({ reason: 'BackOff', timeMs: T0 + i * 5 * SEC })).severity);
    expect(severities.slice(0, 9).every((s) => s === 'Medium')).toBe(true);
    expect(severities[9]).toBe('High');
    expect(severities[28]).toBe('High');
    expect(severities[29]).toBe('Critical');
    const last = c.classify(buildEvent({ reason: 'BackOff', timeMs: T0 + 150 * SEC }));
    expect(last).toMatchObject({ category: 'Pod.Restart', severity: 'Critical', escalated: true });
  });

  it('does not escalate when the same number of events is spread beyond the window (event time)', () => {
    const c = new Classifier(loadRuleSet({}), config);
    let last = '';
    for (let i = 0; i < 30; i++) last = c.classify(buildEvent({ reason: 'BackOff', timeMs: T0 + i * 2 * MIN })).severity;
    expect(last).toBe('Medium');
  });
});

describe('count deltas', () => {
  it('adds the delta when an Event is updated in place (3 then 7 adds 4)', () => {
    const c = fooClassifier();
    const uid = 'evt-series';
    expect(c.classify(foo({ uid, count: 3, timeMs: T0 })).severity).toBe('Info');
    const r = c.classify(foo({ uid, count: 7, timeMs: T0 + 30 * SEC }));
    expect(r).toMatchObject({ severity: 'High', escalated: true });
    expect(c.classify(foo({ uid, count: 10, timeMs: T0 + 60 * SEC })).severity).toBe('Critical');
  });

  it('counts 3 then 5 as five, below the threshold of six', () => {
    const c = fooClassifier();
    c.classify(foo({ uid: 's', count: 3, timeMs: T0 }));
    expect(c.classify(foo({ uid: 's', count: 5, timeMs: T0 + 10 * SEC })).severity).toBe('Info');
  });

  it('adds nothing for a re-delivery with the same count (relist, duplicate)', () => {
    const c = fooClassifier();
    c.classify(foo({ uid: 's', count: 5, timeMs: T0 }));
    for (let i = 0; i < 5; i++) expect(c.classify(foo({ uid: 's', count: 5, timeMs: T0 })).severity).toBe('Info');
  });

  it('spreads a first sighting with a high count over its start..last time', () => {
    const c = fooClassifier();
    // 50 occurrences over 6 hours: about 0.7 per 5 minutes.
    const spread = c.classify(foo({ uid: 'old', count: 50, startTimeMs: T0 - 6 * 60 * MIN, timeMs: T0 }));
    expect(spread.severity).toBe('Info');
    // 50 occurrences within the last minute: Critical.
    const burst = c.classify(foo({ uid: 'new', count: 50, startTimeMs: T0 - MIN, timeMs: T0, regarding: buildRef({ name: 'other' }) }));
    expect(burst.severity).toBe('Critical');
  });

  it('sums separate Events about the same object and reason', () => {
    const c = fooClassifier();
    let s = '';
    for (let i = 0; i < 6; i++) s = c.classify(foo({ count: 1, timeMs: T0 + i * SEC })).severity;
    expect(s).toBe('High');
  });

  it('keeps objects and reasons apart', () => {
    const c = fooClassifier();
    let s = '';
    for (let i = 0; i < 8; i++) s = c.classify(foo({ timeMs: T0 + i * SEC, regarding: buildRef({ name: `p${i}`, uid: `u${i}` }) })).severity;
    expect(s).toBe('Info');
  });

  it('keys by kind/namespace/name when the regarding object has no uid', () => {
    const c = fooClassifier();
    let s = '';
    for (let i = 0; i < 6; i++) s = c.classify(foo({ timeMs: T0 + i * SEC, regarding: buildRef({ name: 'p', uid: '' }) })).severity;
    expect(s).toBe('High');
  });
});

describe('event time and disorder', () => {
  it('counts a late event that falls inside the window', () => {
    const c = fooClassifier();
    for (const t of [0, 60, 120, 240]) c.classify(foo({ timeMs: T0 + t * SEC }));
    c.classify(foo({ timeMs: T0 + 30 * SEC })); // late, within the window
    expect(c.classify(foo({ timeMs: T0 + 250 * SEC })).severity).toBe('High'); // 6 in (T0-50s, T0+250s]
  });

  it('ignores a late event older than the window', () => {
    const c = fooClassifier();
    for (const t of [0, 60, 120, 240]) c.classify(foo({ timeMs: T0 + t * SEC }));
    c.classify(foo({ timeMs: T0 - 400 * SEC })); // late and outside the window of the next event
    expect(c.classify(foo({ timeMs: T0 + 250 * SEC })).severity).toBe('Info');
  });

  it('gives the same result whatever the wall clock (replay at any speed)', () => {
    const run = (wallOffsetMs: number): string[] => {
      const c = fooClassifier();
      return Array.from({ length: 12 }, (_, i) => c.classify(foo({ timeMs: T0 + i * 20 * SEC, observedTimeMs: wallOffsetMs + i })).severity);
    };
    expect(run(0)).toEqual(run(9e11));
  });
});

describe('start-time checks', () => {
  it('rejects an escalation window longer than escalationMaxAgeMillis, naming rule and fix', () => {
    const layer = parseRulesText(`rules:\n  - { id: slow, category: A.B, severity: Info, escalate: [{ count: 2, windowMillis: 7200000, severity: High }] }\n`, 'my.yaml');
    expect(() => new Classifier(layerRules([layer]), config)).toThrow(/my\.yaml: rule "slow": escalate\.0\.windowMillis .*escalationMaxAgeMillis/);
  });
});

describe('bounded state', () => {
  const ev = (name: string, timeMs: number): KEvent => foo({ timeMs, regarding: buildRef({ name, uid: name }) });

  it('evicts the least recently seen key beyond maxKeys', () => {
    const t = new EscalationTracker({ maxKeys: 2, maxAgeMillis: 3_600_000 });
    t.record('a', ev('a', T0));
    t.record('b', ev('b', T0));
    t.record('a', ev('a', T0 + 1));
    t.record('c', ev('c', T0 + 2));
    expect(t.size()).toBe(2);
    expect(t.countInWindow('b', T0 + 2, 300_000)).toBe(0);
    expect(t.countInWindow('a', T0 + 2, 300_000)).toBe(2);
  });

  it('drops keys older than maxAgeMillis behind the newest event time', () => {
    const t = new EscalationTracker({ maxKeys: 100, maxAgeMillis: 10 * MIN });
    t.record('old', ev('old', T0));
    t.record('new', ev('new', T0 + 11 * MIN));
    expect(t.size()).toBe(1);
    expect(t.countInWindow('old', T0, MIN)).toBe(0);
  });

  it('caps spans per key by merging the oldest, keeping the total', () => {
    const t = new EscalationTracker({ maxKeys: 10, maxAgeMillis: 3_600_000, maxSpansPerKey: 4 });
    for (let i = 0; i < 20; i++) t.record('k', ev('k', T0 + i * SEC));
    expect(t.countInWindow('k', T0 + 19 * SEC, 10 * MIN)).toBe(20);
  });

  it('limits the classifier through escalationMaxKeys', () => {
    const c = fooClassifier({ escalationMaxKeys: 1 });
    for (let i = 0; i < 5; i++) c.classify(foo({ timeMs: T0 + i, regarding: buildRef({ name: 'x', uid: 'x' }) }));
    c.classify(foo({ timeMs: T0 + 10, regarding: buildRef({ name: 'y', uid: 'y' }) })); // evicts x
    expect(c.classify(foo({ timeMs: T0 + 11, regarding: buildRef({ name: 'x', uid: 'x' }) })).severity).toBe('Info');
  });
});
