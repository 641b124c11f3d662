import { describe, expect, it } from 'vitest';
import { normalizeEvent, apiOfObject } from '../../src/normalize/normalize.js';
import { normalizeConfigSchema } from '../../src/normalize/config.js';
import { truncateUtf8 } from '../../src/normalize/strings.js';

const cfg = normalizeConfigSchema.parse({});
const OBS = Date.parse('2026-01-01T12:00:00Z');
const T = (s: string) => `2026-01-01T10:00:${s}Z`;
const ms = (s: string) => Date.parse(T(s));

function newEvent(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    apiVersion: 'events.k8s.io/v1',
    kind: 'Event',
    metadata: { name: 'p.1', namespace: 'ns', uid: 'u1', resourceVersion: '42', creationTimestamp: T('01') },
    regarding: { kind: 'Pod', name: 'p', namespace: 'ns', uid: 'pu', apiVersion: 'v1', fieldPath: 'spec.containers{c}', resourceVersion: '7' },
    reason: 'BackOff',
    note: 'Back-off restarting',
    type: 'Warning',
    action: 'Restarting',
    reportingController: 'kubelet',
    reportingInstance: 'node-1',
    ...extra,
  };
}

function coreEvent(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: { name: 'p.1', namespace: 'ns', uid: 'u1', resourceVersion: '42', creationTimestamp: T('01') },
    involvedObject: { kind: 'Pod', name: 'p', namespace: 'ns', uid: 'pu', apiVersion: 'v1' },
    reason: 'BackOff',
    message: 'Back-off restarting',
    type: 'Warning',
    source: { component: 'kubelet', host: 'node-1' },
    ...extra,
  };
}

describe('normalizeEvent: event time fallbacks', () => {
  const cases: { name: string; api: 'events.k8s.io/v1' | 'v1'; raw: Record<string, unknown>; time: number; start: number; count: number }[] = [
    { name: 'new: series.lastObservedTime wins', api: 'events.k8s.io/v1', raw: newEvent({ eventTime: T('02'), series: { count: 5, lastObservedTime: T('09') }, deprecatedLastTimestamp: T('08') }), time: ms('09'), start: ms('02'), count: 5 },
    { name: 'new: eventTime', api: 'events.k8s.io/v1', raw: newEvent({ eventTime: T('03') }), time: ms('03'), start: ms('03'), count: 1 },
    { name: 'new: legacy deprecatedLastTimestamp', api: 'events.k8s.io/v1', raw: newEvent({ deprecatedLastTimestamp: T('07'), deprecatedFirstTimestamp: T('04'), deprecatedCount: 3 }), time: ms('07'), start: ms('04'), count: 3 },
    { name: 'new: legacy deprecatedFirstTimestamp only', api: 'events.k8s.io/v1', raw: newEvent({ deprecatedFirstTimestamp: T('04') }), time: ms('04'), start: ms('04'), count: 1 },
    { name: 'new: creationTimestamp only', api: 'events.k8s.io/v1', raw: newEvent(), time: ms('01'), start: ms('01'), count: 1 },
    { name: 'core: series', api: 'v1', raw: coreEvent({ eventTime: T('02'), series: { count: 9, lastObservedTime: T('11') }, count: 2 }), time: ms('11'), start: ms('02'), count: 9 },
    { name: 'core: eventTime', api: 'v1', raw: coreEvent({ eventTime: T('05'), lastTimestamp: null }), time: ms('05'), start: ms('05'), count: 1 },
    { name: 'core: lastTimestamp + count', api: 'v1', raw: coreEvent({ firstTimestamp: T('02'), lastTimestamp: T('06'), count: 4, eventTime: null }), time: ms('06'), start: ms('02'), count: 4 },
    { name: 'core: firstTimestamp only', api: 'v1', raw: coreEvent({ firstTimestamp: T('02') }), time: ms('02'), start: ms('02'), count: 1 },
    { name: 'core: creationTimestamp only', api: 'v1', raw: coreEvent(), time: ms('01'), start: ms('01'), count: 1 },
    { name: 'core: Date objects (client-node)', api: 'v1', raw: coreEvent({ firstTimestamp: new Date(ms('02')), lastTimestamp: new Date(ms('08')), count: 2 }), time: ms('08'), start: ms('02'), count: 2 },
    { name: 'no time at all: observed time', api: 'v1', raw: { ...coreEvent(), metadata: { uid: 'u' } }, time: OBS, start: OBS, count: 1 },
    { name: 'zero-value time ignored', api: 'v1', raw: coreEvent({ eventTime: '0001-01-01T00:00:00Z', lastTimestamp: T('06') }), time: ms('06'), start: ms('01'), count: 1 },
  ];
  it.each(cases)('$name', ({ api, raw, time, start, count }) => {
    const r = normalizeEvent(raw, api, OBS, cfg);
    if (!r.ok) throw new Error(r.reason);
    expect(r.event.timeMs).toBe(time);
    expect(r.event.startTimeMs).toBe(start);
    expect(r.event.count).toBe(count);
    expect(r.event.observedTimeMs).toBe(OBS);
    expect(r.event.sourceApi).toBe(api);
  });
});

