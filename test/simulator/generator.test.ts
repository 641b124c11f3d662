import { afterEach, describe, expect, it } from 'vitest';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CoreV1Api } from '@kubernetes/client-node';
import { ManualClock } from '../../src/model/time.js';
import { silentLogger } from '../../src/observe/logger.js';
import { startSimulator } from '../../src/simulator/simulator.js';
import type { SimulatorHandle, SimulatorOptions } from '../../src/simulator/simulator.js';
import { runSimulateCommand } from '../../src/simulator/cli.js';
import { simulatorConfigSchema, INCIDENT_KINDS } from '../../src/simulator/config.js';
import type { GroundTruthIncident } from '../../src/simulator/incidents.js';
import { collectWatch, kubeConfigFor } from './helpers.js';

const START = Date.UTC(2026, 0, 1);
const sims: SimulatorHandle[] = [];
afterEach(async () => {
  for (const s of sims.splice(0)) await s.close();
});

async function sim(options: SimulatorOptions = {}): Promise<SimulatorHandle> {
  const s = await startSimulator({ startTimeMs: START, ...options });
  sims.push(s);
  return s;
}

type Ev = Record<string, unknown> & { metadata: { uid: string; name: string; namespace: string }; involvedObject: { kind: string; name: string; namespace?: string } };
const events = (s: SimulatorHandle): Ev[] => s.api.store.list('events') as Ev[];

