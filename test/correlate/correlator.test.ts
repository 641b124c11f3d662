import { describe, expect, it } from 'vitest';
import { correlateConfigSchema } from '../../src/correlate/config.js';
import type { CorrelateConfig } from '../../src/correlate/config.js';
import { Correlator } from '../../src/correlate/correlator.js';
import type { EventRecord } from '../../src/model/event.js';
import { ManualClock } from '../../src/model/time.js';
import { createMetrics } from '../../src/observe/metrics.js';
import { buildEvent, buildRecord, buildRef } from '../support/builders.js';
import { at, cls, nodeRecord, podRecord } from './helpers.js';

function correlator(overrides: Partial<CorrelateConfig> = {}): Correlator {
  return new Correlator(correlateConfigSchema.parse(overrides), { clock: new ManualClock(0) });
}

describe('Correlator: same object', () => {
  it('keeps one id within the window of the last event and opens a new one after it', () => {
    const c = correlator();
    const a = c.assign(podRecord('api', { reason: 'BackOff', timeMs: at(0) }));
    const b = c.assign(podRecord('api', { reason: 'Unhealthy', timeMs: at(9) }));
    const d = c.assign(podRecord('api', { reason: 'BackOff', timeMs: at(18) })); // 9 min after the last one
    expect(b).toBe(a);
    expect(d).toBe(a);
    const e = c.assign(podRecord('api', { reason: 'BackOff', timeMs: at(28, 1) })); // 10 min 1 s after the last
    expect(e).not.toBe(a);
    expect(e).toMatch(/^[0-9a-f]{16}$/);
  });

  it('puts a FailedMount and the BackOff that follows on the same pod in one group', () => {
    const c = correlator();
    const mount = c.assign(podRecord('db-0', { reason: 'FailedMount', timeMs: at(0) }, { pvcNames: ['data'] }));
    const backoff = c.assign(podRecord('db-0', { reason: 'BackOff', timeMs: at(2) }));
    expect(backoff).toBe(mount);
  });

  it('matches objects without uid by kind/namespace/name', () => {
    const c = correlator();
    const ref = buildRef({ kind: 'Pod', name: 'x', uid: '' });
    const a = c.assign(buildRecord(buildEvent({ regarding: ref, timeMs: at(0) })));
    const b = c.assign(buildRecord(buildEvent({ regarding: ref, timeMs: at(1) })));
    expect(b).toBe(a);
  });

  it('keeps the id of an Event updated in place (series), even past the window of its first delivery', () => {
    const c = correlator();
    const event = buildEvent({ uid: 'evt-series', reason: 'BackOff', count: 1, timeMs: at(0) });
    const ids = [0, 8, 16, 24, 32].map((m, i) => c.assign(buildRecord({ ...event, count: i + 1, timeMs: at(m) })));
    expect(new Set(ids).size).toBe(1);
  });

  it('splits a long incident deterministically at maxGroupMillis', () => {
    const run = (): string[] => {
      const c = correlator({ maxGroupMillis: 3_600_000 });
      return Array.from({ length: 30 }, (_, i) => c.assign(podRecord('loop', { uid: 'evt-loop', count: i + 1, timeMs: at(i * 5) })));
    };
    const ids = run();
    // 0..55 min in the first group, 60..115 in the second, 120..145 in the third.
    expect(new Set(ids.slice(0, 12)).size).toBe(1);
    expect(ids[12]).not.toBe(ids[11]);
    expect(new Set(ids.slice(12, 24)).size).toBe(1);
    expect(ids[24]).not.toBe(ids[23]);
    expect(run()).toEqual(ids);
  });
});

