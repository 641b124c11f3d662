import type { CoordinationV1Api } from '@kubernetes/client-node';
import type { Clock } from '../model/time.js';
import type { Logger } from '../observe/logger.js';
import { realScheduler, type Scheduler } from '../source/scheduler.js';
import { LeaseElector } from './lease.js';
import type { LeaderMetrics } from './metrics.js';
import { type Shard, fnv1a32 } from './shard.js';

/** Options of a {@link ShardCoordinator} (see `leaderConfigSchema` for each timing). */
export interface ShardCoordinatorOptions {
  /** Namespace of the Leases. */
  namespace: string;
  /** This replica's holderIdentity. */
  identity: string;
  /** The shards to contend for, each with its Lease. */
  shards: Shard[];
  leaseDurationMillis: number;
  renewDeadlineMillis: number;
  retryPeriodMillis: number;
  /** Most shards held at once; 0: no limit. */
  maxShardsPerReplica: number;
}

/** Services of a {@link ShardCoordinator}. `scheduler` is for tests. */
export interface ShardCoordinatorDeps {
  api: CoordinationV1Api;
  clock: Clock;
  logger: Logger;
  metrics: LeaderMetrics;
  /** Round and renew-deadline timers. Default real timers. */
  scheduler?: Scheduler;
  /** This replica now leads `shard`: start its work. Called once per leadership. */
  onStartedLeading(shard: Shard): void;
  /** This replica no longer leads `shard` (renewals failed, or another replica holds it): stop its work at once. */
  onStoppedLeading(shard: Shard, reason: string): void;
}

interface Held {
  shard: Shard;
  elector: LeaseElector;
  cancelWatchdog?: () => void;
}

/**
 * Contends for the Lease of every shard. Every `retryPeriodMillis` it renews the Leases it holds
 * and, separately, tries free or expired ones, taking at most one per round (so replicas
 * that start together spread the shards) and never more than `maxShardsPerReplica`. Replicas
 * try shards in an order that starts at a hash of their identity, so they rarely collide. A
 * renewal that does not succeed within `renewDeadlineMillis` ends that leadership, by a timer,
 * even when the request hangs.
 */
export class ShardCoordinator {
  private readonly electors: LeaseElector[];
  private readonly held = new Map<number, Held>();
  private readonly scheduler: Scheduler;
  private readonly abort = new AbortController();
  private readonly order: number[];
  private acquiring = true;
  private loops?: Promise<void>;
  private lastContactMs?: number;

  constructor(
    private readonly options: ShardCoordinatorOptions,
    private readonly deps: ShardCoordinatorDeps,
  ) {
    this.scheduler = deps.scheduler ?? realScheduler;
    this.electors = options.shards.map(
      (shard) =>
        new LeaseElector(
          {
            namespace: options.namespace,
            name: shard.leaseName,
            identity: options.identity,
            leaseDurationMillis: options.leaseDurationMillis,
            renewDeadlineMillis: options.renewDeadlineMillis,
          },
          { api: deps.api, clock: deps.clock, logger: deps.logger },
        ),
    );
    const count = options.shards.length;
    const first = count > 0 ? fnv1a32(options.identity) % count : 0;
    this.order = Array.from({ length: count }, (_, i) => (first + i) % count);
  }

  /**
   * Renews held Leases and tries to acquire one more every `retryPeriodMillis` until {@link stop},
   * in two loops: slow acquisition reads never delay a renewal.
   */
  start(): void {
    if (this.loops) return;
    this.loops = Promise.all([this.every(() => this.renewHeld()), this.every(() => this.acquireOne())]).then(() => undefined);
  }

  /** One round: renew what is held, then try to acquire one more shard. Tests drive it. */
  async round(): Promise<void> {
    await this.renewHeld();
    await this.acquireOne();
  }

  private async every(step: () => Promise<void>): Promise<void> {
    while (!this.abort.signal.aborted) {
      await step();
      await this.scheduler.sleep(this.options.retryPeriodMillis, this.abort.signal);
    }
  }

  private async renewHeld(): Promise<void> {
    await Promise.all([...this.held.values()].map((h) => this.renew(h)));
  }

