import { CoordinationV1Api, KubeConfig } from '@kubernetes/client-node';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { leaderConfigProblems, leaderConfigSchema } from '../../src/leader/config.js';
import { ShardCoordinator } from '../../src/leader/coordinator.js';
import { createLeaderMetrics } from '../../src/leader/metrics.js';
import { fnv1a32, shardCheckpoint, shardOfNamespace, shardsOf } from '../../src/leader/shard.js';
import { ManualClock } from '../../src/model/time.js';
import { silentLogger } from '../../src/observe/logger.js';
import { type SimulatorHandle, startSimulator } from '../../src/simulator/simulator.js';
import type { Scheduler } from '../../src/source/scheduler.js';
import { deliveryConfigSchema } from '../../src/delivery/config.js';

/** Timers driven by the manual clock: `fireDue()` runs those whose time has come. Rounds are driven by hand. */
class ManualScheduler implements Scheduler {
  private timers: Array<{ at: number; fn: () => void; cancelled: boolean }> = [];
  constructor(private readonly clock: ManualClock) {}
  sleep(_ms: number, signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
  }
  setTimer(fn: () => void, ms: number): () => void {
    const timer = { at: this.clock.now() + ms, fn, cancelled: false };
    this.timers.push(timer);
    return () => {
      timer.cancelled = true;
    };
  }
  fireDue(): void {
    const due = this.timers.filter((t) => !t.cancelled && t.at <= this.clock.now());
    this.timers = this.timers.filter((t) => !due.includes(t));
    for (const t of due) t.fn();
  }
}

const T0 = Date.parse('2026-01-01T00:00:00Z');
let sim: SimulatorHandle;
let api: CoordinationV1Api;
let run = 0;

beforeAll(async () => {
  sim = await startSimulator({ seed: 5 });
  const kc = new KubeConfig();
  kc.loadFromString(sim.api.kubeconfigYaml());
  api = kc.makeApiClient(CoordinationV1Api);
});

afterAll(async () => {
  await sim.close();
});

interface Replica {
  coordinator: ShardCoordinator;
  events: string[];
  registry: Registry;
}

function replicas(identities: string[], overrides: Record<string, unknown> = {}): { clock: ManualClock; scheduler: ManualScheduler; all: Replica[] } {
  const clock = new ManualClock(T0);
  const scheduler = new ManualScheduler(clock);
  const config = leaderConfigSchema.parse({ mode: 'sharded', shards: 6, leaseName: `run${++run}`, leaseDurationMillis: 15_000, ...overrides });
  const all = identities.map((identity) => {
    const events: string[] = [];
    const registry = new Registry();
    const coordinator = new ShardCoordinator(
      { ...config, namespace: 'eventide', identity, shards: shardsOf(config) },
      {
        api,
        clock,
        logger: silentLogger(),
        metrics: createLeaderMetrics(registry),
        scheduler,
        onStartedLeading: (shard) => events.push(`+${shard.index}`),
        onStoppedLeading: (shard) => events.push(`-${shard.index}`),
      },
    );
    return { coordinator, events, registry };
  });
  return { clock, scheduler, all };
}

async function roundRobin(all: Replica[], rounds: number): Promise<void> {
  for (let i = 0; i < rounds; i++) for (const r of all) await r.coordinator.round();
}

describe('ShardCoordinator', () => {
  it('replicas that start together spread the shards evenly, one acquisition per round', async () => {
    const { all } = replicas(['r0', 'r1', 'r2']);
    await roundRobin(all, 3);
    const held = all.map((r) => r.coordinator.heldShards());
    expect(held.map((h) => h.length)).toEqual([2, 2, 2]);
    expect(new Set(held.flat()).size).toBe(6);
    for (const r of all) expect([...r.events].sort()).toEqual(r.coordinator.heldShards().map((i) => `+${i}`).sort());
    const text = await all[0]!.registry.metrics();
    expect(text).toMatch(/eventide_leader_shards_held 2/);
    expect(text).toMatch(/eventide_leader_transitions_total\{shard="\d",change="acquired"\} 1/);
  });

  it('a crashed replica’s shards move to the survivors once its Leases expire, not before', async () => {
    const { clock, all } = replicas(['r0', 'r1', 'r2']);
    await roundRobin(all, 3);
    const [a, b, dead] = all as [Replica, Replica, Replica];
    const orphaned = dead.coordinator.heldShards();
    // dead stops renewing (a crash); the others keep going every 2 s.
    for (let t = 0; t < 7; t++) {
      clock.advance(2000);
      await roundRobin([a, b], 1);
    }
    expect(a.coordinator.heldShards().length + b.coordinator.heldShards().length).toBe(4); // 14 s: still valid
    clock.advance(2000);
    await roundRobin([a, b], 2);
    const survivors = [...a.coordinator.heldShards(), ...b.coordinator.heldShards()];
    expect(survivors.sort()).toEqual([0, 1, 2, 3, 4, 5]);
    expect(survivors.filter((s) => orphaned.includes(s))).toHaveLength(orphaned.length);
  });

  it('maxShardsPerReplica caps what one replica takes', async () => {
    const { all } = replicas(['solo'], { maxShardsPerReplica: 2 });
    await roundRobin(all, 6);
    expect(all[0]!.coordinator.heldShards()).toHaveLength(2);
  });

  it('a renewal that does not succeed within the renew deadline ends leadership by timer, and the work is told', async () => {
    const { clock, scheduler, all } = replicas(['r0'], { shards: 1, mode: 'active-standby' });
    const r = all[0]!;
    await r.coordinator.round();
    expect(r.coordinator.heldShards()).toEqual([0]);
    sim.api.faults.setDown(true);
    try {
      clock.advance(2000);
      await r.coordinator.round(); // fails, still within the deadline
      expect(r.coordinator.heldShards()).toEqual([0]);
      clock.advance(8000);
      scheduler.fireDue();
      expect(r.coordinator.heldShards()).toEqual([]);
      expect(r.events).toEqual(['+0', '-0']);
      expect(r.coordinator.health().ok).toBe(true); // 10 s without an answer, below the 15 s lease
      clock.advance(6000);
      expect(r.coordinator.health().ok).toBe(false);
    } finally {
      sim.api.faults.setDown(false);
    }
  });

  it('a renewal still in flight when the deadline timer fires does not leave the Lease held but unused', async () => {
    const { clock, scheduler, all } = replicas(['r0'], { shards: 1, mode: 'active-standby' });
    const r = all[0]!;
    await r.coordinator.round();
    sim.api.faults.setLatencyMillis(150);
    try {
      const inFlight = r.coordinator.round();
      clock.advance(10_000);
      scheduler.fireDue();
      expect(r.coordinator.heldShards()).toEqual([]);
      await inFlight;
    } finally {
      sim.api.faults.setLatencyMillis(0);
    }
    expect(r.events).toEqual(['+0', '-0', '+0']);
    expect(r.coordinator.heldShards()).toEqual([0]);
  });

  it('stop with release frees every held Lease for another replica at once', async () => {
    const { all } = replicas(['r0', 'r1']);
    const [a, b] = all as [Replica, Replica];
    await roundRobin([a], 6);
    expect(a.coordinator.heldShards()).toHaveLength(6);
    await roundRobin([b], 1);
    expect(b.coordinator.heldShards()).toHaveLength(0);
    await a.coordinator.stop({ release: true });
    expect(a.coordinator.heldShards()).toEqual([]);
    await roundRobin([b], 6);
    expect(b.coordinator.heldShards()).toHaveLength(6);
    expect(a.events.filter((e) => e.startsWith('-'))).toEqual([]); // stop does not call onStoppedLeading: the owner stopped its work first
  });
});

