import { describe, expect, it } from 'vitest';
import { patternConfigSchema } from '../../src/correlate/config.js';
import type { PatternConfig } from '../../src/correlate/config.js';
import { PatternDetector, formatMillis } from '../../src/correlate/pattern.js';
import type { EventRecord, Finding } from '../../src/model/event.js';
import { ManualClock } from '../../src/model/time.js';
import { createMetrics } from '../../src/observe/metrics.js';
import { at, podRecord } from './helpers.js';

function detector(overrides: Partial<PatternConfig> = {}): PatternDetector {
  return new PatternDetector(patternConfigSchema.parse(overrides), { clock: new ManualClock(0) });
}

/** `n` BackOff records from the kubelet in `payments`, one per `stepSeconds` from `startMs`. */
function backoffs(n: number, startMs: number, stepSeconds = 10): EventRecord[] {
  return Array.from({ length: n }, (_, i) =>
    podRecord(`api-${i % 3}`, { reason: 'BackOff', timeMs: startMs + i * stepSeconds * 1000 }, {}, 'Medium', 'payments'),
  );
}

function feed(d: PatternDetector, records: EventRecord[]): Finding[] {
  return records.map((r) => d.observe(r)).filter((f): f is Finding => f !== undefined);
}

describe('PatternDetector', () => {
  it('fires once when the per-reason threshold is reached and stamps following records', () => {
    const d = detector();
    const records = backoffs(25, at(0));
    records[9]!.correlationId = 'corr-1';
    const results = records.map((r) => d.observe(r));
    expect(results.slice(0, 9).every((f) => f === undefined)).toBe(true);
    const finding = results[9];
    expect(finding).toBeDefined();
    expect(results.slice(10).every((f) => f === undefined)).toBe(true);

    expect(records.slice(0, 9).every((r) => r.patternId === undefined)).toBe(true);
    const id = records[9]!.patternId;
    expect(id).toMatch(/^[0-9a-f]{16}$/);
    expect(records.slice(9).every((r) => r.patternId === id)).toBe(true);

    expect(finding).toMatchObject({
      detector: 'pattern',
      kind: 'frequency',
      score: 1,
      key: 'payments/BackOff/kubelet',
      modelVersion: 'pattern-v1',
      body: 'BackOff x10 in 5m from kubelet in payments (threshold 10)',
      namespace: 'payments',
      timeMs: at(1, 30),
      windowEndMs: at(1, 30),
      attributes: { 'eventide.pattern.id': id },
    });
    expect(finding!.windowEndMs - finding!.windowStartMs).toBeLessThanOrEqual(300_000);
    expect(finding!.windowEndMs - finding!.windowStartMs).toBeGreaterThanOrEqual(295_000);
    expect(finding!.subject?.correlationId).toBe('corr-1');
    expect(finding!.subject?.event).toBe(records[9]!.event);
  });

  it('scores count / threshold, counting in-place updates by their count delta', () => {
    const d = detector();
    const first = podRecord('api', { uid: 'e1', reason: 'BackOff', count: 1, timeMs: at(0) });
    expect(d.observe(first)).toBeUndefined();
    const repeat = podRecord('api', { uid: 'e1', reason: 'BackOff', count: 1, timeMs: at(0) }); // duplicate delivery
    expect(d.observe(repeat)).toBeUndefined();
    const update = podRecord('api', { uid: 'e1', reason: 'BackOff', count: 20, timeMs: at(1) });
    const finding = d.observe(update);
    expect(finding?.score).toBe(2);
    expect(finding?.body).toContain('BackOff x20');
  });

  it('estimates the share of a long-running Event seen for the first time that falls in the window', () => {
    const d = detector();
    // 100 occurrences over 50 min: about 10 in the last 5 min, which reaches BackOff's threshold.
    const rec = podRecord('api', { uid: 'old', reason: 'BackOff', count: 100, startTimeMs: at(0), timeMs: at(50) });
    expect(d.observe(rec)?.body).toContain('x10 ');
    const d2 = detector();
    const slow = podRecord('api', { uid: 'old', reason: 'BackOff', count: 50, startTimeMs: at(0), timeMs: at(50) });
    expect(d2.observe(slow)).toBeUndefined();
  });

  it('re-arms after the window count falls below the threshold and fires again with a new id', () => {
    const d = detector();
    const burst1 = backoffs(12, at(0));
    expect(feed(d, burst1)).toHaveLength(1);
    const quiet = backoffs(1, at(20));
    expect(feed(d, quiet)).toHaveLength(0);
    expect(quiet[0]!.patternId).toBeUndefined();
    const burst2 = backoffs(12, at(30));
    const findings = feed(d, burst2);
    expect(findings).toHaveLength(1);
    expect(burst2[11]!.patternId).toBeDefined();
    expect(burst2[11]!.patternId).not.toBe(burst1[11]!.patternId);
  });

  it('stays active (one finding) while the sliding count holds at the threshold', () => {
    const d = detector();
    // One BackOff every 20 s for 30 min: 15 per 5 min, always above 10.
    expect(feed(d, backoffs(90, at(0), 20))).toHaveLength(1);
  });

  it('ignores routine events unless their reason is listed or minSeverity allows them', () => {
    const routine = (): EventRecord[] =>
      Array.from({ length: 30 }, (_, i) => podRecord('api', { reason: 'Pulled', type: 'Normal', timeMs: at(0, i) }, {}, 'Info'));
    expect(feed(detector(), routine())).toHaveLength(0);
    expect(feed(detector({ minSeverity: 'Info' }), routine())).toHaveLength(1); // default threshold 20
    const listed = feed(detector({ thresholds: { Pulled: 25 } }), routine());
    expect(listed).toHaveLength(1);
    expect(listed[0]!.body).toContain('(threshold 25)');
  });

  it('keeps keys apart by namespace, reason and controller', () => {
    const d = detector({ thresholds: { BackOff: 3 } });
    const mk = (ns: string, controller: string, i: number) =>
      podRecord('p', { reason: 'BackOff', reportingController: controller, timeMs: at(0, i) }, {}, 'Medium', ns);
    const records = [mk('a', 'kubelet', 0), mk('b', 'kubelet', 1), mk('a', 'other', 2), mk('a', 'kubelet', 3)];
    expect(feed(d, records)).toHaveLength(0);
    expect(d.observe(mk('a', 'kubelet', 4))?.key).toBe('a/BackOff/kubelet');
  });

  it('does not count occurrences older than the window, and counts them as late', async () => {
    const metrics = createMetrics();
    const d = new PatternDetector(patternConfigSchema.parse({ thresholds: { BackOff: 3 } }), { clock: new ManualClock(0), metrics });
    feed(d, backoffs(2, at(10)));
    expect(feed(d, backoffs(3, at(0)))).toHaveLength(0);
    const skipped = await metrics.eventsSkipped.get();
    expect(skipped.values).toEqual([expect.objectContaining({ value: 3, labels: { stage: 'pattern', reason: 'late' } })]);
    // Slightly out of order but inside the window: counted.
    expect(d.observe(backoffs(1, at(9, 30))[0]!)).toBeDefined();
  });

  it('gives the same pattern ids and findings on replay', () => {
    const records = [...backoffs(15, at(0)), ...backoffs(15, at(30), 5)];
    const run = () => {
      const d = detector();
      const copies = records.map((r) => ({ ...r, patternId: undefined }));
      const findings = feed(d, copies).map((f) => ({ ...f, subject: undefined }));
      return { findings, ids: copies.map((r) => r.patternId) };
    };
    const first = run();
    expect(first.findings).toHaveLength(2);
    expect(run()).toEqual(first);
  });

  it('bounds the keys it holds', () => {
    const d = detector({ maxKeys: 10 });
    for (let i = 0; i < 50; i++) d.observe(podRecord('p', { reason: `R${i}`, timeMs: at(0, i) }));
    expect(d.keyCount()).toBe(10);
  });

  it('does nothing when disabled', () => {
    const d = detector({ enabled: false });
    const records = backoffs(30, at(0));
    expect(feed(d, records)).toHaveLength(0);
    expect(records.some((r) => r.patternId !== undefined)).toBe(false);
  });

  it('formats window lengths', () => {
    expect(formatMillis(300_000)).toBe('5m');
    expect(formatMillis(90_000)).toBe('90s');
    expect(formatMillis(1500)).toBe('1500ms');
  });
});
