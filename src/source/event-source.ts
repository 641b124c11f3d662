import type { KubeConfig } from '@kubernetes/client-node';
import type { KEvent, SourceApi } from '../model/event.js';
import type { Clock } from '../model/time.js';
import type { NormalizeConfig } from '../normalize/config.js';
import { normalizeEvent } from '../normalize/normalize.js';
import type { Logger } from '../observe/logger.js';
import { HotCounter, type Metrics } from '../observe/metrics.js';
import type { SkipReporter } from '../observe/skips.js';
import type { SourceConfig } from './config.js';
import { eventsPath, fieldSelectorFor, servesEventsV1 } from './discovery.js';
import { KubeHttp } from './http.js';
import { ListWatch, type ObjectOrigin, type WireObject } from './list-watch.js';
import { backoffMillis, realScheduler, type Scheduler } from './scheduler.js';
import type { EventSink, ResumePoint, SourceStatus } from './types.js';

/** What {@link KubeEventSource} needs. `scheduler`, `random` and `http` are for tests. */
export interface KubeEventSourceDeps {
  kubeConfig: KubeConfig;
  clock: Clock;
  logger: Logger;
  metrics: Metrics;
  skips: SkipReporter;
  normalize: NormalizeConfig;
  /** Timers (sleep, idle timer). Default real timers. */
  scheduler?: Scheduler;
  /** Jitter source in [0,1). Default Math.random. */
  random?: () => number;
  /**
   * Keeps only Events of the namespaces it accepts (a leader-election shard's, src/leader); the
   * others belong to another shard and are dropped without a skip (the filter counts them). Default: all.
   */
  filter?: (namespace: string) => boolean;
}

const RECEIVED_TYPE: Record<ObjectOrigin, string> = { list: 'LIST', added: 'ADDED', modified: 'MODIFIED', deleted: 'DELETED' };

/**
 * Watches Kubernetes Events (`events.k8s.io/v1`, else `core/v1`) and hands each one, normalized,
 * to the sink, one at a time and awaited (backpressure). One list/watch loop cluster-wide, or one
 * per included namespace. After a relist every listed item is delivered again (origin `list`):
 * deduplication is downstream's job. DELETED changes are counted, not delivered.
 */
export class KubeEventSource {
  private readonly http: KubeHttp;
  private readonly scheduler: Scheduler;
  private readonly abort = new AbortController();
  private loops: ListWatch[] = [];
  private api?: SourceApi;
  private running?: Promise<void>;
  /**
   * The delivery or position still in progress, which later ones wait for (several namespace
   * loops share one sink, which sees one at a time); undefined when none is, so a delivery the
   * sink takes at once needs no promise.
   */
  private busy: Promise<void> | undefined;
  private lastEventWallMs?: number;
  private lastResourceVersion?: string;
  private discoveryError?: string;
  private discoveryFailures = 0;
  private readonly excluded: Set<string>;
  private readonly failureCeiling: number;
  private readonly received: HotCounter<'api' | 'type'>;

  constructor(
    private readonly config: SourceConfig,
    private readonly deps: KubeEventSourceDeps,
  ) {
    this.http = new KubeHttp(deps.kubeConfig);
    this.received = HotCounter.of(deps.metrics.eventsReceived);
    this.scheduler = deps.scheduler ?? realScheduler;
    this.excluded = new Set(config.namespaces.exclude);
    // Ready while retries are still below the largest backoff step.
    this.failureCeiling = Math.ceil(Math.log2(Math.max(1, config.backoff.maxMillis / config.backoff.initialMillis))) + 1;
  }

  /** Starts watching. With `from`, a single loop watches from that resourceVersion without listing (relisting on 410). */
  start(sink: EventSink, from?: ResumePoint): void {
    if (this.running) return;
    this.running = this.run(sink, from).catch((err: unknown) => {
      this.deps.logger.error({ err }, 'event source failed to start');
    });
  }

  /** Stops every loop; resolves once the delivery in progress has returned. */
  async stop(): Promise<void> {
    this.abort.abort();
    await this.running;
    await Promise.all(this.loops.map((l) => l.stop()));
    this.deps.metrics.sourceUp.set(0);
  }

  /** Readiness and progress (see {@link SourceStatus}). */
  status(): SourceStatus {
    const states = this.loops.map((l) => l.status());
    const failures = Math.max(this.discoveryFailures, ...states.map((s) => s.consecutiveFailures));
    const watching = states.length > 0 && states.every((s) => s.watching);
    const synced = states.length > 0 && states.every((s) => s.listed);
    const status: SourceStatus = {
      ready: synced && states.every((s) => s.watching || s.consecutiveFailures < this.failureCeiling),
      watching,
      consecutiveFailures: failures,
    };
    if (this.api !== undefined) status.api = this.api;
    if (this.lastEventWallMs !== undefined) status.lastEventWallMs = this.lastEventWallMs;
    // One loop: its resourceVersion (advanced by deliveries and bookmarks). Several: the last delivered event's.
    const rv = states.length === 1 ? states[0]?.resourceVersion : this.lastResourceVersion;
    if (rv !== undefined) status.lastResourceVersion = rv;
    const lastError = this.discoveryError ?? states.find((s) => s.lastError !== undefined)?.lastError;
    if (lastError !== undefined) status.lastError = lastError;
    return status;
  }

