import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { EventRecord, Finding } from '../../src/model/event.js';
import { anomalySeverity, eventToLogRecord, findingToLogRecord } from '../../src/export/mapping.js';
import { eventRecordUid, uuidV5 } from '../../src/export/record-uid.js';
import { runs } from '../fuzz/arbitraries.js';
import { BASE_TIME_MS, buildEvent, buildRecord, buildRef } from '../support/builders.js';

const UUID_V5 = /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('eventToLogRecord: new events.k8s.io/v1 event, fully enriched', () => {
  const event = buildEvent({
    uid: 'e-uid-1',
    name: 'web-7d4.17a1',
    reason: 'FailedMount',
    note: 'MountVolume.SetUp failed: timeout',
    type: 'Warning',
    action: 'Mounting',
    reportingController: 'kubelet',
    reportingInstance: 'node-a',
    count: 4,
    timeMs: BASE_TIME_MS + 5_000,
    startTimeMs: BASE_TIME_MS,
    observedTimeMs: BASE_TIME_MS + 5_250,
    regarding: buildRef({ kind: 'Pod', name: 'web-7d4', namespace: 'shop', uid: 'pod-uid', apiVersion: 'v1', fieldPath: 'spec.containers{web}', resourceVersion: '812' }),
  });
  const record = buildRecord(event, {
    seq: 7,
    enrichment: { nodeName: 'node-a', podName: 'web-7d4', podUid: 'pod-uid', workload: { kind: 'Deployment', name: 'web', uid: 'dep-uid' } },
    classification: { category: 'Storage.Timeout', severity: 'High', ruleId: 'r1', escalated: false },
    correlationId: 'inc-42',
    patternId: 'pat-9',
  });
  const mapped = eventToLogRecord(record, { clusterName: 'prod-eu' });

  it('sets timestamps, severity and body', () => {
    expect(mapped.timestampMs).toBe(BASE_TIME_MS + 5_000);
    expect(mapped.observedTimestampMs).toBe(BASE_TIME_MS + 5_250);
    expect(mapped.severityNumber).toBe(17);
    expect(mapped.severityText).toBe('High');
    expect(mapped.body).toBe('MountVolume.SetUp failed: timeout');
    expect(mapped.eventName).toBeUndefined();
    expect(mapped.namespace).toBe('shop');
  });

  it('carries every attribute of the DESIGN table, and nothing else', () => {
    expect(mapped.attributes).toEqual({
      'k8s.event.reason': 'FailedMount',
      'k8s.event.action': 'Mounting',
      'k8s.event.name': 'web-7d4.17a1',
      'k8s.event.uid': 'e-uid-1',
      'k8s.event.type': 'Warning',
      'k8s.event.start_time': '2024-01-01T00:00:00.000Z',
      'k8s.event.reporting_controller': 'kubelet',
      'k8s.event.reporting_instance': 'node-a',
      'k8s.event.count': 4,
      'log.record.uid': eventRecordUid('e-uid-1', 4),
      'k8s.object.kind': 'Pod',
      'k8s.object.name': 'web-7d4',
      'k8s.object.uid': 'pod-uid',
      'k8s.object.api_version': 'v1',
      'k8s.object.fieldpath': 'spec.containers{web}',
      'k8s.object.resource_version': '812',
      'k8s.node.name': 'node-a',
      'k8s.pod.name': 'web-7d4',
      'k8s.pod.uid': 'pod-uid',
      'k8s.deployment.name': 'web',
      'k8s.deployment.uid': 'dep-uid',
      'eventide.category': 'Storage.Timeout',
      'eventide.severity': 'High',
      'eventide.correlation.id': 'inc-42',
      'eventide.pattern.id': 'pat-9',
    });
    // namespace and cluster are resource attributes, never record attributes
    expect(mapped.attributes['k8s.namespace.name']).toBeUndefined();
    expect(mapped.attributes['k8s.cluster.name']).toBeUndefined();
  });
});

