import { mkdtempSync } from 'node:fs';
import { type AddressInfo, type Socket, connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CoordinationV1Api, KubeConfig } from '@kubernetes/client-node';
import { afterEach, describe, expect, it } from 'vitest';
import { createLeaderReplica } from '../../src/cli/run.js';
import { validateConfig } from '../../src/config/load.js';
import { leaseState } from '../../src/leader/lease.js';
import type { LeaderReplica } from '../../src/leader/replica.js';
import { shardOfNamespace } from '../../src/leader/shard.js';
import { systemClock } from '../../src/model/time.js';
import { silentLogger } from '../../src/observe/logger.js';
import { createMetrics } from '../../src/observe/metrics.js';
import { type SimulatorHandle, startSimulator } from '../../src/simulator/simulator.js';
import { type OtlpReceiver, type ReceivedRecord, startOtlpReceiver } from '../../src/testkit/otlp-receiver.js';

// Short leases so a failover takes about three seconds (a renew deadline that survives a busy CI machine).
const LEASE_MILLIS = 3000;
const RENEW_DEADLINE_MILLIS = 2000;
const RETRY_MILLIS = 250;
const CHECKPOINT_MILLIS = 500;
const LEASE_NAMESPACE = 'eventide';

/** A TCP proxy in front of the API server: killing it cuts one replica off, as a crashed pod or a partition would. */
interface Proxy {
  url: string;
  kill(): void;
}

async function startProxy(target: URL): Promise<Proxy> {
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = connect(Number(target.port), target.hostname);
    const drop = (): void => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    sockets.add(client).add(upstream);
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    kill() {
      server.close();
      for (const s of sockets) s.destroy();
    },
  };
}

interface Replica {
  id: string;
  replica: LeaderReplica;
  proxy: Proxy;
}

const queueRoot = mkdtempSync(join(tmpdir(), 'eventide-replicas-'));
let sim: SimulatorHandle | undefined;
let receiver: OtlpReceiver | undefined;
const running: Replica[] = [];

afterEach(async () => {
  await Promise.all(running.splice(0).map((r) => r.replica.stop()));
  await receiver?.close();
  await sim?.close();
});

async function startReplica(id: string, leader: Record<string, unknown>): Promise<Replica> {
  if (!sim || !receiver) throw new Error('no simulator');
  const simKc = new KubeConfig();
  simKc.loadFromString(sim.api.kubeconfigYaml());
  const simUrl = simKc.getCurrentCluster()?.server ?? '';
  const proxy = await startProxy(new URL(simUrl));
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromString(sim.api.kubeconfigYaml().replace(simUrl, proxy.url));
  const config = validateConfig(
    {
      export: { endpoint: receiver.endpoint, batch: { scheduledDelayMillis: 20 }, queue: { directory: join(queueRoot, id) } },
      delivery: { seriesThrottleMillis: 0, checkpoint: { type: 'configmap', namespace: LEASE_NAMESPACE, intervalMillis: CHECKPOINT_MILLIS } },
      source: { backoff: { initialMillis: 20, maxMillis: 200 } },
      enrich: { enabled: false },
      server: { host: '127.0.0.1', port: 0 },
      log: { level: 'silent' },
      leader: {
        leaseNamespace: LEASE_NAMESPACE,
        identity: id,
        leaseDurationMillis: LEASE_MILLIS,
        renewDeadlineMillis: RENEW_DEADLINE_MILLIS,
        retryPeriodMillis: RETRY_MILLIS,
        ...leader,
      },
    },
    `replica ${id}`,
  );
  const replica = await createLeaderReplica(config, {
    kubeConfig,
    clock: systemClock,
    logger: silentLogger(),
    metrics: createMetrics(),
    env: { OTEL_RESOURCE_ATTRIBUTES: `eventide.replica=${id}` },
  });
  const r = { id, replica, proxy };
  running.push(r);
  return r;
}

/** Namespace of every Event uid ever stored (kept across TTL deletions). */
const namespaceOfEvent = new Map<string, string>();

