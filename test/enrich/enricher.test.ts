import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { Enricher } from '../../src/enrich/enricher.js';
import { enrichConfigSchema, type EnrichConfig } from '../../src/enrich/config.js';
import { buildEvent, buildRef } from '../support/builders.js';
import { counterValue, recordingScheduler, startSim, testDeps, waitUntil, type Sim } from '../source/harness.js';

type Partial2<T> = { [K in keyof T]?: T[K] extends object ? Partial<T[K]> : T[K] };

let sim: Sim | undefined;
let enricher: Enricher | undefined;

afterEach(async () => {
  await enricher?.stop();
  await sim?.server.close();
  enricher = undefined;
  sim = undefined;
});

function meta(name: string, namespace?: string, extra: Record<string, unknown> = {}) {
  return { name, ...(namespace ? { namespace } : {}), ...extra };
}
const owner = (kind: string, name: string, uid = `${name}-uid`) => ({ ownerReferences: [{ apiVersion: 'apps/v1', kind, name, uid, controller: true }] });

function seed(s: Sim): void {
  const st = s.server.store;
  st.create('nodes', { apiVersion: 'v1', kind: 'Node', metadata: meta('node-a') });
  st.create('replicasets', { apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: meta('web-7d9f', 'shop', owner('Deployment', 'web')) });
  st.create('jobs', { apiVersion: 'batch/v1', kind: 'Job', metadata: meta('backup-1', 'ops', owner('CronJob', 'backup')) });
  st.create('persistentvolumeclaims', { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: meta('data', 'shop'), spec: { volumeName: 'pv-42' } });
  st.create('pods', {
    apiVersion: 'v1', kind: 'Pod',
    metadata: meta('web-7d9f-x', 'shop', { labels: { app: 'web', tier: 'front', 'pod-template-hash': '7d9f' }, ...owner('ReplicaSet', 'web-7d9f') }),
    spec: { nodeName: 'node-a', volumes: [{ name: 'd', persistentVolumeClaim: { claimName: 'data' } }], containers: [{ name: 'c', image: 'nginx' }] },
  });
  st.create('pods', {
    apiVersion: 'v1', kind: 'Pod',
    metadata: meta('backup-1-y', 'ops', owner('Job', 'backup-1')),
    spec: { nodeName: 'node-b', containers: [{ name: 'c', image: 'busybox' }] },
  });
}

function setup(s: Sim, config: Partial2<EnrichConfig> = {}, logger = testDeps(s.kc).logger) {
  const deps = { ...testDeps(s.kc), logger, scheduler: recordingScheduler() };
  enricher = new Enricher(enrichConfigSchema.parse(config), deps);
  return { deps, enricher };
}

const podEvent = (name: string, namespace: string) => buildEvent({ namespace, regarding: buildRef({ kind: 'Pod', name, namespace, uid: '' }), reportingController: 'default-scheduler', reportingInstance: '' });

/** A pino logger capturing parsed lines. */
function capturingLogger() {
  const lines: { level: number; msg: string }[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      for (const l of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(l) as { level: number; msg: string });
      cb();
    },
  });
  return { logger: pino({ level: 'debug' }, stream), lines };
}