describe('normalizeEvent: fields', () => {
  it('maps events.k8s.io/v1 fields', () => {
    const r = normalizeEvent(newEvent({ related: { kind: 'Node', name: 'n1' }, metadata: { uid: 'u1', name: 'e', namespace: 'ns', labels: { a: 'b', n: 3 } } }), 'events.k8s.io/v1', OBS, cfg);
    if (!r.ok) throw new Error(r.reason);
    expect(r.event).toMatchObject({
      uid: 'u1', name: 'e', namespace: 'ns', reason: 'BackOff', note: 'Back-off restarting', type: 'Warning', action: 'Restarting',
      reportingController: 'kubelet', reportingInstance: 'node-1', truncated: false, labels: { a: 'b' },
      regarding: { kind: 'Pod', name: 'p', namespace: 'ns', uid: 'pu', apiVersion: 'v1', fieldPath: 'spec.containers{c}', resourceVersion: '7' },
      related: { kind: 'Node', name: 'n1', namespace: '', uid: '' },
    });
  });
  it('legacy via events.k8s.io/v1: deprecatedSource fallback', () => {
    const raw = newEvent({ reportingController: '', reportingInstance: undefined, deprecatedSource: { component: 'kubelet', host: 'node-9' } });
    const r = normalizeEvent(raw, 'events.k8s.io/v1', OBS, cfg);
    if (!r.ok) throw new Error(r.reason);
    expect(r.event.reportingController).toBe('kubelet');
    expect(r.event.reportingInstance).toBe('node-9');
  });
  it('maps core/v1 fields (message, source, reportingComponent)', () => {
    const r = normalizeEvent(coreEvent(), 'v1', OBS, cfg);
    if (!r.ok) throw new Error(r.reason);
    expect(r.event).toMatchObject({ note: 'Back-off restarting', reportingController: 'kubelet', reportingInstance: 'node-1', action: '' });
    const r2 = normalizeEvent(coreEvent({ reportingComponent: 'scheduler', reportingInstance: 'sched-0' }), 'v1', OBS, cfg);
    if (!r2.ok) throw new Error(r2.reason);
    expect(r2.event.reportingController).toBe('scheduler');
    expect(r2.event.reportingInstance).toBe('sched-0');
  });
  it('keeps events without reason/type with empty strings', () => {
    const raw = newEvent();
    delete raw.reason;
    delete raw.type;
    const r = normalizeEvent(raw, 'events.k8s.io/v1', OBS, cfg);
    if (!r.ok) throw new Error(r.reason);
    expect(r.event.reason).toBe('');
    expect(r.event.type).toBe('');
  });
  it('namespace falls back to the regarding namespace', () => {
    const r = normalizeEvent(newEvent({ metadata: { uid: 'x' } }), 'events.k8s.io/v1', OBS, cfg);
    expect(r.ok && r.event.namespace).toBe('ns');
  });
  it('invalid counts fall back to 1', () => {
    const r = normalizeEvent(coreEvent({ count: 0, series: { count: 'x' } }), 'v1', OBS, cfg);
    expect(r.ok && r.event.count).toBe(1);
  });
});