describe('Correlator: affinity', () => {
  it('groups NodeHasDiskPressure with Evicted pods on that node, not with pods on another node', () => {
    const c = correlator();
    const pressure = c.assign(nodeRecord('node-1', { reason: 'NodeHasDiskPressure', type: 'Normal', timeMs: at(0) }));
    // Evicted pods are gone: no enrichment, node from the reporting kubelet.
    const p1 = c.assign(podRecord('web-1', { reason: 'Evicted', reportingInstance: 'node-1', timeMs: at(1) }));
    const p2 = c.assign(podRecord('batch-7', { reason: 'Evicted', reportingInstance: 'node-1', timeMs: at(2) }, {}, 'High', 'jobs'));
    const p3 = c.assign(podRecord('web-9', { reason: 'Evicted', reportingInstance: 'node-2', timeMs: at(2) }));
    const p4 = c.assign(podRecord('cache-1', { reason: 'OOMKilling', reportingController: 'other', timeMs: at(3) }, { nodeName: 'node-1' }));
    expect(p1).toBe(pressure);
    expect(p2).toBe(pressure);
    expect(p4).toBe(pressure);
    expect(p3).not.toBe(pressure);
    const summary = c.recentIncidents(10).find((s) => s.id === pressure);
    expect(summary?.subjects).toEqual(['Node node-1', 'Pod default/web-1', 'Pod jobs/batch-7', 'Pod default/cache-1']);
    expect(summary?.namespaces).toEqual(['default', 'jobs']);
    expect(summary?.eventCount).toBe(4);
    expect(summary?.maxSeverity).toBe('High');
  });

  it('pulls a pod Warning seen just before the node condition into the node group', () => {
    const c = correlator();
    const early = c.assign(podRecord('web-1', { reason: 'Evicted', reportingInstance: 'node-1', timeMs: at(0) }));
    const node = c.assign(nodeRecord('node-1', { reason: 'NodeHasDiskPressure', type: 'Normal', timeMs: at(0, 1) }));
    const later = c.assign(podRecord('web-2', { reason: 'Evicted', reportingInstance: 'node-1', timeMs: at(0, 30) }));
    expect(node).toBe(early);
    expect(later).toBe(early);
  });

  it('does not link two pods on one node directly, only through a node-level incident', () => {
    const c = correlator();
    const a = c.assign(podRecord('a', { reason: 'BackOff', timeMs: at(0) }, { nodeName: 'node-1' }));
    const b = c.assign(podRecord('b', { reason: 'BackOff', timeMs: at(1) }, { nodeName: 'node-1' }));
    expect(b).not.toBe(a);
  });

  it('never links routine Normal events of different objects through node or workload', () => {
    const c = correlator();
    const enrichment = (pod: string) => ({ nodeName: 'node-1', workload: { kind: 'Deployment', name: 'web' }, podName: pod });
    const ids = new Set<string>();
    for (const pod of ['web-a', 'web-b', 'web-c']) {
      for (const [i, reason] of ['Scheduled', 'Pulled', 'Created', 'Started'].entries()) {
        ids.add(c.assign(podRecord(pod, { reason, type: 'Normal', timeMs: at(i) }, enrichment(pod), 'Info')));
      }
    }
    const nodeReady = c.assign(nodeRecord('node-1', { reason: 'NodeReady', type: 'Normal', timeMs: at(5) }, 'Info'));
    expect(ids.size).toBe(3);
    expect(ids.has(nodeReady)).toBe(false);
  });

  it('lets routine events join their own object\'s group', () => {
    const c = correlator();
    const warn = c.assign(podRecord('api', { reason: 'BackOff', timeMs: at(0) }, { nodeName: 'node-1' }));
    const pulled = c.assign(podRecord('api', { reason: 'Pulled', type: 'Normal', timeMs: at(1) }, { nodeName: 'node-1' }, 'Info'));
    expect(pulled).toBe(warn);
  });

  it('links pod Warnings through their workload and volumes', () => {
    const c = correlator();
    const wl = { kind: 'StatefulSet', name: 'db' };
    const a = c.assign(podRecord('db-0', { reason: 'BackOff', timeMs: at(0) }, { workload: wl }));
    const b = c.assign(podRecord('db-1', { reason: 'BackOff', timeMs: at(1) }, { workload: wl }));
    const sts = buildRef({ kind: 'StatefulSet', name: 'db', uid: 'sts-db' });
    const s = c.assign(buildRecord(buildEvent({ regarding: sts, reason: 'FailedCreate', timeMs: at(2) }), { enrichment: {}, classification: cls('Medium') }));
    expect(b).toBe(a);
    expect(s).toBe(a);

    const pvc = buildRef({ kind: 'PersistentVolumeClaim', name: 'data', uid: 'pvc-data' });
    const prov = c.assign(buildRecord(buildEvent({ regarding: pvc, reason: 'ProvisioningFailed', timeMs: at(0) }), { classification: cls('High') }));
    const mount = c.assign(podRecord('other', { reason: 'FailedMount', timeMs: at(1) }, { pvcNames: ['data'], pvNames: ['pv-1'] }));
    expect(mount).toBe(prov);
    expect(prov).not.toBe(a);
  });

  it('respects the affinity toggles', () => {
    const c = correlator({ affinity: { node: false, volume: true, workload: true, related: true } });
    const node = c.assign(nodeRecord('node-1', { reason: 'NodeHasDiskPressure', type: 'Normal', timeMs: at(0) }));
    const pod = c.assign(podRecord('web-1', { reason: 'Evicted', reportingInstance: 'node-1', timeMs: at(1) }));
    expect(pod).not.toBe(node);
  });

  it('follows related objects as a causal chain', () => {
    const c = correlator();
    const preemptor = buildRef({ kind: 'Pod', name: 'big', uid: 'pod-big' });
    const victim = c.assign(
      podRecord('small', { reason: 'Preempted', type: 'Normal', related: preemptor, timeMs: at(0) }, {}, 'Medium'),
    );
    const next = c.assign(podRecord('big', { reason: 'FailedScheduling', timeMs: at(1) }));
    const routine = c.assign(podRecord('big', { reason: 'Scheduled', type: 'Normal', timeMs: at(2) }, {}, 'Info'));
    expect(next).toBe(victim);
    expect(routine).toBe(victim);
  });

  it('joins the incident active most recently when two match, the older one on a tie', () => {
    const c = correlator();
    const wl = { kind: 'Deployment', name: 'web' };
    // web-a runs on node-2: it shares only the workload with web-b.
    const older = c.assign(podRecord('web-a', { reason: 'BackOff', reportingInstance: 'node-2', timeMs: at(0) }, { workload: wl }));
    const node = c.assign(nodeRecord('node-1', { reason: 'NodeNotReady', type: 'Warning', timeMs: at(1) }));
    expect(node).not.toBe(older);
    const both = c.assign(podRecord('web-b', { reason: 'BackOff', timeMs: at(2) }, { workload: wl, nodeName: 'node-1' }));
    expect(both).toBe(node);

    const tie = correlator();
    const first = tie.assign(podRecord('web-a', { reason: 'BackOff', reportingInstance: 'node-2', timeMs: at(0) }, { workload: wl }));
    const second = tie.assign(nodeRecord('node-1', { reason: 'NodeNotReady', type: 'Warning', timeMs: at(0) }));
    expect(second).not.toBe(first);
    expect(tie.assign(podRecord('web-b', { reason: 'BackOff', timeMs: at(0) }, { workload: wl, nodeName: 'node-1' }))).toBe(first);
  });

  it('an eviction joins its node pressure incident even when its pod has a more recent incident of its own', () => {
    const c = correlator();
    const node = c.assign(nodeRecord('node-1', { reason: 'NodeHasDiskPressure', type: 'Warning', timeMs: at(0) }));
    const probe = c.assign(podRecord('api-0', { reason: 'Unhealthy', type: 'Warning', timeMs: at(2) }, { nodeName: 'node-2' }));
    expect(probe).not.toBe(node);
    const evicted = c.assign(podRecord('api-0', { reason: 'Evicted', type: 'Warning', reportingInstance: 'node-1', timeMs: at(3) }, { nodeName: 'node-1' }));
    expect(evicted).toBe(node);
  });

  it('an eviction joins its node pressure incident, not its pod routine start-up group', () => {
    const c = correlator();
    const pod = c.assign(podRecord('db-0', { reason: 'Started', type: 'Normal', reportingInstance: 'node-1', timeMs: at(0) }, { nodeName: 'node-1' }));
    const node = c.assign(nodeRecord('node-1', { reason: 'NodeHasDiskPressure', type: 'Warning', timeMs: at(1) }));
    expect(node).not.toBe(pod);
    expect(c.assign(podRecord('db-0', { reason: 'Evicted', type: 'Warning', timeMs: at(2) }, { nodeName: 'node-1' }))).toBe(node);
  });
});

