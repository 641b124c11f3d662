import { describe, expect, it } from 'vitest';
import { resolveEnrichment, type EnrichLookup } from '../../src/enrich/resolve.js';
import { projectPod } from '../../src/enrich/projection.js';
import type { SlimOwned, SlimPod, SlimPvc } from '../../src/enrich/projection.js';
import { buildEvent, buildRef } from '../support/builders.js';

function lookup(objs: { pods?: Record<string, SlimPod>; rs?: Record<string, SlimOwned>; jobs?: Record<string, SlimOwned>; pvcs?: Record<string, SlimPvc>; nodes?: string[] }): EnrichLookup {
  return {
    pod: (ns, n) => objs.pods?.[`${ns}/${n}`],
    replicaSet: (ns, n) => objs.rs?.[`${ns}/${n}`],
    job: (ns, n) => objs.jobs?.[`${ns}/${n}`],
    pvc: (ns, n) => objs.pvcs?.[`${ns}/${n}`],
    node: (n) => (objs.nodes?.includes(n) ? { name: n } : undefined),
  };
}

const pod = (name: string, extra: Partial<SlimPod> = {}): SlimPod => ({ name, namespace: 'ns', uid: `uid-${name}`, nodeName: 'node-a', ...extra });
const podEvent = (name: string, extra: Parameters<typeof buildEvent>[0] = {}) =>
  buildEvent({ namespace: 'ns', regarding: buildRef({ kind: 'Pod', name, namespace: 'ns', uid: '' }), reportingController: 'default-scheduler', reportingInstance: '', ...extra });