describe('eventToLogRecord: legacy core/v1 event seen through events.k8s.io/v1', () => {
  const event = buildEvent({
    uid: 'legacy-1',
    sourceApi: 'v1',
    action: '',
    reportingController: 'default-scheduler', // normalize fell back to deprecatedSource.component
    reportingInstance: '',
    count: 12, // deprecatedCount
    regarding: buildRef({ kind: 'Pod', name: 'batch-1', namespace: 'jobs', fieldPath: '', resourceVersion: '' }),
  });
  const mapped = eventToLogRecord(buildRecord(event, { enrichment: {} }));

  it('leaves out attributes whose value is empty instead of sending empty strings', () => {
    expect(mapped.attributes).not.toHaveProperty('k8s.event.action');
    expect(mapped.attributes).not.toHaveProperty('k8s.event.reporting_instance');
    expect(mapped.attributes).not.toHaveProperty('k8s.object.fieldpath');
    expect(mapped.attributes).not.toHaveProperty('k8s.object.resource_version');
  });

  it('keeps the count (int) and the fallback reporting controller', () => {
    expect(mapped.attributes['k8s.event.count']).toBe(12);
    expect(Number.isInteger(mapped.attributes['k8s.event.count'])).toBe(true);
    expect(mapped.attributes['k8s.event.reporting_controller']).toBe('default-scheduler');
  });

  it('without enrichment or classification: no k8s.node/pod/workload, severity from the Event type', () => {
    for (const key of Object.keys(mapped.attributes)) {
      expect(key).not.toMatch(/^k8s\.(node|pod|deployment|statefulset|daemonset|job|cronjob|replicaset)\./);
    }
    expect(mapped.attributes).not.toHaveProperty('eventide.category');
    expect(mapped.attributes).not.toHaveProperty('eventide.correlation.id');
    expect(mapped.attributes).not.toHaveProperty('eventide.pattern.id');
    expect(mapped.attributes['eventide.severity']).toBe('Medium');
    expect(mapped.severityNumber).toBe(13);
    const normal = eventToLogRecord(buildRecord(buildEvent({ type: 'Normal' })));
    expect([normal.severityNumber, normal.severityText]).toEqual([9, 'Info']);
  });

  it('a count of 0 or missing is sent as 1', () => {
    expect(eventToLogRecord(buildRecord(buildEvent({ count: 0 }))).attributes['k8s.event.count']).toBe(1);
  });
});

describe('eventToLogRecord: severity classes and workloads', () => {
  it.each([
    ['Info', 9],
    ['Medium', 13],
    ['High', 17],
    ['Critical', 21],
  ] as const)('%s maps to SeverityNumber %i with the class name as SeverityText', (severity, number) => {
    const mapped = eventToLogRecord(buildRecord(buildEvent(), { classification: { category: 'X', severity, ruleId: 'r', escalated: false } }));
    expect(mapped.severityNumber).toBe(number);
    expect(mapped.severityText).toBe(severity);
    expect(mapped.attributes['eventide.severity']).toBe(severity);
  });

  it.each([
    ['StatefulSet', 'k8s.statefulset.name'],
    ['DaemonSet', 'k8s.daemonset.name'],
    ['Job', 'k8s.job.name'],
    ['CronJob', 'k8s.cronjob.name'],
    ['ReplicaSet', 'k8s.replicaset.name'],
  ])('workload kind %s goes to %s', (kind, key) => {
    const mapped = eventToLogRecord(buildRecord(buildEvent(), { enrichment: { workload: { kind, name: 'w1' } } }));
    expect(mapped.attributes[key]).toBe('w1');
    expect(mapped.attributes).not.toHaveProperty('k8s.deployment.name');
  });

  it('an unknown workload kind adds no workload attribute', () => {
    const mapped = eventToLogRecord(buildRecord(buildEvent(), { enrichment: { workload: { kind: 'Rollout', name: 'r' } } }));
    expect(Object.values(mapped.attributes)).not.toContain('r');
  });

  it('cluster-scoped objects have an empty namespace', () => {
    const mapped = eventToLogRecord(buildRecord(buildEvent({ regarding: buildRef({ kind: 'Node', name: 'n1' }) })));
    expect(mapped.namespace).toBe('');
  });
});