describe('shards', () => {
  it('FNV-1a 32 matches the reference vectors', () => {
    expect(fnv1a32('')).toBe(0x811c9dc5);
    expect(fnv1a32('a')).toBe(0xe40c292c);
    expect(fnv1a32('foobar')).toBe(0xbf9cf968);
  });

  it('every namespace belongs to exactly one shard, and the split is roughly even', () => {
    const shards = shardsOf(leaderConfigSchema.parse({ mode: 'sharded', shards: 4 }));
    const perShard = [0, 0, 0, 0];
    for (let i = 0; i < 400; i++) {
      const ns = `team-${i}`;
      const owners = shards.filter((s) => s.owns(ns));
      expect(owners).toHaveLength(1);
      expect(owners[0]!.index).toBe(shardOfNamespace(ns, 4));
      perShard[owners[0]!.index]!++;
    }
    for (const n of perShard) expect(n).toBeGreaterThan(60);
  });

  it('names the Leases and checkpoints per shard; active-standby keeps one of each', () => {
    const checkpoint = deliveryConfigSchema.parse({}).checkpoint;
    const sharded = shardsOf(leaderConfigSchema.parse({ mode: 'sharded', shards: 3 }));
    expect(sharded.map((s) => s.leaseName)).toEqual(['eventide-shard-0', 'eventide-shard-1', 'eventide-shard-2']);
    expect(shardCheckpoint(checkpoint, sharded[2]!)).toMatchObject({ name: 'eventide-checkpoint-shard-2', path: '.eventide/checkpoint-shard-2.json' });
    const single = shardsOf(leaderConfigSchema.parse({ mode: 'active-standby' }));
    expect(single.map((s) => s.leaseName)).toEqual(['eventide']);
    expect(shardCheckpoint(checkpoint, single[0]!)).toEqual(checkpoint);
    expect(shardsOf(leaderConfigSchema.parse({}))).toEqual([]);
  });
});

describe('leader config', () => {
  it('defaults to a single replica without a Lease', () => {
    expect(leaderConfigSchema.parse({})).toMatchObject({ mode: 'none', shards: 1, leaseName: 'eventide', leaseDurationMillis: 15_000, renewDeadlineMillis: 10_000, retryPeriodMillis: 2000 });
  });

  it.each([
    ['sharded with a file checkpoint', { mode: 'sharded', shards: 3 }, 'file', /delivery\.checkpoint\.type.*fix: set delivery\.checkpoint\.type to configmap/],
    ['renew deadline not below the lease', { mode: 'active-standby', renewDeadlineMillis: 15_000 }, 'configmap', /leader\.renewDeadlineMillis/],
    ['retry period not below the renew deadline', { mode: 'active-standby', retryPeriodMillis: 10_000 }, 'configmap', /leader\.retryPeriodMillis/],
  ] as const)('rejects %s, naming the fix', (_name, leader, checkpointType, message) => {
    const problems = leaderConfigProblems(leaderConfigSchema.parse(leader), checkpointType);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(message);
  });

  it('accepts mode none with any checkpoint, and sharded with configmap checkpoints', () => {
    expect(leaderConfigProblems(leaderConfigSchema.parse({}), 'file')).toEqual([]);
    expect(leaderConfigProblems(leaderConfigSchema.parse({ mode: 'sharded', shards: 4 }), 'configmap')).toEqual([]);
  });

  it('lease durations are whole seconds (the Lease stores leaseDurationSeconds)', () => {
    expect(leaderConfigSchema.safeParse({ leaseDurationMillis: 1500 }).success).toBe(false);
  });
});