describe('Enricher against the simulator', () => {
  it('resolves Deployment and CronJob chains, node, labels, claims and volumes', async () => {
    sim = await startSim();
    seed(sim);
    const { enricher, deps } = setup(sim, { podLabelLimit: 2 });
    await enricher.start();
    expect(enricher.informers().map((i) => i.state)).toEqual(['synced', 'synced', 'synced', 'synced', 'synced']);
    const web = enricher.enrich(podEvent('web-7d9f-x', 'shop'));
    expect(web).toMatchObject({
      podName: 'web-7d9f-x', nodeName: 'node-a', workload: { kind: 'Deployment', name: 'web', uid: 'web-uid' },
      pvcNames: ['data'], pvNames: ['pv-42'], podLabels: { app: 'web', 'pod-template-hash': '7d9f' },
    });
    expect(web.podUid).toMatch(/.+/);
    expect(enricher.enrich(podEvent('backup-1-y', 'ops'))).toMatchObject({ nodeName: 'node-b', workload: { kind: 'CronJob', name: 'backup' } });
    const pvcEvent = buildEvent({ namespace: 'shop', regarding: buildRef({ kind: 'PersistentVolumeClaim', name: 'data', namespace: 'shop' }) });
    expect(enricher.enrich(pvcEvent)).toMatchObject({ pvcNames: ['data'], pvNames: ['pv-42'] });
    expect(enricher.enrich(podEvent('unknown', 'shop'))).toEqual({ podName: 'unknown' });
    expect(await counterValue(deps.metrics.enrichLookups, { result: 'hit' })).toBe(3);
    expect(await counterValue(deps.metrics.enrichLookups, { result: 'miss' })).toBe(1);
  });

  it('follows the watch: a pod created after start is found', async () => {
    sim = await startSim();
    const { enricher } = setup(sim);
    await enricher.start();
    sim.server.store.create('pods', { apiVersion: 'v1', kind: 'Pod', metadata: meta('late', 'shop'), spec: { nodeName: 'node-c', containers: [] } });
    await waitUntil(() => enricher.enrich(podEvent('late', 'shop')).nodeName === 'node-c', 'late pod cached');
  });

  it('a forbidden list disables that kind with one warning; enrichment degrades', async () => {
    sim = await startSim();
    seed(sim);
    const cap = capturingLogger();
    const { enricher } = setup(sim, { kinds: { pods: true, nodes: false, replicasets: false, jobs: false, persistentvolumeclaims: false } }, cap.logger);
    sim.server.faults.failNext(1, 403);
    await enricher.start();
    expect(enricher.informers().find((i) => i.kind === 'pods')?.state).toBe('forbidden');
    const warnings = cap.lines.filter((l) => l.level === 40);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]!.msg).toMatch(/pods.*403/);
    const kubelet = buildEvent({ namespace: 'shop', regarding: buildRef({ kind: 'Pod', name: 'web-7d9f-x', namespace: 'shop', uid: 'u1' }), reportingController: 'kubelet', reportingInstance: 'node-k' });
    expect(enricher.enrich(kubelet)).toEqual({ podName: 'web-7d9f-x', podUid: 'u1', nodeName: 'node-k' });
    // No retry loop on 403: the injected failure was the only request (the simulator does not count those).
    expect(Object.keys(sim.server.stats().requests).filter((k) => k.includes('pods'))).toEqual([]);
    expect(sim.server.stats().openWatches).toBe(0);
  });

  it('bounds each cache by maxObjects and expires by ttlMillis on the injected clock', async () => {
    sim = await startSim();
    for (let i = 0; i < 30; i++) sim.server.store.create('pods', { apiVersion: 'v1', kind: 'Pod', metadata: meta(`p${i}`, 'ns'), spec: { nodeName: 'n', containers: [] } });
    const { enricher, deps } = setup(sim, { maxObjects: 10, ttlMillis: 60_000 });
    await enricher.start();
    expect(enricher.informers().find((i) => i.kind === 'pods')?.size).toBe(10);
    expect(enricher.enrich(podEvent('p29', 'ns')).nodeName).toBe('n');
    expect(enricher.enrich(podEvent('p0', 'ns')).nodeName).toBeUndefined();
    deps.clock.advance(61_000);
    await new Promise((r) => setTimeout(r, 5)); // lru-cache caches "now" for 1 ms
    expect(enricher.enrich(podEvent('p29', 'ns')).nodeName).toBeUndefined();
  });

  it('does nothing when disabled', async () => {
    sim = await startSim();
    seed(sim);
    const { enricher } = setup(sim, { enabled: false });
    await enricher.start();
    expect(enricher.enrich(podEvent('web-7d9f-x', 'shop'))).toEqual({});
    expect(Object.keys(sim.server.stats().requests).filter((k) => k.startsWith('list'))).toEqual([]);
  });
});
