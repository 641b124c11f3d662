import type { KubeConfig } from '@kubernetes/client-node';
import { LRUCache } from 'lru-cache';
import type { Enrichment, KEvent } from '../model/event.js';
import { growingBound } from '../model/lru.js';
import type { Clock } from '../model/time.js';
import type { Logger } from '../observe/logger.js';
import { HotCounter, type Metrics } from '../observe/metrics.js';
import type { SkipReporter } from '../observe/skips.js';
import { KubeHttp } from '../source/http.js';
import { ListWatch, type WireObject } from '../source/list-watch.js';
import type { Scheduler } from '../source/scheduler.js';
import type { EnrichConfig, EnrichKind } from './config.js';
import { keyOf, projectNode, projectOwned, projectPod, projectPvc, type SlimNode, type SlimOwned, type SlimPod, type SlimPvc } from './projection.js';
import { resolveEnrichment, type EnrichLookup } from './resolve.js';

/** What {@link Enricher} needs. `scheduler` and `random` are for tests. */
export interface EnricherDeps {
  kubeConfig: KubeConfig;
  clock: Clock;
  logger: Logger;
  metrics: Metrics;
  skips: SkipReporter;
  /** Timers of the informers. Default real timers. */
  scheduler?: Scheduler;
  /** Jitter source in [0,1). Default Math.random. */
  random?: () => number;
}

/** State of one informer kind (for `/readyz` and tests). */
export interface InformerStatus {
  kind: EnrichKind;
  /** `disabled` by config, `forbidden` by RBAC (403 on list), else `syncing` / `synced`. */
  state: 'disabled' | 'forbidden' | 'syncing' | 'synced';
  /** Objects cached now. */
  size: number;
}

const PATHS: Record<EnrichKind, string> = {
  pods: '/api/v1/pods',
  nodes: '/api/v1/nodes',
  replicasets: '/apis/apps/v1/replicasets',
  jobs: '/apis/batch/v1/jobs',
  persistentvolumeclaims: '/api/v1/persistentvolumeclaims',
};

const KINDS = Object.keys(PATHS) as EnrichKind[];

type Slim = SlimPod | SlimOwned | SlimPvc | SlimNode;

/**
 * Enriches events from informer caches of pods, nodes, replicasets, jobs and claims, each a
 * slim projection in an LRU bounded by `maxObjects` and `ttlMillis` (age reset by updates and
 * lookups). Deleted objects stay until evicted, so events about a pod just deleted still
 * enrich. A kind whose list is forbidden (403) is disabled with one warning; enrichment
 * degrades, nothing fails. `enrich` is synchronous and never throws.
 */
export class Enricher {
  private readonly caches = new Map<EnrichKind, LRUCache<string, Slim>>();
  private readonly loops = new Map<EnrichKind, ListWatch>();
  private readonly states = new Map<EnrichKind, InformerStatus['state']>();
  private readonly lookup: EnrichLookup;
  private readonly lookups: HotCounter<'result'>;

  constructor(
    private readonly config: EnrichConfig,
    private readonly deps: EnricherDeps,
  ) {
    this.lookups = HotCounter.of(deps.metrics.enrichLookups);
    for (const kind of KINDS) {
      this.states.set(kind, config.enabled && config.kinds[kind] ? 'syncing' : 'disabled');
      // ttlResolution 0: read the injected clock on each staleness check. lru-cache's default (1)
      // caches the time and arms a 1 ms timer to forget it: a wake-up of the event loop after
      // nearly every Event at normal rates, the largest CPU cost at 300 events/s (docs/performance.md).
      this.caches.set(kind, new LRUCache<string, Slim>({ ...growingBound(config.maxObjects), ttl: config.ttlMillis, ttlResolution: 0, updateAgeOnGet: true, perf: deps.clock }));
    }
    // Each kind's cache resolved once, not looked up by kind per Event.
    const cache = (kind: EnrichKind): LRUCache<string, Slim> => this.caches.get(kind)!;
    const pods = cache('pods');
    const replicaSets = cache('replicasets');
    const jobs = cache('jobs');
    const claims = cache('persistentvolumeclaims');
    const nodes = cache('nodes');
    this.lookup = {
      pod: (ns, name) => pods.get(`${ns}/${name}`) as SlimPod | undefined,
      replicaSet: (ns, name) => replicaSets.get(`${ns}/${name}`) as SlimOwned | undefined,
      job: (ns, name) => jobs.get(`${ns}/${name}`) as SlimOwned | undefined,
      pvc: (ns, name) => claims.get(`${ns}/${name}`) as SlimPvc | undefined,
      node: (name) => nodes.get(`/${name}`) as SlimNode | undefined,
    };
  }