describe('log.record.uid', () => {
  it('is a deterministic UUIDv5 of the Event uid and count', () => {
    const a = eventToLogRecord(buildRecord(buildEvent({ uid: 'u1', count: 3 })));
    const b = eventToLogRecord(buildRecord(buildEvent({ uid: 'u1', count: 3, note: 'other', observedTimeMs: 99 })));
    const c = eventToLogRecord(buildRecord(buildEvent({ uid: 'u1', count: 4 })));
    expect(a.attributes['log.record.uid']).toMatch(UUID_V5);
    expect(a.attributes['log.record.uid']).toBe(b.attributes['log.record.uid']);
    expect(a.attributes['log.record.uid']).not.toBe(c.attributes['log.record.uid']);
  });

  it('matches the RFC 9562 UUIDv5 algorithm (known vector in the DNS namespace)', () => {
    // RFC 9562 appendix A.4: UUIDv5 of "www.example.com" in the DNS namespace
    expect(uuidV5('www.example.com', '6ba7b810-9dad-11d1-80b4-00c04fd430c8')).toBe('2ed6657d-e927-568b-95e1-2665a8aea6a2');
  });

  it('falls back to namespace/name when the Event has no uid', () => {
    expect(eventRecordUid('', 1, 'ns', 'a')).not.toBe(eventRecordUid('', 1, 'ns', 'b'));
    expect(eventRecordUid('', 1, 'ns', 'a')).toMatch(UUID_V5);
  });
});

describe('findingToLogRecord', () => {
  const base: Finding = {
    detector: 'isolation_forest',
    kind: 'frequency',
    score: 1.4,
    key: 'shop/BackOff',
    windowStartMs: BASE_TIME_MS,
    windowEndMs: BASE_TIME_MS + 60_000,
    modelVersion: 'if-2024.1',
    body: 'BackOff in shop is 6x its usual rate',
    timeMs: BASE_TIME_MS + 60_000,
    namespace: 'shop',
  };

  it('is an eventide.anomaly event with the anomaly attributes', () => {
    const mapped = findingToLogRecord(base, { observedTimeMs: 123 });
    expect(mapped.eventName).toBe('eventide.anomaly');
    expect(mapped.attributes).not.toHaveProperty('event.name');
    expect(mapped.body).toBe('BackOff in shop is 6x its usual rate');
    expect(mapped.timestampMs).toBe(BASE_TIME_MS + 60_000);
    expect(mapped.observedTimestampMs).toBe(123);
    expect(mapped.namespace).toBe('shop');
    expect(mapped.attributes).toEqual({
      'eventide.anomaly.detector': 'isolation_forest',
      'eventide.anomaly.kind': 'frequency',
      'eventide.anomaly.score': 1.4,
      'eventide.anomaly.key': 'shop/BackOff',
      'eventide.anomaly.window.start': '2024-01-01T00:00:00.000Z',
      'eventide.anomaly.window.end': '2024-01-01T00:01:00.000Z',
      'eventide.model.version': 'if-2024.1',
    });
  });

  it.each([
    [0.99, 9, 'INFO'],
    [1, 13, 'WARN'],
    [1.99, 13, 'WARN'],
    [2, 17, 'ERROR'],
    [7.5, 17, 'ERROR'],
    [Number.NaN, 9, 'INFO'],
  ])('score %d gives SeverityNumber %i / %s', (score, number, text) => {
    expect(anomalySeverity(score)).toEqual({ severityNumber: number, severityText: text });
    const mapped = findingToLogRecord({ ...base, score });
    expect([mapped.severityNumber, mapped.severityText]).toEqual([number, text]);
  });

  it("carries the subject's k8s.* and correlation id, but not its delivery uid", () => {
    const event = buildEvent({ uid: 'subj', regarding: buildRef({ name: 'db-0', namespace: 'data' }) });
    const mapped = findingToLogRecord({
      ...base,
      namespace: undefined,
      subject: { event, enrichment: { podName: 'db-0', workload: { kind: 'StatefulSet', name: 'db' } }, correlationId: 'inc-7' },
      attributes: { 'eventide.pattern.id': 'p-1' },
    });
    expect(mapped.namespace).toBe('data');
    expect(mapped.attributes['k8s.object.name']).toBe('db-0');
    expect(mapped.attributes['k8s.event.uid']).toBe('subj');
    expect(mapped.attributes['k8s.pod.name']).toBe('db-0');
    expect(mapped.attributes['k8s.statefulset.name']).toBe('db');
    expect(mapped.attributes['eventide.correlation.id']).toBe('inc-7');
    expect(mapped.attributes['eventide.pattern.id']).toBe('p-1');
    expect(mapped.attributes).not.toHaveProperty('log.record.uid');
  });

  it('without subject or namespace the record is cluster-scoped', () => {
    expect(findingToLogRecord({ ...base, namespace: undefined }).namespace).toBe('');
  });
});

