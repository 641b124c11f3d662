import type { CoordinationV1Api } from '@kubernetes/client-node';
import type { Clock } from '../model/time.js';
import type { Logger } from '../observe/logger.js';
import type { Metrics } from '../observe/metrics.js';
import { type HttpServerHandle, type ReadinessCheck, startHttpServer } from '../server/http-server.js';
import type { Scheduler } from '../source/scheduler.js';
import type { LeaderConfig } from './config.js';
import { ShardCoordinator } from './coordinator.js';
import { type LeaderMetrics, createLeaderMetrics } from './metrics.js';
import { type Shard, shardsOf } from './shard.js';

/** The work of one held shard: a built sidecar (src/cli/assemble.ts `Sidecar` fits). */
export interface ShardWork {
  start(): Promise<void>;
  /** Graceful stop: source, drain, flush, final checkpoint. Idempotent. */
  stop(): Promise<void>;
  readiness: ReadinessCheck[];
}

/** Services of a {@link LeaderReplica}. */
export interface LeaderReplicaDeps {
  api: CoordinationV1Api;
  clock: Clock;
  logger: Logger;
  /** The replica's metrics; shard sidecars share it, the leader metrics are added to its registry. */
  metrics: Metrics;
  /** Namespace of the Leases (resolved: see `resolveLeaseNamespace`). */
  leaseNamespace: string;
  /** holderIdentity (resolved: see `resolveIdentity`). */
  identity: string;
  /**
   * Builds the work of a shard just acquired. `owns` says which namespaces are the shard's and
   * counts the others (undefined in active-standby mode: every namespace).
   */
  buildShard(shard: Shard, owns: ((namespace: string) => boolean) | undefined): Promise<ShardWork>;
  /** Serve /healthz, /readyz, /metrics for the whole replica. Default: not served. */
  http?: { host: string; port: number };
  /** Timers of the lease rounds (tests). Default real timers. */
  scheduler?: Scheduler;
}

interface Running {
  chain: Promise<void>;
  work?: ShardWork;
  /** Incremented on every change of leadership of the shard: stale starts see it moved on. */
  term: number;
}

/**
 * One replica in `active-standby` or `sharded` mode: contends for the shard Leases and runs a
 * sidecar for each shard it holds, started when the Lease is acquired and stopped (flushed and
 * checkpointed as far as acknowledged) when it is lost. A standby that holds nothing is ready.
 */
export class LeaderReplica {
  /** /readyz checks: the Lease requests get answers, and every held shard's sidecar is ready. */
  readonly readiness: ReadinessCheck[];
  /** The leader metrics (`eventide_leader_*`). */
  readonly leaderMetrics: LeaderMetrics;
  private readonly coordinator: ShardCoordinator;
  private readonly running = new Map<number, Running>();
  private http?: HttpServerHandle;
  private stopping?: Promise<void>;

  constructor(
    config: LeaderConfig,
    private readonly deps: LeaderReplicaDeps,
  ) {
    this.leaderMetrics = createLeaderMetrics(deps.metrics.registry);
    this.coordinator = new ShardCoordinator(
      {
        namespace: deps.leaseNamespace,
        identity: deps.identity,
        shards: shardsOf(config),
        leaseDurationMillis: config.leaseDurationMillis,
        renewDeadlineMillis: config.renewDeadlineMillis,
        retryPeriodMillis: config.retryPeriodMillis,
        maxShardsPerReplica: config.maxShardsPerReplica,
      },
      {
        api: deps.api,
        clock: deps.clock,
        logger: deps.logger,
        metrics: this.leaderMetrics,
        ...(deps.scheduler ? { scheduler: deps.scheduler } : {}),
        onStartedLeading: (shard) => this.startShard(shard),
        onStoppedLeading: (shard, reason) => this.stopShard(shard, reason),
      },
    );
    this.readiness = [
      { name: 'leader', check: () => this.coordinator.health() },
      { name: 'shards', check: () => this.shardsReady() },
    ];
  }

