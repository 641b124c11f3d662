import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { correlateConfigSchema, patternConfigSchema } from '../../src/correlate/config.js';
import { CountDeltas } from '../../src/correlate/counts.js';
import { stableId } from '../../src/correlate/ids.js';
import type { CorrelateConfig } from '../../src/correlate/config.js';
import { KEY_PREFIXES, nodeOf, objectIdentity, planRecordKeys, RecordKeys } from '../../src/correlate/keys.js';
import type { EventRecord, ObjectRef } from '../../src/model/event.js';
import { SlidingCount } from '../../src/correlate/window.js';
import { LruMap } from '../../src/model/lru.js';
import { buildRef } from '../support/builders.js';
import { at, nodeRecord, podRecord } from './helpers.js';

/** The `obj:` key of an object (docs/correlation.md). */
const objectKey = (ref: ObjectRef): string | undefined => {
  const identity = objectIdentity(ref);
  return identity === undefined ? undefined : `obj:${identity}`;
};

/** The keys {@link planRecordKeys} plans for a record, in their text form (`evt:<uid>`, `node:<n>`, ...). */
function planKeys(record: EventRecord, config: CorrelateConfig): { eventKey: string | undefined; objectKey: string | undefined; lookup: string[]; register: string[]; preferred?: string } {
  const keys = planRecordKeys(record, config, new RecordKeys());
  const text = (kinds: number[], list: string[], count: number): string[] => list.slice(0, count).map((key, i) => `${KEY_PREFIXES[kinds[i]!]}${key}`);
  const plan: ReturnType<typeof planKeys> = {
    eventKey: keys.eventKey === undefined ? undefined : `evt:${keys.eventKey}`,
    objectKey: keys.objectKey === undefined ? undefined : `obj:${keys.objectKey}`,
    lookup: text(keys.lookupKinds, keys.lookupKeys, keys.lookupCount),
    register: text(keys.registerKinds, keys.registerKeys, keys.registerCount),
  };
  if (keys.preferred !== undefined) plan.preferred = `node:${keys.preferred}`;
  return plan;
}

describe('config', () => {
  it('parses {} to the documented defaults', () => {
    expect(correlateConfigSchema.parse({})).toEqual({
      windowMillis: 600_000,
      maxGroupMillis: 21_600_000,
      maxGroups: 50_000,
      maxKeys: 100_000,
      allowedLatenessMillis: 30_000,
      idleAdvanceMillis: 60_000,
      linkMinSeverity: 'Medium',
      nodeCausedReasons: ['Evicted', 'Preempting', 'TaintManagerEviction', 'NodeShutdown', 'OutOfcpu', 'OutOfmemory', 'OutOfDisk', 'NodeNotReady'],
      keepClosedIncidents: 100,
      affinity: { node: true, volume: true, workload: true, related: true },
    });
    expect(patternConfigSchema.parse({})).toEqual({
      enabled: true,
      windowMillis: 300_000,
      defaultThreshold: 20,
      thresholds: { BackOff: 10, Unhealthy: 15, FailedMount: 5, FailedScheduling: 10, Evicted: 5 },
      minSeverity: 'Medium',
      maxKeys: 100_000,
    });
  });

  it.each([
    [correlateConfigSchema, { windowMillis: 0 }, 'windowMillis'],
    [correlateConfigSchema, { linkMinSeverity: 'Huge' }, 'linkMinSeverity'],
    [correlateConfigSchema, { affinity: { node: 'yes' } }, 'affinity.node'],
    [patternConfigSchema, { thresholds: { BackOff: 0 } }, 'thresholds.BackOff'],
    [patternConfigSchema, { windowMillis: 10 }, 'windowMillis'],
  ] as const)('rejects bad values and names the field (%#)', (schema, input, path) => {
    const result = schema.safeParse(input);
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.path.join('.')).toBe(path);
  });

  it('fills in missing affinity toggles', () => {
    expect(correlateConfigSchema.parse({ affinity: { node: false } }).affinity).toEqual({ node: false, volume: true, workload: true, related: true });
  });
});