/**
 * The attribute list of DESIGN.md "OTLP log record for an Event", in order, each left out when
 * unknown or empty: what the mapping built with one generic keyed store per attribute.
 */
function designAttributes(record: EventRecord): [string, string | number][] {
  const { event, enrichment } = record;
  const object = event.regarding;
  const count = Number.isInteger(event.count) && event.count > 0 ? event.count : 1;
  const workload = enrichment.workload;
  const kinds: Record<string, string> = { Deployment: 'deployment', StatefulSet: 'statefulset', DaemonSet: 'daemonset', Job: 'job', CronJob: 'cronjob', ReplicaSet: 'replicaset' };
  const prefix = workload && Object.hasOwn(kinds, workload.kind) ? `k8s.${kinds[workload.kind]}` : undefined;
  const severity = record.classification?.severity ?? (event.type === 'Warning' ? 'Medium' : 'Info');
  const entries: [string, string | number | undefined][] = [
    ['k8s.event.reason', event.reason],
    ['k8s.event.action', event.action],
    ['k8s.event.name', event.name],
    ['k8s.event.uid', event.uid],
    ['k8s.event.type', event.type],
    ['k8s.event.start_time', event.startTimeMs > 0 ? new Date(Math.floor(event.startTimeMs)).toISOString() : undefined],
    ['k8s.event.reporting_controller', event.reportingController],
    ['k8s.event.reporting_instance', event.reportingInstance],
    ['k8s.event.count', count],
    ['log.record.uid', eventRecordUid(event.uid, count, event.namespace, event.name)],
    ['k8s.object.kind', object.kind],
    ['k8s.object.name', object.name],
    ['k8s.object.uid', object.uid],
    ['k8s.object.api_version', object.apiVersion],
    ['k8s.object.fieldpath', object.fieldPath],
    ['k8s.object.resource_version', object.resourceVersion],
    ['k8s.node.name', enrichment.nodeName],
    ['k8s.pod.name', enrichment.podName],
    ['k8s.pod.uid', enrichment.podUid],
    [`${prefix}.name`, prefix ? workload?.name : undefined],
    [`${prefix}.uid`, prefix ? workload?.uid : undefined],
    ['eventide.category', record.classification?.category],
    ['eventide.severity', severity],
    ['eventide.correlation.id', record.correlationId],
    ['eventide.pattern.id', record.patternId],
  ];
  return entries.filter((entry): entry is [string, string | number] => entry[1] !== undefined && entry[1] !== '');
}

