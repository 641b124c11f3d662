import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Classifier } from '../../src/classify/classifier.js';
import { classifyConfigSchema } from '../../src/classify/config.js';
import { loadRuleSet } from '../../src/classify/load.js';
import { type KEvent, SEVERITIES, type SourceApi } from '../../src/model/event.js';
import { normalizeConfigSchema } from '../../src/normalize/config.js';
import { normalizeEvent } from '../../src/normalize/normalize.js';
import { createMetrics } from '../../src/observe/metrics.js';
import { anyEvent, oddValue, runs } from './arbitraries.js';

const options = normalizeConfigSchema.parse({});
const REASONS = new Set(['not_object', 'unknown_api_version', 'missing_uid', 'missing_regarding']);
const api = fc.constantFrom<SourceApi>('events.k8s.io/v1', 'v1');

function expectWellFormed(event: KEvent, observedMs: number): void {
  for (const key of ['uid', 'name', 'namespace', 'resourceVersion', 'reason', 'note', 'type', 'action', 'reportingController', 'reportingInstance'] as const) {
    expect(typeof event[key]).toBe('string');
    expect((event[key] as unknown as { isWellFormed(): boolean }).isWellFormed()).toBe(true); // no lone surrogates reach the exporter's protobuf strings
  }
  expect(event.uid).not.toBe('');
  expect(Number.isInteger(event.count) && event.count >= 1).toBe(true);
  for (const t of [event.timeMs, event.startTimeMs]) expect(Number.isFinite(t)).toBe(true);
  expect(event.observedTimeMs).toBe(observedMs);
  expect(Buffer.byteLength(event.note, 'utf8')).toBeLessThanOrEqual(options.maxNoteBytes);
  for (const key of ['kind', 'name', 'namespace', 'uid', 'apiVersion', 'fieldPath', 'resourceVersion'] as const) expect(typeof event.regarding[key]).toBe('string');
  if (event.labels) for (const v of Object.values(event.labels)) expect(typeof v).toBe('string');
}

describe('normalizer fuzz: generated and mutated Events of both APIs', () => {
  it('never throws; returns a well-formed KEvent or a known reason', () => {
    fc.assert(
      fc.property(anyEvent, api, (raw, which) => {
        const result = normalizeEvent(raw, which, 1_700_000_000_000, options);
        if (result.ok) expectWellFormed(result.event, 1_700_000_000_000);
        else expect(REASONS).toContain(result.reason);
      }),
      runs(1500),
    );
  });

  it('skips an Event whose apiVersion is not a string, even one that cannot be turned into a string', () => {
    const ev = { apiVersion: Object.create(null) as unknown, metadata: { uid: 'u1' }, involvedObject: { kind: 'Pod', name: 'p' } };
    expect(normalizeEvent(ev, 'v1', 0, options)).toEqual({ ok: false, reason: 'unknown_api_version' });
    expect(normalizeEvent({ ...ev, apiVersion: 42 }, 'v1', 0, options)).toEqual({ ok: false, reason: 'unknown_api_version' });
  });

  it('never throws on values that are not Events at all', () => {
    fc.assert(
      fc.property(fc.oneof(oddValue, fc.anything()), api, (raw, which) => {
        const result = normalizeEvent(raw, which, 0, options);
        if (result.ok) expectWellFormed(result.event, 0);
        else expect(REASONS).toContain(result.reason);
      }),
      runs(500),
    );
  });
});

describe('classifier fuzz', () => {
  const classifier = new Classifier(loadRuleSet({ defaults: true }), classifyConfigSchema.parse({}), { metrics: createMetrics() });
  const CATEGORY = /^(Unknown|[A-Z][A-Za-z0-9]*\.[A-Z][A-Za-z0-9]*)$/;

  it('never throws; one of the four severities and a Domain.Condition category (or Unknown)', () => {
    fc.assert(
      fc.property(anyEvent, api, (raw, which) => {
        const result = normalizeEvent(raw, which, 1_700_000_000_000, options);
        if (!result.ok) return;
        const c = classifier.classify(result.event);
        expect(SEVERITIES).toContain(c.severity);
        expect(c.category).toMatch(CATEGORY);
        expect(typeof c.ruleId).toBe('string');
        expect(typeof c.escalated).toBe('boolean');
      }),
      runs(1500),
    );
  });

  it('holds for arbitrary field strings, out-of-order and far-apart times', () => {
    const text = fc.oneof(fc.string({ unit: 'binary', maxLength: 30 }), fc.constantFrom('', 'BackOff', 'Warning', 'Pod', 'Node', 'FailedMount', 'kubelet'));
    const event = fc
      .record({ reason: text, note: text, type: text, kind: text, name: text, controller: text, timeMs: fc.integer({ min: -8.64e15, max: 8.64e15 }), count: fc.integer({ min: 1, max: 2 ** 31 }) })
      .map(
        (e): KEvent => ({
          uid: 'u',
          name: e.name,
          namespace: 'ns',
          resourceVersion: '1',
          sourceApi: 'v1',
          reason: e.reason,
          note: e.note,
          type: e.type,
          action: '',
          reportingController: e.controller,
          reportingInstance: '',
          regarding: { kind: e.kind, name: e.name, namespace: 'ns', uid: '', apiVersion: 'v1', fieldPath: '', resourceVersion: '' },
          count: e.count,
          timeMs: e.timeMs,
          startTimeMs: e.timeMs,
          observedTimeMs: 0,
          truncated: false,
        }),
      );
    fc.assert(
      fc.property(fc.array(event, { minLength: 1, maxLength: 30 }), (events) => {
        for (const e of events) {
          const c = classifier.classify(e);
          expect(SEVERITIES).toContain(c.severity);
          expect(c.category).toMatch(CATEGORY);
        }
      }),
      runs(300),
    );
  });
});