describe('generator', () => {
  it('is deterministic: the same seed gives the same events, another seed does not', async () => {
    const a = await sim({ seed: 7, incidentsPerHour: 20 });
    const b = await sim({ seed: 7, incidentsPerHour: 20 });
    const c = await sim({ seed: 8, incidentsPerHour: 20 });
    expect(a.generate(1500)).toBe(1500);
    b.generate(1500);
    c.generate(1500);
    expect(JSON.stringify(events(a))).toBe(JSON.stringify(events(b)));
    expect(JSON.stringify(a.api.store.list('pods'))).toBe(JSON.stringify(b.api.store.list('pods')));
    expect(a.incidents()).toEqual(b.incidents());
    expect(JSON.stringify(events(a))).not.toBe(JSON.stringify(events(c)));
  });

  it('writes a consistent cluster: owners exist, pods sit on nodes, claims are bound', async () => {
    const s = await sim({ seed: 1 });
    const { store } = s.api;
    const nodes = new Set(store.list('nodes').map((n) => (n['metadata'] as { name: string }).name));
    expect(nodes.size).toBe(6);
    const byUid = new Map<string, unknown>();
    for (const r of ['deployments', 'replicasets', 'statefulsets', 'daemonsets', 'cronjobs', 'jobs']) for (const o of store.list(r)) byUid.set((o['metadata'] as { uid: string }).uid, o);
    const pods = store.list('pods') as Array<{ metadata: { ownerReferences: Array<{ uid: string; controller: boolean }> }; spec: { nodeName: string; volumes: Array<{ persistentVolumeClaim?: { claimName: string } }> } }>;
    expect(pods.length).toBeGreaterThan(30);
    for (const p of pods) {
      expect(p.metadata.ownerReferences[0]!.controller).toBe(true);
      expect(byUid.has(p.metadata.ownerReferences[0]!.uid)).toBe(true);
      expect(nodes.has(p.spec.nodeName)).toBe(true);
    }
    const claims = pods.flatMap((p) => p.spec.volumes.map((v) => v.persistentVolumeClaim?.claimName).filter((c): c is string => c !== undefined));
    expect(claims.length).toBeGreaterThan(0);
    const pvcs = store.list('persistentvolumeclaims') as Array<{ spec: { volumeName: string } }>;
    const pvs = new Set(store.list('persistentvolumes').map((p) => (p['metadata'] as { name: string }).name));
    for (const c of pvcs) expect(pvs.has(c.spec.volumeName)).toBe(true);
  });

  it('records legacy events without eventTime and the configured share the new way', async () => {
    const s = await sim({ seed: 3, incidentsPerHour: 0 });
    s.generate(2000);
    const evs = events(s);
    const fresh = evs.filter((e) => e['eventTime'] !== null);
    const legacy = evs.filter((e) => e['eventTime'] === null);
    expect(fresh.length / evs.length).toBeGreaterThan(0.2);
    expect(fresh.length / evs.length).toBeLessThan(0.4);
    for (const e of legacy) {
      expect(e['firstTimestamp']).toMatch(/Z$/);
      expect((e['source'] as { component: string }).component).not.toBe('');
      expect(e['series']).toBeUndefined();
    }
    for (const e of fresh) {
      expect(e['reportingComponent']).not.toBe('');
      expect(e['firstTimestamp']).toBeNull();
      expect(e['eventTime']).toMatch(/\.\d{6}Z$/);
    }
    expect(fresh.some((e) => (e['series'] as { count: number } | undefined)?.count !== undefined)).toBe(true);
    const notes = evs.map((e) => String(e['message'])).join('\n');
    expect(notes).toMatch(/\b10\.\d+\.\d+\.\d+:\d+/);
    expect(notes).toMatch(/[\w.+-]+@example\.com/);
    expect(notes).toMatch(/Bearer [\w.-]{20,}/);
  });

  it('legacy repeats arrive as MODIFIED with the count rising (through client-node)', async () => {
    const s = await sim({ seed: 4, incidentKinds: ['CrashLoopBackOff'], incidentsPerHour: 30, newApiShare: 0 });
    s.generate(200);
    const rv = String(s.api.store.currentRv());
    s.generate(1500);
    const w = await collectWatch(kubeConfigFor(s.api), '/apis/events.k8s.io/v1/events', { resourceVersion: rv }, (seen) => seen.length >= 1000);
    const modified = w.seen.filter((e) => e.type === 'MODIFIED').map((e) => e.object);
    expect(modified.length).toBeGreaterThan(10);
    for (const o of modified) {
      expect(o['eventTime']).toBeNull();
      expect(o['deprecatedCount']).toBeGreaterThan(1);
    }
    const backOff = modified.filter((o) => o['reason'] === 'BackOff');
    const counts = new Map<string, number[]>();
    for (const o of backOff) {
      const uid = (o['metadata'] as { uid: string }).uid;
      counts.set(uid, [...(counts.get(uid) ?? []), o['deprecatedCount'] as number]);
    }
    expect(counts.size).toBeGreaterThan(0);
    for (const seq of counts.values()) expect(seq).toEqual([...seq].sort((x, y) => x - y));
  });

  it('injects every incident kind with ground truth whose uids exist, in memory and in the NDJSON file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'eventide-sim-'));
    const path = join(dir, 'truth.ndjson');
    try {
      const s = await sim({ seed: 5, incidentsPerHour: 30, eventTtlMinutes: 100_000, groundTruthPath: path });
      s.generate(4000);
      const incidents = s.incidents();
      expect(new Set(incidents.map((i) => i.kind))).toEqual(new Set(INCIDENT_KINDS));
      const uids = new Set(events(s).map((e) => e.metadata.uid));
      const byUid = new Map(events(s).map((e) => [e.metadata.uid, e]));
      for (const inc of incidents) {
        expect(inc.eventUids.length).toBeGreaterThan(0);
        for (const u of inc.eventUids) expect(uids.has(u)).toBe(true);
        expect(inc.endMs).toBeGreaterThanOrEqual(inc.startMs);
      }
      const owner = new Map<string, string>();
      for (const inc of incidents) for (const u of inc.eventUids) {
        expect(owner.get(u), `${u} in ${owner.get(u)} and ${inc.id}`).toBeUndefined();
        owner.set(u, inc.id);
      }
      const pressure = incidents.find((i) => i.kind === 'NodePressure')!;
      const evicted = pressure.eventUids.map((u) => byUid.get(u)!).filter((e) => e['reason'] === 'Evicted');
      expect(evicted.length).toBeGreaterThanOrEqual(2);
      for (const e of evicted) expect((e['source'] as { host?: string }).host ?? e['reportingInstance']).toBe(pressure.node);
      const mount = incidents.find((i) => i.kind === 'FailedMount')!;
      const reasons = new Set(mount.eventUids.map((u) => byUid.get(u)!['reason']));
      expect(reasons).toContain('FailedMount');
      expect(reasons).toContain('FailedAttachVolume');
      expect(reasons).toContain('BackOff');
      const crashPods = incidents
        .filter((i) => i.kind === 'CrashLoopBackOff')
        .map((i) => i.objects.find((o) => o.kind === 'Pod')!)
        .map((o) => s.api.store.get('pods', o.namespace, o.name) as { status: { containerStatuses: Array<{ restartCount: number }> } } | undefined)
        .filter((p) => p !== undefined);
      expect(crashPods.length).toBeGreaterThan(0);
      for (const p of crashPods) expect(p.status.containerStatuses[0]!.restartCount).toBeGreaterThanOrEqual(1);
      const sched = incidents.find((i) => i.kind === 'SchedulingFailure')!;
      expect(sched.eventUids.map((u) => String(byUid.get(u)!['message']))).toContainEqual(expect.stringMatching(/^0\/6 nodes are available/));
      await s.close();
      const lines = (await readFile(path, 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as GroundTruthIncident);
      expect(lines.map((l) => l.id).sort()).toEqual(incidents.map((i) => i.id).sort());
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('makes network errors rise slowly over a long sim period', async () => {
    const s = await sim({ seed: 9, incidentKinds: ['NetworkDegradation'], incidentsPerHour: 1, historySize: 100_000, eventTtlMinutes: 100_000 });
    s.generate(12_000);
    const inc = s.incidents().find((i) => i.kind === 'NetworkDegradation' && i.endMs - i.startMs > 3_600_000);
    expect(inc).toBeDefined();
    const uids = new Set(inc!.eventUids);
    const times = (s.api.store.changesAfter(0) ?? [])
      .filter((c) => c.type !== 'DELETED' && uids.has((c.object['metadata'] as { uid: string }).uid))
      .map((c) => {
        const o = c.object as { lastTimestamp?: string | null; eventTime?: string | null; series?: { lastObservedTime: string } };
        return Date.parse(String(o.series?.lastObservedTime ?? o.lastTimestamp ?? o.eventTime));
      });
    expect(times.length).toBeGreaterThan(20);
    const mid = (inc!.startMs + inc!.endMs) / 2;
    const early = times.filter((t) => t < mid).length;
    const late = times.filter((t) => t >= mid).length;
    expect(late).toBeGreaterThan(early * 1.5);
  });

  it('expires events after the TTL with DELETED', async () => {
    const s = await sim({ seed: 2, eventTtlMinutes: 5, incidentsPerHour: 0 });
    s.generate(3000);
    const oldest = Math.min(...events(s).map((e) => Date.parse(String(e['lastTimestamp'] ?? (e['series'] as { lastObservedTime?: string } | undefined)?.lastObservedTime ?? e['eventTime']))));
    expect(s.simNow() - oldest).toBeLessThan(5 * 60_000 + 10 * 60_000);
    expect(events(s).length).toBeLessThan(3000);
  });

  it('timer-driven mode emits eventsPerSecond on the wall clock and advances sim time by timeCompression', async () => {
    const wall = new ManualClock(1_000_000);
    const s = await sim({ seed: 6, eventsPerSecond: 40, timeCompression: 60, wallClock: wall, tickMillis: 5 });
    const sim0 = s.simNow();
    s.start();
    wall.advance(1000);
    for (let i = 0; i < 200 && s.emitted() < 40; i++) await new Promise((r) => setTimeout(r, 5));
    s.stop();
    expect(s.emitted()).toBeGreaterThanOrEqual(40);
    expect(s.emitted()).toBeLessThan(60);
    expect(s.simNow() - sim0).toBeGreaterThanOrEqual(60_000);
    expect(s.simNow() - sim0).toBeLessThan(120_000);
  });
});

describe('simulate command', () => {
  it('writes a kubeconfig that client-node can use, then stops after durationSeconds', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'eventide-simcmd-'));
    try {
      const kubeconfigPath = join(dir, 'nested', 'kubeconfig');
      const config = simulatorConfigSchema.parse({ seed: 1, eventsPerSecond: 20 });
      const run = runSimulateCommand({ ...config, kubeconfigPath, durationSeconds: 1 }, silentLogger());
      let text = '';
      for (let i = 0; i < 100 && text === ''; i++) {
        await new Promise((r) => setTimeout(r, 10));
        text = await readFile(kubeconfigPath, 'utf8').catch(() => '');
      }
      const { KubeConfig } = await import('@kubernetes/client-node');
      const kc = new KubeConfig();
      kc.loadFromString(text);
      const nodes = await kc.makeApiClient(CoreV1Api).listNode();
      expect(nodes.items).toHaveLength(6);
      await run;
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('config schema parses {} to a full default config', () => {
    const c = simulatorConfigSchema.parse({});
    expect(c).toMatchObject({ seed: 42, eventsPerSecond: 50, timeCompression: 60, newApiShare: 0.3, historySize: 10_000, servesEventsV1: true, bookmarkIntervalMillis: 1000 });
    expect(() => simulatorConfigSchema.parse({ newApiShare: 2 })).toThrow();
  });
});