describe('eventToLogRecord: attribute order', () => {
  const maybe = fc.oneof(fc.constant(''), fc.constantFrom('a', 'kubelet', 'Pod', 'v1', 'é😀'), fc.string({ maxLength: 12 }));
  const record: fc.Arbitrary<EventRecord> = fc
    .record({
      uid: maybe,
      name: maybe,
      reason: maybe,
      action: maybe,
      type: fc.constantFrom('Normal', 'Warning', ''),
      reportingController: maybe,
      reportingInstance: maybe,
      count: fc.oneof(fc.integer({ min: -2, max: 100 }), fc.constant(1.5)),
      startTimeMs: fc.oneof(
        fc.constant(0),
        fc.integer({ min: 1, max: 4_000_000_000_000 }),
        fc.integer({ min: 1, max: 4_000_000_000 }).map((seconds) => seconds * 1000), // whole seconds, as core/v1 firstTimestamp
        fc.double({ min: 1, max: 4_000_000_000_000, noNaN: true }),
      ),
      ref: fc.record({ kind: maybe, name: maybe, namespace: maybe, uid: maybe, apiVersion: maybe, fieldPath: maybe, resourceVersion: maybe }),
      nodeName: fc.option(maybe, { nil: undefined }),
      podName: fc.option(maybe, { nil: undefined }),
      podUid: fc.option(maybe, { nil: undefined }),
      workload: fc.option(
        fc.record({ kind: fc.constantFrom('Deployment', 'StatefulSet', 'DaemonSet', 'Job', 'CronJob', 'ReplicaSet', 'Rollout', 'toString'), name: maybe, uid: fc.option(maybe, { nil: undefined }) }),
        { nil: undefined },
      ),
      classification: fc.option(fc.record({ category: maybe, severity: fc.constantFrom('Info' as const, 'Medium' as const, 'High' as const, 'Critical' as const) }), { nil: undefined }),
      correlationId: fc.option(maybe, { nil: undefined }),
      patternId: fc.option(maybe, { nil: undefined }),
    })
    .map((r) =>
      buildRecord(
        buildEvent({
          uid: r.uid,
          name: r.name,
          reason: r.reason,
          action: r.action,
          type: r.type,
          reportingController: r.reportingController,
          reportingInstance: r.reportingInstance,
          count: r.count,
          startTimeMs: r.startTimeMs,
          namespace: r.ref.namespace,
          regarding: r.ref,
        }),
        {
          enrichment: {
            ...(r.nodeName !== undefined ? { nodeName: r.nodeName } : {}),
            ...(r.podName !== undefined ? { podName: r.podName } : {}),
            ...(r.podUid !== undefined ? { podUid: r.podUid } : {}),
            ...(r.workload ? { workload: r.workload.uid !== undefined ? r.workload : { kind: r.workload.kind, name: r.workload.name } } : {}),
          },
          ...(r.classification ? { classification: { ...r.classification, ruleId: 'r', escalated: false } } : {}),
          ...(r.correlationId !== undefined ? { correlationId: r.correlationId } : {}),
          ...(r.patternId !== undefined ? { patternId: r.patternId } : {}),
        },
      ),
    );

  it('gives the DESIGN attributes in DESIGN order, empty ones left out, for any record (property; the order is the order on the wire)', () => {
    fc.assert(
      fc.property(record, (r) => {
        expect(Object.entries(eventToLogRecord(r).attributes)).toEqual(designAttributes(r));
      }),
      runs(400),
    );
  });

  it('gives plain objects (prototype Object.prototype), as a literal would', () => {
    const attributes = eventToLogRecord(buildRecord(buildEvent())).attributes;
    expect(Object.getPrototypeOf(attributes)).toBe(Object.prototype);
    expect(attributes.constructor).toBe(Object);
    expect(JSON.parse(JSON.stringify(attributes))).toEqual({ ...attributes });
  });
});