/** uid → final count of every Event the simulated API server holds. */
function storedEvents(): Map<string, number> {
  const out = new Map<string, number>();
  for (const obj of sim?.api.store.list('events') ?? []) {
    const o = obj as { metadata: { uid: string; namespace?: string }; count?: number; series?: { count?: number } };
    out.set(o.metadata.uid, o.series?.count ?? o.count ?? 1);
    namespaceOfEvent.set(o.metadata.uid, o.metadata.namespace ?? '');
  }
  return out;
}

function eventRecords(): ReceivedRecord[] {
  return (receiver?.records() ?? []).filter((r) => r.eventName !== 'eventide.anomaly');
}

/** Events not exported at their final count, as a message; '' when every one is. */
function missing(): string {
  const counts = new Map<string, number>();
  for (const r of eventRecords()) {
    const uid = String(r.attributes['k8s.event.uid']);
    counts.set(uid, Math.max(counts.get(uid) ?? 0, Number(r.attributes['k8s.event.count'])));
  }
  const stored = storedEvents();
  const lacking = [...stored].filter(([uid, c]) => (counts.get(uid) ?? 0) < c);
  return lacking.length === 0 ? '' : `${lacking.length} of ${stored.size} Events not exported at their final count`;
}

/** Records (log.record.uid: one Event at one count) exported more than once, with the replicas that exported them. */
function doubled(): Array<{ recordUid: string; eventUid: string; count: number; replicas: string[] }> {
  const byRecord = new Map<string, { eventUid: string; count: number; replicas: string[] }>();
  for (const r of eventRecords()) {
    const key = String(r.attributes['log.record.uid']);
    const entry = byRecord.get(key) ?? { eventUid: String(r.attributes['k8s.event.uid']), count: Number(r.attributes['k8s.event.count']), replicas: [] };
    entry.replicas.push(String(r.resource['eventide.replica']));
    byRecord.set(key, entry);
  }
  return [...byRecord].filter(([, e]) => e.replicas.length > 1).map(([recordUid, e]) => ({ recordUid, ...e }));
}