describe('Correlator: time, replay and bounds', () => {
  function scenario(): EventRecord[] {
    const out: EventRecord[] = [];
    let seed = 7;
    const rnd = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    for (let i = 0; i < 400; i++) {
      const pod = `p${rnd(25)}`;
      const node = `n${rnd(4)}`;
      const warn = rnd(3) > 0;
      const timeMs = at(i / 4) - rnd(20) * 1000; // up to 20 s of disorder
      if (rnd(40) === 0) out.push(nodeRecord(node, { reason: 'NodeHasDiskPressure', type: 'Normal', timeMs }));
      else
        out.push(
          podRecord(pod, { reason: warn ? 'BackOff' : 'Pulled', type: warn ? 'Warning' : 'Normal', timeMs }, { nodeName: node, workload: { kind: 'Deployment', name: `d${rnd(5)}` } }),
        );
    }
    return out;
  }

  it('gives identical ids when the same sequence is replayed (different wall clock)', () => {
    const records = scenario();
    const live = new Correlator(correlateConfigSchema.parse({}), { clock: new ManualClock(1_000) });
    const replay = new Correlator(correlateConfigSchema.parse({}), { clock: new ManualClock(9_999_999) });
    const a = records.map((r) => live.assign(r));
    const b = records.map((r) => replay.assign(r));
    expect(b).toEqual(a);
    expect(new Set(a).size).toBeGreaterThan(1);
  });

  it('tolerates disorder within the allowed lateness', () => {
    const c = correlator();
    const first = c.assign(podRecord('api', { timeMs: at(0) }));
    // Another object advances event time to 10 min 20 s: the watermark (minus 30 s) has not passed api's group.
    c.assign(podRecord('other', { timeMs: at(10, 20) }));
    const late = c.assign(podRecord('api', { reason: 'Unhealthy', timeMs: at(0, 40) }));
    expect(late).toBe(first);
    expect(c.openGroups()).toBe(2);
    // Far later: the watermark passes both groups and closes them.
    c.assign(podRecord('third', { timeMs: at(40) }));
    expect(c.openGroups()).toBe(1);
  });

  it('closes idle groups when the wall clock advances without events', () => {
    const clock = new ManualClock(0);
    const c = new Correlator(correlateConfigSchema.parse({}), { clock });
    c.assign(podRecord('api', { timeMs: at(0) }));
    expect(c.openGroups()).toBe(1);
    clock.advance(60_000 + 600_000 + 30_000 + 1);
    expect(c.openGroups()).toBe(0);
    expect(c.recentIncidents(5)[0]?.open).toBe(false);
  });

  it('evicts the least recently updated group beyond maxGroups', async () => {
    const metrics = createMetrics();
    const c = new Correlator(correlateConfigSchema.parse({ maxGroups: 2 }), { clock: new ManualClock(0), metrics });
    const a = c.assign(podRecord('a', { timeMs: at(0) }));
    c.assign(podRecord('b', { timeMs: at(0, 10) }));
    c.assign(podRecord('c', { timeMs: at(0, 20) }));
    expect(c.openGroups()).toBe(2);
    const again = c.assign(podRecord('a', { timeMs: at(0, 30) }));
    expect(again).not.toBe(a);
    const closed = c.recentIncidents(10).filter((s) => !s.open).map((s) => s.id);
    expect(closed).toContain(a);
    await expect(metrics.incidentsOpen.get()).resolves.toMatchObject({ values: [{ value: 2 }] });
  });

  it('forgets the least recently used keys beyond maxKeys', () => {
    const c = correlator({ maxKeys: 4 });
    const a = c.assign(podRecord('a', { timeMs: at(0) })); // evt + obj keys
    c.assign(podRecord('b', { timeMs: at(0, 1) }));
    c.assign(podRecord('c', { timeMs: at(0, 2) })); // a's keys evicted
    expect(c.assign(podRecord('a', { timeMs: at(0, 3) }))).not.toBe(a);
  });

  it('reports incidents latest first, bounded by limit', () => {
    const c = correlator();
    c.assign(podRecord('a', { timeMs: at(0) }));
    const b = c.assign(podRecord('b', { timeMs: at(1) }));
    const list = c.recentIncidents(1);
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({ id: b, open: true, subjects: ['Pod default/b'], categories: ['Test.Category'], maxSeverity: 'Medium' });
    expect(c.recentIncidents(0)).toEqual([]);
  });
});
