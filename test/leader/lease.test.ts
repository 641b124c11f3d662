import { CoordinationV1Api, KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LeaseElector, leaseExpired, leaseState } from '../../src/leader/lease.js';
import { ManualClock } from '../../src/model/time.js';
import { silentLogger } from '../../src/observe/logger.js';
import { type SimulatorHandle, startSimulator } from '../../src/simulator/simulator.js';

const T0 = Date.parse('2026-01-01T00:00:00Z');
const NAMESPACE = 'eventide';
const TIMING = { leaseDurationMillis: 15_000, renewDeadlineMillis: 10_000 };

let sim: SimulatorHandle;
let api: CoordinationV1Api;
let leaseCounter = 0;

beforeAll(async () => {
  sim = await startSimulator({ seed: 3 });
  const kc = new KubeConfig();
  kc.loadFromString(sim.api.kubeconfigYaml());
  api = kc.makeApiClient(CoordinationV1Api);
});

afterAll(async () => {
  await sim.close();
});

/** Two electors (a, b) contending for a fresh Lease on one manual clock. */
function contenders(): { clock: ManualClock; name: string; a: LeaseElector; b: LeaseElector } {
  const clock = new ManualClock(T0);
  const name = `lease-${++leaseCounter}`;
  const make = (identity: string): LeaseElector =>
    new LeaseElector({ namespace: NAMESPACE, name, identity, ...TIMING }, { api, clock, logger: silentLogger() });
  return { clock, name, a: make('a'), b: make('b') };
}

async function read(name: string): Promise<ReturnType<typeof leaseState>> {
  return leaseState(await api.readNamespacedLease({ namespace: NAMESPACE, name }));
}