describe('keys', () => {
  const config = correlateConfigSchema.parse({});

  it('identifies objects by uid, by kind/namespace/name, and nodes by name', () => {
    expect(objectKey(buildRef({ uid: 'u1' }))).toBe('obj:u1');
    expect(objectKey(buildRef({ uid: '', name: 'x', namespace: 'ns' }))).toBe('obj:Pod/ns/x');
    expect(objectKey(buildRef({ kind: 'Node', name: 'n1', uid: 'real-uid' }))).toBe('obj:Node//n1');
    expect(objectKey(buildRef({ uid: '', name: '' }))).toBeUndefined();
  });

  it('finds the node from the Node, the enrichment, or the reporting kubelet', () => {
    expect(nodeOf(nodeRecord('n1'))).toBe('n1');
    expect(nodeOf(podRecord('p', { reportingInstance: 'n2' }, { nodeName: 'n3' }))).toBe('n3');
    expect(nodeOf(podRecord('p', { reportingInstance: 'n2' }))).toBe('n2');
    expect(nodeOf(podRecord('p', { reportingController: 'default-scheduler', reportingInstance: 'sched-1' }))).toBeUndefined();
  });

  it('gives routine events only their identity keys', () => {
    const plan = planKeys(podRecord('p', { uid: 'e', type: 'Normal', reason: 'Pulled' }, { nodeName: 'n', workload: { kind: 'Deployment', name: 'd' } }, 'Info'), config);
    expect(plan).toEqual({ eventKey: 'evt:e', objectKey: 'obj:pod-p', lookup: [], register: [] });
  });

  it('plans affinity keys for significant events', () => {
    const pod = planKeys(
      podRecord('p', { uid: 'e', timeMs: at(0) }, { nodeName: 'n', pvcNames: ['c'], pvNames: ['v'], workload: { kind: 'Deployment', name: 'd' } }),
      config,
    );
    expect(pod.lookup).toEqual(['node:n', 'pvc:default/c', 'pv:v', 'workload:Deployment/default/d']);
    expect(pod.register).toEqual(['onnode:n', 'pvc:default/c', 'pv:v', 'workload:Deployment/default/d']);
    const node = planKeys(nodeRecord('n'), config);
    expect(node.lookup).toEqual(['node:n', 'onnode:n']);
    expect(node.register).toEqual(['node:n']);
  });
});

describe('SlidingCount', () => {
  it('sums occurrences in the window, accepts disorder inside it and rejects what fell out', () => {
    const w = new SlidingCount(1000, 10);
    expect(w.add(5_000, 1)).toBe(true);
    expect(w.add(9_500, 2)).toBe(true);
    expect(w.add(6_200, 3)).toBe(true); // out of order, inside
    expect(w.total()).toBe(6);
    expect(w.add(14_000, 1)).toBe(true); // window now covers buckets 5..14
    expect(w.total()).toBe(7);
    expect(w.add(15_000, 1)).toBe(true); // bucket 5 drops out
    expect(w.total()).toBe(7 - 1 + 1);
    expect(w.add(5_999, 1)).toBe(false);
    expect(w.total()).toBe(7);
  });
});

describe('CountDeltas', () => {
  it('adds the count increase of an in-place update and nothing for a repeat', () => {
    const d = new CountDeltas(300_000, 10);
    expect(d.delta('a', 1, at(0), at(0))).toBe(1);
    expect(d.delta('a', 4, at(0), at(1))).toBe(3);
    expect(d.delta('a', 4, at(0), at(1))).toBe(0);
    expect(d.delta('a', 2, at(0), at(1))).toBe(0); // stale delivery
    expect(d.delta('', 9, at(0), at(1))).toBe(1);
  });

  it('forgets the least recently seen uid beyond its bound', () => {
    const d = new CountDeltas(300_000, 2);
    d.delta('a', 5, at(0), at(0));
    d.delta('b', 1, at(0), at(0));
    d.delta('c', 1, at(0), at(0));
    expect(d.delta('a', 5, at(0), at(0))).toBe(5); // 'a' was forgotten: a first sighting again
  });

  it('gives the deltas of the LruMap it replaced, whatever the sequence, and holds at most its bound', () => {
    /** The implementation before the ninth pass: an LruMap of uid → highest count. */
    const reference = (windowMillis: number, max: number) => {
      const last = new LruMap<string, number>(max);
      return (uid: string, count: number, startTimeMs: number, timeMs: number): number => {
        const n = Number.isFinite(count) && count >= 1 ? Math.floor(count) : 1;
        if (!uid) return 1;
        const prev = last.get(uid);
        if (prev !== undefined) {
          if (n > prev) last.set(uid, n);
          return n > prev ? n - prev : 0;
        }
        last.set(uid, n);
        const spanMs = timeMs - startTimeMs;
        if (n === 1 || !(spanMs > windowMillis)) return n;
        return Math.max(1, Math.ceil((n * windowMillis) / spanMs));
      };
    };
    const call = fc.record({ uid: fc.constantFrom('', 'a', 'b', 'c', 'd', 'e', 'f'), count: fc.integer({ min: -1, max: 40 }), span: fc.integer({ min: 0, max: 900_000 }) });
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 5 }), fc.array(call, { maxLength: 200 }), (max, calls) => {
        const d = new CountDeltas(300_000, max);
        const ref = reference(300_000, max);
        for (const { uid, count, span } of calls) {
          expect(d.delta(uid, count, at(0), at(0) + span)).toBe(ref(uid, count, at(0), at(0) + span));
          expect(d.size()).toBeLessThanOrEqual(max);
        }
      }),
    );
  });
});

describe('stableId', () => {
  it('is a deterministic 16-hex id of its parts', () => {
    expect(stableId('a', 1)).toBe(stableId('a', 1));
    expect(stableId('a', 1)).not.toBe(stableId('a', 2));
    expect(stableId('a', 1)).toMatch(/^[0-9a-f]{16}$/);
  });
});