describe('resolveEnrichment', () => {
  const world = lookup({
    pods: {
      'ns/web-7d9f-abc': pod('web-7d9f-abc', { owner: { kind: 'ReplicaSet', name: 'web-7d9f' }, labels: { app: 'web', 'pod-template-hash': '7d9f' }, pvcNames: ['data', 'cache'] }),
      'ns/orphan-rs-x': pod('orphan-rs-x', { owner: { kind: 'ReplicaSet', name: 'lonely' } }),
      'ns/api-5c6-x': pod('api-5c6-x', { owner: { kind: 'ReplicaSet', name: 'api-5c6' }, labels: { 'pod-template-hash': '5c6' } }),
      'ns/db-0': pod('db-0', { owner: { kind: 'StatefulSet', name: 'db', uid: 'sts-uid' } }),
      'ns/agent-x': pod('agent-x', { owner: { kind: 'DaemonSet', name: 'agent' } }),
      'ns/backup-123-x': pod('backup-123-x', { owner: { kind: 'Job', name: 'backup-123' } }),
      'ns/once-x': pod('once-x', { owner: { kind: 'Job', name: 'once' } }),
      'ns/bare': pod('bare', { nodeName: undefined }),
    },
    rs: { 'ns/web-7d9f': { owner: { kind: 'Deployment', name: 'web', uid: 'dep-uid' } }, 'ns/lonely': {} },
    jobs: { 'ns/backup-123': { owner: { kind: 'CronJob', name: 'backup' } }, 'ns/once': {} },
    pvcs: { 'ns/data': { volumeName: 'pv-1' }, 'ns/cache': {} },
    nodes: ['node-a'],
  });

  it.each([
    ['web-7d9f-abc', { kind: 'Deployment', name: 'web', uid: 'dep-uid' }],
    ['orphan-rs-x', { kind: 'ReplicaSet', name: 'lonely' }],
    ['api-5c6-x', { kind: 'Deployment', name: 'api' }], // ReplicaSet not cached: pod-template-hash
    ['db-0', { kind: 'StatefulSet', name: 'db', uid: 'sts-uid' }],
    ['agent-x', { kind: 'DaemonSet', name: 'agent' }],
    ['backup-123-x', { kind: 'CronJob', name: 'backup' }],
    ['once-x', { kind: 'Job', name: 'once' }],
  ])('pod %s → workload %o', (name, workload) => {
    const { enrichment, result } = resolveEnrichment(podEvent(name), world);
    expect(result).toBe('hit');
    expect(enrichment.workload).toEqual(workload);
    expect(enrichment).toMatchObject({ podName: name, podUid: `uid-${name}`, nodeName: 'node-a' });
  });

  it('pod claims and their volumes, labels', () => {
    const { enrichment } = resolveEnrichment(podEvent('web-7d9f-abc'), world);
    expect(enrichment.pvcNames).toEqual(['data', 'cache']);
    expect(enrichment.pvNames).toEqual(['pv-1']);
    expect(enrichment.podLabels).toEqual({ app: 'web', 'pod-template-hash': '7d9f' });
  });

  it('regarding PVC, Node, PV, Deployment, ReplicaSet, Job', () => {
    const ev = (kind: string, name: string) => buildEvent({ namespace: 'ns', regarding: buildRef({ kind, name, namespace: kind === 'Node' || kind === 'PersistentVolume' ? '' : 'ns', uid: '' }), reportingController: 'x' });
    expect(resolveEnrichment(ev('PersistentVolumeClaim', 'data'), world)).toEqual({ enrichment: { pvcNames: ['data'], pvNames: ['pv-1'] }, result: 'hit' });
    expect(resolveEnrichment(ev('PersistentVolumeClaim', 'nope'), world)).toEqual({ enrichment: { pvcNames: ['nope'] }, result: 'miss' });
    expect(resolveEnrichment(ev('Node', 'node-a'), world)).toEqual({ enrichment: { nodeName: 'node-a' }, result: 'hit' });
    expect(resolveEnrichment(ev('PersistentVolume', 'pv-9'), world).enrichment).toEqual({ pvNames: ['pv-9'] });
    expect(resolveEnrichment(ev('Deployment', 'web'), world).enrichment.workload).toEqual({ kind: 'Deployment', name: 'web' });
    expect(resolveEnrichment(ev('ReplicaSet', 'web-7d9f'), world).enrichment.workload).toEqual({ kind: 'Deployment', name: 'web', uid: 'dep-uid' });
    expect(resolveEnrichment(ev('Job', 'backup-123'), world).enrichment.workload).toEqual({ kind: 'CronJob', name: 'backup' });
  });

  it('unknown pod: kubelet reporting instance gives the node', () => {
    const kubelet = podEvent('gone', { reportingController: 'kubelet', reportingInstance: 'node-z', regarding: buildRef({ kind: 'Pod', name: 'gone', namespace: 'ns', uid: 'u-gone' }) });
    expect(resolveEnrichment(kubelet, world)).toEqual({ enrichment: { podName: 'gone', podUid: 'u-gone', nodeName: 'node-z' }, result: 'miss' });
    expect(resolveEnrichment(podEvent('bare'), world).enrichment.nodeName).toBeUndefined();
  });

  it('a pod recreated under the same name: owner carries over, node comes from the reporting kubelet', () => {
    const evicted = podEvent('db-0', { reportingController: 'kubelet', reportingInstance: 'node-old', regarding: buildRef({ kind: 'Pod', name: 'db-0', namespace: 'ns', uid: 'uid-previous' }) });
    const { enrichment } = resolveEnrichment(evicted, world);
    expect(enrichment.nodeName).toBe('node-old');
    expect(enrichment.podUid).toBe('uid-previous');
    expect(enrichment.workload).toEqual({ kind: 'StatefulSet', name: 'db', uid: 'sts-uid' });
  });

  it('projectPod caps labels by key order and reads claims and the controller owner', () => {
    const slim = projectPod(
      {
        metadata: {
          name: 'p', namespace: 'ns', uid: 'u',
          labels: { z: '1', a: '2', m: '3' },
          ownerReferences: [{ kind: 'Foo', name: 'f' }, { kind: 'ReplicaSet', name: 'rs', uid: 'rsu', controller: true }],
        },
        spec: { nodeName: 'n', volumes: [{ name: 'v', persistentVolumeClaim: { claimName: 'c1' } }, { name: 'e', emptyDir: {} }], containers: [{ name: 'big', image: 'x' }] },
      },
      2,
    );
    expect(slim).toEqual({ name: 'p', namespace: 'ns', uid: 'u', nodeName: 'n', labels: { a: '2', m: '3' }, owner: { kind: 'ReplicaSet', name: 'rs', uid: 'rsu' }, pvcNames: ['c1'] });
  });
});