describe('LeaseElector against the simulated API server', () => {
  it('creates the Lease when absent and holds it: holder, duration, times, no transition yet', async () => {
    const { clock, name, a, b } = contenders();
    expect(await a.tryAcquireOrRenew()).toBe('acquired');
    expect(a.isLeader()).toBe(true);
    expect(await b.tryAcquireOrRenew()).toBe('held');
    expect(b.isLeader()).toBe(false);
    const lease = await read(name);
    expect(lease).toMatchObject({ holderIdentity: 'a', leaseDurationSeconds: 15, acquireTimeMs: clock.now(), renewTimeMs: clock.now(), leaseTransitions: 0 });
  });

  it('writes times as MicroTime (six fractional digits), as kube-apiserver expects', async () => {
    const { name, a } = contenders();
    await a.tryAcquireOrRenew();
    const raw = (await api.readNamespacedLease({ namespace: NAMESPACE, name })).spec?.renewTime as unknown;
    expect(String(raw)).toMatch(/^2026-01-01T00:00:00\.000000Z$/);
  });

  it('renews: renewTime moves, acquireTime stays, and the other replica keeps waiting', async () => {
    const { clock, name, a, b } = contenders();
    await a.tryAcquireOrRenew();
    clock.advance(2000);
    expect(await a.tryAcquireOrRenew()).toBe('renewed');
    clock.advance(14_000); // 16 s after acquiring, 14 s after the renewal: still valid
    expect(await b.tryAcquireOrRenew()).toBe('held');
    const lease = await read(name);
    expect(lease.renewTimeMs).toBe(T0 + 2000);
    expect(lease.acquireTimeMs).toBe(T0);
  });

  it('takes an expired Lease over (one transition) and the old holder learns it lost', async () => {
    const { clock, name, a, b } = contenders();
    await a.tryAcquireOrRenew();
    clock.advance(15_000);
    expect(await b.tryAcquireOrRenew()).toBe('held'); // renewTime + duration is not yet in the past
    clock.advance(1);
    expect(await b.tryAcquireOrRenew()).toBe('acquired');
    expect(await read(name)).toMatchObject({ holderIdentity: 'b', leaseTransitions: 1, acquireTimeMs: T0 + 15_001 });
    expect(await a.tryAcquireOrRenew()).toBe('lost');
    expect(a.isLeader()).toBe(false);
  });

  it('two replicas racing for one free Lease: exactly one wins (optimistic concurrency on resourceVersion)', async () => {
    const { clock, name, a, b } = contenders();
    const seed = new LeaseElector({ namespace: NAMESPACE, name, identity: 'old', ...TIMING }, { api, clock, logger: silentLogger() });
    await seed.tryAcquireOrRenew();
    clock.advance(20_000);
    const results = await Promise.all([a.tryAcquireOrRenew(), b.tryAcquireOrRenew()]);
    expect(results.filter((r) => r === 'acquired')).toHaveLength(1);
    expect(results.filter((r) => r === 'held')).toHaveLength(1);
    const winner = results[0] === 'acquired' ? 'a' : 'b';
    expect(await read(name)).toMatchObject({ holderIdentity: winner, leaseTransitions: 1 });
  });

  it('a write with a stale resourceVersion gets 409 and does not become leader', async () => {
    const { clock, name, a, b } = contenders();
    await a.tryAcquireOrRenew();
    clock.advance(20_000);
    const stale = await api.readNamespacedLease({ namespace: NAMESPACE, name });
    expect(await b.tryAcquireOrRenew()).toBe('acquired');
    // a replays what it would have written from the old read: rejected by the server.
    await expect(api.replaceNamespacedLease({ namespace: NAMESPACE, name, body: { ...stale, spec: { ...stale.spec, holderIdentity: 'a' } } })).rejects.toMatchObject({
      code: 409,
    });
    expect((await read(name)).holderIdentity).toBe('b');
  });

  it('release clears holderIdentity so another replica takes over at once, without waiting for expiry', async () => {
    const { name, a, b } = contenders();
    await a.tryAcquireOrRenew();
    await a.release();
    expect(a.isLeader()).toBe(false);
    expect((await read(name)).holderIdentity).toBe('');
    expect(await b.tryAcquireOrRenew()).toBe('acquired');
    expect((await read(name)).leaseTransitions).toBe(1);
  });

  it('renewals failing past the renew deadline end leadership before the Lease expires for the others', async () => {
    const { clock, a, b } = contenders();
    await a.tryAcquireOrRenew();
    sim.api.faults.failNext(100, 503);
    clock.advance(2000);
    expect(await a.tryAcquireOrRenew()).toBe('failed');
    expect(a.isLeader()).toBe(true); // within the deadline: still leading
    clock.advance(8000); // 10 s since the last renewal
    expect(await a.tryAcquireOrRenew()).toBe('lost');
    expect(a.isLeader()).toBe(false);
    sim.api.faults.failNext(0, 503);
    // Nobody may take it for another 5 s: the gap in which nobody exports, instead of two.
    expect(await b.tryAcquireOrRenew()).toBe('held');
    clock.advance(5001);
    expect(await b.tryAcquireOrRenew()).toBe('acquired');
  });

  it('checkDeadline ends leadership by time alone (a renewal that hangs)', async () => {
    const { clock, a } = contenders();
    await a.tryAcquireOrRenew();
    expect(a.renewDueMs()).toBe(T0 + 10_000);
    clock.advance(9999);
    expect(a.checkDeadline()).toBe(false);
    clock.advance(1);
    expect(a.checkDeadline()).toBe(true);
    expect(a.isLeader()).toBe(false);
  });
});

describe('leaseExpired', () => {
  const base = { holderIdentity: 'x', leaseTransitions: 0, renewTimeMs: 1000, leaseDurationSeconds: 2 };
  it.each([
    ['held and fresh', base, 3000, false],
    ['just past the duration', base, 3001, true],
    ['no holder', { ...base, holderIdentity: '' }, 1000, true],
    ['never renewed', { holderIdentity: 'x', leaseTransitions: 0 }, 0, true],
    ['no duration in the Lease: the fallback', { holderIdentity: 'x', leaseTransitions: 0, renewTimeMs: 1000 }, 5000, false],
  ])('%s', (_name, state, now, expected) => {
    expect(leaseExpired(state, now, 5000)).toBe(expected);
  });
});