  /** Starts the informers; resolves when every initial list has completed or failed once. Never rejects. */
  async start(): Promise<void> {
    const enabled = KINDS.filter((k) => this.states.get(k) === 'syncing');
    if (enabled.length === 0) return;
    const http = new KubeHttp(this.deps.kubeConfig);
    await Promise.all(enabled.map((kind) => this.startKind(kind, http)));
  }

  private startKind(kind: EnrichKind, http: KubeHttp): Promise<void> {
    return new Promise<void>((resolve) => {
      const cache = this.caches.get(kind)!;
      const loop = new ListWatch(
        {
          http,
          path: PATHS[kind],
          pageSize: this.config.pageSize,
          watchTimeoutSeconds: this.config.watchTimeoutSeconds,
          watchIdleTimeoutMillis: this.config.watchIdleTimeoutMillis,
          backoff: this.config.backoff,
          stopOnForbidden: true,
          recordMetrics: false,
          skipStage: 'enrich',
          clock: this.deps.clock,
          logger: this.deps.logger,
          metrics: this.deps.metrics,
          skips: this.deps.skips,
          ...(this.deps.scheduler ? { scheduler: this.deps.scheduler } : {}),
          ...(this.deps.random ? { random: this.deps.random } : {}),
        },
        {
          onObject: (obj, origin) => {
            if (origin !== 'deleted') this.put(kind, cache, obj);
            return Promise.resolve();
          },
          onListed: () => {
            this.states.set(kind, 'synced');
          },
          onAttemptEnd: (end) => {
            if (end.phase !== 'list') return;
            if (end.reason !== 'ok' && end.reason !== 'forbidden' && end.reason !== 'stopped') {
              this.deps.logger.debug({ kind, ...end }, 'informer list failed, retrying');
            }
            resolve();
          },
          onForbidden: () => {
            this.states.set(kind, 'forbidden');
            this.deps.logger.warn({ kind, path: PATHS[kind] }, `no permission to list ${kind} (403): enrichment from ${kind} disabled; grant list/watch on ${kind} to enable it`);
            resolve();
          },
        },
      );
      this.loops.set(kind, loop);
      loop.start();
    });
  }

  private put(kind: EnrichKind, cache: LRUCache<string, Slim>, obj: WireObject): void {
    const key = keyOf(obj);
    if (key === undefined) {
      this.deps.skips.skip('enrich', 'object_without_name', { kind });
      return;
    }
    switch (kind) {
      case 'pods':
        cache.set(key, projectPod(obj, this.config.podLabelLimit));
        break;
      case 'nodes':
        cache.set(key, projectNode(obj));
        break;
      case 'persistentvolumeclaims':
        cache.set(key, projectPvc(obj));
        break;
      default:
        cache.set(key, projectOwned(obj));
    }
  }

  /** Enrichment of `event` from the caches (synchronous; empty when disabled). Counts `enrichLookups{result}`. */
  enrich(event: KEvent): Enrichment {
    if (!this.config.enabled) return {};
    try {
      const { enrichment, result } = resolveEnrichment(event, this.lookup);
      this.lookups.inc(result, { result });
      return enrichment;
    } catch (err) {
      this.lookups.inc('error', { result: 'error' });
      this.deps.skips.skip('enrich', 'lookup_error', { err });
      return {};
    }
  }

  /** Per-kind informer state and cache size. */
  informers(): InformerStatus[] {
    return KINDS.map((kind) => ({ kind, state: this.states.get(kind) ?? 'disabled', size: this.caches.get(kind)?.size ?? 0 }));
  }

  /** Stops every informer. */
  async stop(): Promise<void> {
    await Promise.all([...this.loops.values()].map((l) => l.stop()));
  }
}