describe('normalizeEvent: bad input', () => {
  it.each([
    ['null', null, 'not_object'],
    ['string', 'x', 'not_object'],
    ['array', [], 'not_object'],
    ['no metadata', { regarding: { kind: 'Pod' } }, 'missing_uid'],
    ['empty uid', { metadata: { uid: '' }, regarding: { kind: 'Pod' } }, 'missing_uid'],
    ['another API', { apiVersion: 'example.com/v9', metadata: { uid: 'u' }, regarding: { kind: 'Pod', name: 'p' } }, 'unknown_api_version'],
    ['no regarding', { metadata: { uid: 'u' } }, 'missing_regarding'],
    ['empty regarding', { metadata: { uid: 'u' }, regarding: {} }, 'missing_regarding'],
    ['regarding not an object', { metadata: { uid: 'u' }, regarding: 'Pod/x' }, 'missing_regarding'],
  ])('%s → %s', (_name, raw, reason) => {
    const r = normalizeEvent(raw, 'events.k8s.io/v1', OBS, cfg);
    expect(r).toEqual({ ok: false, reason });
  });
});

describe('note truncation and well-formedness', () => {
  it('cuts on a multibyte boundary, marker included in the limit', () => {
    const note = 'a' + '€'.repeat(100); // 1 + 300 bytes
    const r = normalizeEvent(newEvent({ note }), 'events.k8s.io/v1', OBS, { maxNoteBytes: 64 });
    if (!r.ok) throw new Error(r.reason);
    expect(r.event.truncated).toBe(true);
    const bytes = Buffer.byteLength(r.event.note);
    expect(bytes).toBeLessThanOrEqual(64);
    const m = /^(a€*) …\[truncated (\d+) bytes\]$/.exec(r.event.note);
    expect(m).not.toBeNull();
    expect(Buffer.byteLength(m![1]!) + Number(m![2])).toBe(301);
    expect(r.event.note).not.toContain('\uFFFD');
  });
  it('leaves notes at the limit alone', () => {
    const note = 'é'.repeat(32); // 64 bytes
    expect(truncateUtf8(note, 64)).toEqual({ text: note, truncated: false });
    expect(truncateUtf8(note + 'x', 64).truncated).toBe(true);
  });
  it('never splits a surrogate pair (4-byte characters)', () => {
    const t = truncateUtf8('😀'.repeat(200), 100);
    expect(Buffer.from(t.text, "utf8").toString("utf8")).toBe(t.text);
    expect(Buffer.byteLength(t.text)).toBeLessThanOrEqual(100);
    expect(t.text.startsWith('😀'.repeat(10))).toBe(true);
  });
  it('replaces lone surrogates, keeps U+FFFD', () => {
    const r = normalizeEvent(newEvent({ note: 'bad \uD800 end \uFFFD', reason: 'R\uDC00' }), 'events.k8s.io/v1', OBS, cfg);
    if (!r.ok) throw new Error(r.reason);
    expect(r.event.note).toBe('bad \uFFFD end \uFFFD');
    expect(r.event.reason).toBe('R\uFFFD');
  });
});

describe('apiOfObject', () => {
  it('reads apiVersion', () => {
    expect(apiOfObject({ apiVersion: 'events.k8s.io/v1' })).toBe('events.k8s.io/v1');
    expect(apiOfObject({ apiVersion: 'v1' })).toBe('v1');
    expect(apiOfObject({})).toBeUndefined();
  });
});