  private async acquireOne(): Promise<void> {
    if (!this.acquiring || this.abort.signal.aborted) return;
    const max = this.options.maxShardsPerReplica;
    for (const index of this.order) {
      if (max > 0 && this.held.size >= max) return;
      if (this.held.has(index)) continue;
      const elector = this.electors[index];
      const shard = this.options.shards[index];
      if (!elector || !shard) continue;
      const attempt = await elector.tryAcquireOrRenew();
      if (attempt !== 'failed') this.lastContactMs = this.deps.clock.now();
      // Leading also when a renewal that was in flight as the watchdog fired succeeded after all.
      if (!elector.isLeader() || this.held.has(index)) continue;
      if (this.abort.signal.aborted || !this.acquiring) {
        await elector.release();
        return;
      }
      this.gained(shard, elector);
      return;
    }
  }

  /** The shards held now, by index. */
  heldShards(): number[] {
    return [...this.held.keys()].sort((a, b) => a - b);
  }

  /** Readiness: a standby holding nothing is healthy; a replica whose Lease requests all failed for a lease duration is not. */
  health(): { ok: boolean; detail: string } {
    const held = this.heldShards();
    const detail = `holding ${held.length} of ${this.options.shards.length} shards [${held.join(', ')}] as ${this.options.identity}`;
    const since = this.lastContactMs;
    const ok = since === undefined || this.deps.clock.now() - since <= this.options.leaseDurationMillis;
    return { ok, detail: ok ? detail : `${detail}; no Lease request succeeded for ${this.deps.clock.now() - (since ?? 0)} ms` };
  }

  /** Takes no more shards (held ones are still renewed): the first step of a graceful stop. */
  stopAcquiring(): void {
    this.acquiring = false;
  }

  /** Gives one held shard up (its work stopped, or could not start): the Lease is released for another replica. */
  async release(index: number): Promise<void> {
    const h = this.held.get(index);
    if (!h) return;
    this.forget(h, 'released');
    await h.elector.release();
  }

  /**
   * Ends the rounds. With `release`, clears holderIdentity of every held Lease so others take
   * over at once (call it after the shards' work stopped); without, the Leases just expire, as
   * after a crash. Does not call `onStoppedLeading`.
   */
  async stop(options: { release: boolean }): Promise<void> {
    this.acquiring = false;
    this.abort.abort();
    await this.loops;
    for (const h of [...this.held.values()]) this.forget(h, options.release ? 'released' : 'abandoned');
    // Every elector that leads, also one whose late renewal was not taken up again yet.
    if (options.release) await Promise.all(this.electors.filter((e) => e.isLeader()).map((e) => e.release()));
  }

  private async renew(h: Held): Promise<void> {
    const attempt = await h.elector.tryAcquireOrRenew();
    if (attempt !== 'failed') this.lastContactMs = this.deps.clock.now();
    if (this.held.get(h.shard.index) !== h) return;
    if (attempt === 'renewed' || attempt === 'acquired') this.armWatchdog(h);
    else if (attempt === 'lost' || attempt === 'held') this.lost(h, attempt === 'lost' ? 'lease lost' : 'held by another replica');
  }

  private gained(shard: Shard, elector: LeaseElector): void {
    const h: Held = { shard, elector };
    this.held.set(shard.index, h);
    this.armWatchdog(h);
    this.deps.metrics.shardsHeld.set(this.held.size);
    this.deps.metrics.transitions.inc({ shard: String(shard.index), change: 'acquired' });
    this.deps.onStartedLeading(shard);
  }

  private lost(h: Held, reason: string): void {
    this.forget(h, 'lost');
    this.deps.onStoppedLeading(h.shard, reason);
  }

  private forget(h: Held, change: 'lost' | 'released' | 'abandoned'): void {
    if (this.held.get(h.shard.index) !== h) return;
    h.cancelWatchdog?.();
    this.held.delete(h.shard.index);
    this.deps.metrics.shardsHeld.set(this.held.size);
    if (change !== 'abandoned') this.deps.metrics.transitions.inc({ shard: String(h.shard.index), change });
  }

  private armWatchdog(h: Held): void {
    h.cancelWatchdog?.();
    const due = h.elector.renewDueMs();
    if (due === undefined) return;
    h.cancelWatchdog = this.scheduler.setTimer(
      () => {
        if (this.held.get(h.shard.index) === h && h.elector.checkDeadline()) this.lost(h, 'renew deadline passed');
      },
      Math.max(0, due - this.deps.clock.now()),
    );
  }
}