  /** Serves HTTP when asked and starts contending for the Leases. */
  async start(): Promise<void> {
    if (this.deps.http) {
      this.http = await startHttpServer({ ...this.deps.http, registry: this.deps.metrics.registry, checks: this.readiness });
      this.deps.logger.info({ url: this.http.url }, 'serving /healthz, /readyz, /metrics');
    }
    this.deps.logger.info({ identity: this.deps.identity, leaseNamespace: this.deps.leaseNamespace }, 'contending for leader leases');
    this.coordinator.start();
  }

  /** URL of the /healthz, /readyz, /metrics server once started; undefined when not served. */
  httpUrl(): string | undefined {
    return this.http?.url;
  }

  /** Shard indexes this replica holds now. */
  heldShards(): number[] {
    return this.coordinator.heldShards();
  }

  /** Shard indexes whose sidecar is running now. */
  runningShards(): number[] {
    return [...this.running.entries()].filter(([, r]) => r.work !== undefined).map(([i]) => i).sort((a, b) => a - b);
  }

  /**
   * Graceful stop: takes no new shard, stops every shard's sidecar while still renewing its Lease,
   * then releases the Leases so other replicas take over at once. Idempotent.
   */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      this.coordinator.stopAcquiring();
      for (const [index, r] of this.running) {
        r.term++;
        r.chain = r.chain.then(() => this.stopWork(index, r, 'replica stopping'));
      }
      await Promise.all([...this.running.values()].map((r) => r.chain));
      await this.coordinator.stop({ release: true });
      await this.http?.close();
    })();
    return this.stopping;
  }

  private startShard(shard: Shard): void {
    const r = this.entry(shard.index);
    const term = ++r.term;
    r.chain = r.chain.then(async () => {
      if (r.term !== term) return;
      const owns = shard.count > 1 ? this.countingFilter(shard) : undefined;
      try {
        const work = await this.deps.buildShard(shard, owns);
        r.work = work;
        await work.start();
        this.deps.logger.info({ shard: shard.index, identity: this.deps.identity }, 'shard started');
      } catch (err) {
        this.deps.logger.error({ err, shard: shard.index }, 'shard could not start; giving its lease up');
        await this.stopWork(shard.index, r, 'start failed');
        await this.coordinator.release(shard.index);
      }
      // Lost while starting: the stop queued behind this start stops it.
    });
  }

  private stopShard(shard: Shard, reason: string): void {
    const r = this.entry(shard.index);
    r.term++;
    r.chain = r.chain.then(() => this.stopWork(shard.index, r, reason));
  }

  private async stopWork(index: number, r: Running, reason: string): Promise<void> {
    const work = r.work;
    if (!work) return;
    r.work = undefined;
    this.deps.logger.info({ shard: index, reason }, 'stopping shard');
    await work.stop().catch((err: unknown) => this.deps.logger.error({ err, shard: index }, 'error while stopping shard'));
  }

  private entry(index: number): Running {
    let r = this.running.get(index);
    if (!r) {
      r = { chain: Promise.resolve(), term: 0 };
      this.running.set(index, r);
    }
    return r;
  }

  private countingFilter(shard: Shard): (namespace: string) => boolean {
    const other = this.leaderMetrics.eventsOtherShard;
    return (namespace) => {
      if (shard.owns(namespace)) return true;
      other.inc();
      return false;
    };
  }

  private shardsReady(): { ok: boolean; detail?: string } {
    const failing: string[] = [];
    for (const [index, r] of this.running) {
      for (const c of r.work?.readiness ?? []) {
        const result = c.check();
        if (!result.ok) failing.push(`shard ${index} ${c.name}${result.detail ? `: ${result.detail}` : ''}`);
      }
    }
    return failing.length === 0 ? { ok: true } : { ok: false, detail: failing.join('; ') };
  }
}