async function eventually(predicate: () => boolean, describe: () => string, timeoutMillis = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMillis;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out: ${describe()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** resourceVersion at which each Event reached each count, as seen between bursts ("uid:count" → rv). */
const rvAtCount = new Map<string, number>();

function noteResourceVersions(): void {
  for (const obj of sim?.api.store.list('events') ?? []) {
    const o = obj as { metadata: { uid: string; resourceVersion: string }; count?: number; series?: { count?: number } };
    const key = `${o.metadata.uid}:${o.series?.count ?? o.count ?? 1}`;
    if (!rvAtCount.has(key)) rvAtCount.set(key, Number(o.metadata.resourceVersion));
  }
}

/** The resourceVersion at which an Event reached `count` (an upper bound when it passed that count within one burst). */
function rvOf(eventUid: string, count: number): number {
  let best = Number.POSITIVE_INFINITY;
  for (const [key, rv] of rvAtCount) {
    const [uid, c] = key.split(':');
    if (uid === eventUid && Number(c) >= count && rv < best) best = rv;
  }
  return best;
}

/** Writes Event bursts every 100 ms in the background until stopped. */
function startStreaming(burst = 30): { stop(): Promise<void> } {
  let on = true;
  const done = (async () => {
    while (on) {
      sim?.generate(burst);
      noteResourceVersions();
      await new Promise((r) => setTimeout(r, 100));
    }
  })();
  return {
    stop: async () => {
      on = false;
      await done;
    },
  };
}

/** resourceVersion of the checkpoint saved in ConfigMap `name` (0 when none). */
function checkpointRv(name: string): number {
  const cm = (sim?.api.store.list('configmaps') ?? []).find((o) => (o as { metadata: { name: string } }).metadata.name === name) as
    | { data?: Record<string, string> }
    | undefined;
  const text = cm?.data?.['checkpoint.json'];
  return text ? Number((JSON.parse(text) as { resourceVersion: string }).resourceVersion) : 0;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function leaseOf(name: string): Promise<ReturnType<typeof leaseState>> {
  const kc = new KubeConfig();
  kc.loadFromString(sim?.api.kubeconfigYaml() ?? '');
  return leaseState(await kc.makeApiClient(CoordinationV1Api).readNamespacedLease({ namespace: LEASE_NAMESPACE, name }));
}

/**
 * Cuts `dead` off, streams on until `others` run `shards` shards, and checks the failover: each of
 * its Leases taken by a survivor after it ran out and within a retry period of that; then every
 * Event exported, and records exported twice only by the dead replica and a survivor, for Events
 * changed after the dead replica's last saved checkpoint of that shard (the failover window).
 */
async function crashAndCheckFailover(
  dead: Replica,
  others: Replica[],
  shards: number,
  leaseName: (shard: number) => string,
  checkpointName: (shard: number) => string,
): Promise<void> {
  const orphaned = dead.replica.heldShards();
  expect(orphaned.length).toBeGreaterThan(0);
  const stream = startStreaming();
  await sleep(600);
  dead.proxy.kill();
  const lastRenewal = new Map<number, number>();
  for (const s of orphaned) lastRenewal.set(s, (await leaseOf(leaseName(s))).renewTimeMs ?? 0);
  // Read before a survivor takes over and writes it: what the dead replica last saved.
  const savedRv = new Map(orphaned.map((s) => [s, checkpointRv(checkpointName(s))]));
  for (const rv of savedRv.values()) expect(rv).toBeGreaterThan(0);
  await eventually(
    () => others.flatMap((r) => r.replica.runningShards()).length === shards,
    () => `survivors run ${JSON.stringify(others.map((r) => r.replica.runningShards()))}`,
  );
  await sleep(400);
  await stream.stop();
  await eventually(() => missing() === '', missing);

  const survivors = others.map((r) => r.id);
  for (const s of orphaned) {
    const lease = await leaseOf(leaseName(s));
    expect(survivors).toContain(lease.holderIdentity);
    const gapMillis = (lease.acquireTimeMs ?? 0) - (lastRenewal.get(s) ?? 0);
    expect(gapMillis).toBeGreaterThan(LEASE_MILLIS); // never two holders at once
    expect(gapMillis).toBeLessThan(LEASE_MILLIS + RETRY_MILLIS + 800); // the first round after expiry (with scheduling slack)
  }
  // The dead replica stopped its shards at its renew deadline, before anyone could take them.
  expect(dead.replica.runningShards()).toEqual([]);

  for (const d of doubled()) {
    expect(d.replicas, JSON.stringify(d)).toHaveLength(2);
    expect(d.replicas, JSON.stringify(d)).toContain(dead.id);
    expect(survivors, JSON.stringify(d)).toContain(d.replicas.find((id) => id !== dead.id));
    const shard = shards === 1 ? 0 : shardOfNamespace(namespaceOfEvent.get(d.eventUid) ?? '', shards);
    expect(orphaned).toContain(shard);
    expect(rvOf(d.eventUid, d.count), JSON.stringify(d)).toBeGreaterThan(savedRv.get(shard) ?? 0);
  }
}

// Three replicas, the simulator and the receiver share one process: allow for a busy machine.
describe('several replicas against one simulated cluster', { timeout: 90_000 }, () => {
  it('sharded: every Event exported, none twice in steady state, and a dead replica’s shards move within the lease duration', async () => {
    sim = await startSimulator({ seed: 21, namespaces: 12 });
    receiver = await startOtlpReceiver();
    sim.generate(600);
    const shards = 6;
    const leader = { mode: 'sharded', shards, maxShardsPerReplica: 3 };
    const replicas = await Promise.all(['r0', 'r1', 'r2'].map((id) => startReplica(id, leader)));
    await Promise.all(replicas.map((r) => r.replica.start()));
    const held = (): number[] => replicas.flatMap((r) => r.replica.runningShards());
    await eventually(() => held().length === shards && replicas.every((r) => r.replica.runningShards().length > 0), () => `running shards ${JSON.stringify(replicas.map((r) => r.replica.runningShards()))}`);
    await eventually(() => missing() === '', missing);
    expect(doubled()).toEqual([]);

    // Each shard's records came from one replica, the one running it; all three replicas exported.
    const exporters = new Map<number, Set<string>>();
    for (const r of eventRecords()) {
      const shard = shardOfNamespace(namespaceOfEvent.get(String(r.attributes['k8s.event.uid'])) ?? '', shards);
      exporters.set(shard, (exporters.get(shard) ?? new Set()).add(String(r.resource['eventide.replica'])));
    }
    for (const [shard, ids] of exporters) {
      expect([...ids]).toEqual([replicas.find((r) => r.replica.heldShards().includes(shard))?.id]);
    }
    expect(new Set(eventRecords().map((r) => r.resource['eventide.replica'])).size).toBe(3);

    // Ready, and the metrics show what it holds.
    const survivor = replicas[0]!;
    const ready = await fetch(`${survivor.replica.httpUrl()}/readyz`);
    expect(ready.status).toBe(200);
    const metrics = await (await fetch(`${survivor.replica.httpUrl()}/metrics`)).text();
    expect(metrics).toContain(`eventide_leader_shards_held ${survivor.replica.heldShards().length}`);
    expect(Number(/eventide_leader_events_other_shard_total (\d+)/.exec(metrics)?.[1])).toBeGreaterThan(0);

    // Crash r2 mid-stream.
    await crashAndCheckFailover(replicas[2]!, replicas.slice(0, 2), shards, (s) => `eventide-shard-${s}`, (s) => `eventide-checkpoint-shard-${s}`);
  });

  it('active-standby: only the leader exports, the standby is ready, and a crashed leader is replaced within the lease duration', async () => {
    sim = await startSimulator({ seed: 22 });
    receiver = await startOtlpReceiver();
    sim.generate(400);
    const [a, b] = (await Promise.all(['a', 'b'].map((id) => startReplica(id, { mode: 'active-standby' })))) as [Replica, Replica];
    await a.replica.start();
    await eventually(() => a.replica.runningShards().length === 1, () => 'a does not lead');
    await b.replica.start();
    await eventually(() => missing() === '', missing);
    await sleep(3 * RETRY_MILLIS);
    expect(b.replica.heldShards()).toEqual([]);
    expect(new Set(eventRecords().map((r) => r.resource['eventide.replica']))).toEqual(new Set(['a']));
    expect(doubled()).toEqual([]);
    const standbyReady = await fetch(`${b.replica.httpUrl()}/readyz`);
    expect(standbyReady.status).toBe(200);
    expect(await (await fetch(`${b.replica.httpUrl()}/metrics`)).text()).toContain('eventide_leader_shards_held 0');

    await crashAndCheckFailover(a, [b], 1, () => 'eventide', () => 'eventide-checkpoint');
    expect(eventRecords().some((r) => r.resource['eventide.replica'] === 'b')).toBe(true);
  });

  it('a graceful stop releases the Lease: the standby takes over at once, with nothing exported twice', async () => {
    sim = await startSimulator({ seed: 23 });
    receiver = await startOtlpReceiver();
    sim.generate(300);
    const [a, b] = (await Promise.all(['a', 'b'].map((id) => startReplica(id, { mode: 'active-standby' })))) as [Replica, Replica];
    await a.replica.start();
    await eventually(() => a.replica.runningShards().length === 1, () => 'a does not lead');
    await b.replica.start();
    await eventually(() => missing() === '', missing);
    await a.replica.stop();
    const stoppedAtMs = Date.now();
    sim.generate(300);
    await eventually(() => b.replica.runningShards().length === 1, () => 'b does not lead');
    expect(Date.now() - stoppedAtMs).toBeLessThan(LEASE_MILLIS); // released, not expired
    await eventually(() => missing() === '', missing);
    expect(doubled()).toEqual([]);
    expect((await leaseOf('eventide')).leaseTransitions).toBe(1);
  });
});