  private async run(sink: EventSink, from?: ResumePoint): Promise<void> {
    const api = from?.api ?? (await this.discover());
    if (api === undefined) return;
    this.api = api;
    const include = this.config.namespaces.include;
    const namespaces: (string | undefined)[] = include.length === 0 ? [undefined] : include;
    let resumeRv = from?.resourceVersion;
    if (resumeRv !== undefined && namespaces.length > 1) {
      // One checkpoint cannot say how far each namespace's watch got: list instead (downstream dedupes).
      this.deps.logger.info({ namespaces: include }, 'several namespaces watched: resuming by a list, not from the checkpoint');
      resumeRv = undefined;
    }
    for (const ns of namespaces) {
      const loop = new ListWatch(
        {
          http: this.http,
          path: eventsPath(api, ns),
          fieldSelector: fieldSelectorFor(api, this.config.fieldSelector),
          labelSelector: this.config.labelSelector,
          pageSize: this.config.pageSize,
          listPagesAhead: this.config.listPagesAhead,
          watchTimeoutSeconds: this.config.watchTimeoutSeconds,
          watchIdleTimeoutMillis: this.config.watchIdleTimeoutMillis,
          readCoalesce: this.config.readCoalesce,
          backoff: this.config.backoff,
          clock: this.deps.clock,
          logger: this.deps.logger,
          metrics: this.deps.metrics,
          skips: this.deps.skips,
          scheduler: this.scheduler,
          ...(this.deps.random ? { random: this.deps.random } : {}),
        },
        {
          onObject: (obj, origin) => this.onObject(sink, api, obj, origin),
          onListed: (rv) => this.onPosition(sink, api, rv),
          onBookmark: (rv) => this.onPosition(sink, api, rv),
          onWatching: () => this.deps.metrics.sourceUp.set(this.loops.every((l) => l.status().watching) ? 1 : 0),
          onAttemptEnd: (end) => {
            if (end.reason !== 'ok' && end.reason !== 'stopped') this.deps.logger.debug({ ...end, namespace: ns }, 'list/watch attempt ended');
          },
        },
      );
      this.loops.push(loop);
    }
    if (this.abort.signal.aborted) return;
    for (const loop of this.loops) loop.start(resumeRv);
  }

  /** Finds the Events API to use; retries with backoff until it answers or the source stops. */
  private async discover(): Promise<SourceApi | undefined> {
    if (this.config.api !== 'auto') return this.config.api;
    while (!this.abort.signal.aborted) {
      try {
        const v1 = await servesEventsV1(this.http, this.abort.signal);
        this.discoveryError = undefined;
        this.discoveryFailures = 0;
        if (!v1) this.deps.logger.warn('events.k8s.io/v1 is not served: falling back to core/v1 Events');
        return v1 ? 'events.k8s.io/v1' : 'v1';
      } catch (err) {
        if (this.abort.signal.aborted) return undefined;
        this.discoveryFailures++;
        this.discoveryError = `API discovery: ${String(err)}`;
        if (this.discoveryFailures === 1) this.deps.logger.warn({ err }, 'API discovery failed, retrying');
        const delay = backoffMillis(this.discoveryFailures, this.config.backoff.initialMillis, this.config.backoff.maxMillis, this.deps.random ?? Math.random);
        await this.scheduler.sleep(delay, this.abort.signal);
      }
    }
    return undefined;
  }

  /** Passes a list's or bookmark's resourceVersion on, in order with the deliveries. */
  private async onPosition(sink: EventSink, api: SourceApi, resourceVersion: string): Promise<void> {
    if (!sink.position) return;
    await this.inTurn(() => sink.position?.(resourceVersion, api));
  }

  /** Runs `step` now when nothing is in progress, else after what is; a promise only when something waits. */
  private inTurn(step: () => void | Promise<void>): void | Promise<void> {
    const pending = this.busy === undefined ? step() : this.busy.then(step);
    if (pending === undefined) return;
    const settled = pending.catch(() => undefined);
    this.busy = settled;
    void settled.then(() => {
      if (this.busy === settled) this.busy = undefined;
    });
    return pending;
  }

  private onObject(sink: EventSink, api: SourceApi, obj: WireObject, origin: ObjectOrigin): void | Promise<void> {
    const type = RECEIVED_TYPE[origin];
    this.received.inc(api + type, { api, type });
    if (origin === 'deleted') return;
    if (this.excluded.size > 0 || this.deps.filter) {
      const ns = (obj.metadata as { namespace?: unknown } | undefined)?.namespace;
      if (typeof ns === 'string' && this.excluded.has(ns)) {
        this.deps.skips.skip('source', 'namespace_excluded', { namespace: ns });
        return;
      }
      if (this.deps.filter && !this.deps.filter(typeof ns === 'string' ? ns : '')) return;
    }
    const result = normalizeEvent(obj, api, this.deps.clock.now(), this.deps.normalize);
    if (!result.ok) {
      this.deps.skips.skip('normalize', result.reason, { api });
      return;
    }
    if (result.event.truncated) this.deps.metrics.notesTruncated.inc();
    const { event } = result;
    const delivery = this.inTurn(() => sink.deliver(event, origin));
    if (delivery !== undefined) return delivery.then(() => this.delivered(event));
    this.delivered(event);
  }

  private delivered(event: KEvent): void {
    this.lastEventWallMs = this.deps.clock.now();
    if (event.resourceVersion !== '') this.lastResourceVersion = event.resourceVersion;
  }
}
