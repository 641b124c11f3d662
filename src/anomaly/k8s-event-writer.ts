import type { KubeConfig } from '@kubernetes/client-node';
import type { Finding } from '../model/event.js';
import type { Clock } from '../model/time.js';
import type { Logger } from '../observe/logger.js';
import type { Metrics } from '../observe/metrics.js';
import type { SkipReporter } from '../observe/skips.js';
import type { PipelineObserver } from '../pipeline/stages.js';
import type { AnomalyEventsConfig } from './config.js';
import { type EventTarget, coreV1Body, eventsV1Body, seriesKey, targetOf } from './event-body.js';
import { type KubeWriter, kubeWriter } from './kube-write.js';
import { TokenBucket } from './token-bucket.js';

/** Skip stage of everything the writer drops (`skipped{stage="anomaly_events",reason}`). */
export const ANOMALY_EVENTS_STAGE = 'anomaly_events';

/** What {@link KubeEventWriter} needs. */
export interface KubeEventWriterDeps {
  kubeConfig: KubeConfig;
  clock: Clock;
  logger: Logger;
  metrics: Metrics;
  /** True for the namespaces eventide watches; Events are only written there. See {@link namespaceFilter}. */
  watched: (namespace: string) => boolean;
  /** Where drops are counted (stage `anomaly_events`). Default: counted in {@link KubeEventWriter.counts} only. */
  skips?: SkipReporter;
  /** `reportingInstance`: the pod name. Default `$POD_NAME`, else `$HOSTNAME`, else `eventide`. */
  reportingInstance?: string;
  /** The API writes; default plain HTTP(S) with the KubeConfig's credentials. */
  writer?: KubeWriter;
}

/** Counters of a {@link KubeEventWriter}. */
export interface KubeEventWriterCounts {
  /** Events created. */
  created: number;
  /** Series updates written (repeats of a key). */
  updated: number;
  /** Repeats folded into a pending write instead of a request of their own. */
  aggregated: number;
  /** Findings dropped, by reason (`namespace_not_watched`, `no_namespace`, `rate_limited`, `queue_full`, `write_failed`, `stopped`). */
  skipped: Record<string, number>;
}

/** One Event written (or being written) for a series key. */
interface SeriesState {
  key: string;
  finding: Finding;
  target: EventTarget;
  name: string;
  firstMs: number;
  lastMs: number;
  count: number;
  /** Count the API server holds; below `count` while an update is due. */
  writtenCount: number;
  /** The stored object (for a PUT of the series). */
  stored?: Record<string, unknown>;
  queued: boolean;
}

type Api = 'events.k8s.io/v1' | 'v1';

/** Namespace filter of the source config: included (empty = all) and not excluded. */
export function namespaceFilter(namespaces: { include: readonly string[]; exclude: readonly string[] }): (namespace: string) => boolean {
  const include = new Set(namespaces.include);
  const exclude = new Set(namespaces.exclude);
  return (ns) => (include.size === 0 || include.has(ns)) && !exclude.has(ns);
}

/**
 * Writes each finding as a Kubernetes Event (`events.k8s.io/v1`, else core/v1): type Warning,
 * `reportingController: eventide.io/anomaly-detector`, `action: Detected`, `reason`
 * `PatternDetected` / `AnomalyDetected`, `note` = the finding's (redacted) body, `regarding` = the
 * subject's object or the namespace. Repeats of one key within `seriesWindowMillis` update the
 * Event's series count instead of creating more Events. Only namespaces eventide watches get
 * Events. A pipeline observer: `onFinding` never blocks nor throws; writes go through a bounded
 * queue, rate-limited by a token bucket; every drop is counted.
 */
export class KubeEventWriter implements PipelineObserver {
  private readonly writer: KubeWriter;
  private readonly bucket: TokenBucket;
  private readonly reportingInstance: string;
  private readonly series = new Map<string, SeriesState>();
  private readonly queue: SeriesState[] = [];
  private readonly counters: KubeEventWriterCounts = { created: 0, updated: 0, aggregated: 0, skipped: {} };
  private api: Api = 'events.k8s.io/v1';
  private pumping?: Promise<void>;
  private stopped = false;
  private seq = 0;

  constructor(
    private readonly config: AnomalyEventsConfig,
    private readonly deps: KubeEventWriterDeps,
  ) {
    this.writer = deps.writer ?? kubeWriter(deps.kubeConfig);
    this.bucket = new TokenBucket(config.ratePerMinute, config.burst, deps.clock);
    this.reportingInstance = deps.reportingInstance ?? process.env.POD_NAME ?? process.env.HOSTNAME ?? 'eventide';
  }

  /** Queues the finding's Event (or a series update of an earlier one). Never throws, never waits. */
  onFinding(finding: Finding): void {
    if (!this.config.enabled) return;
    if (this.stopped) return this.skip('stopped');
    try {
      this.accept(finding);
    } catch (err) {
      this.skip('finding_error', { err: String(err) });
    }
  }

  /** Resolves once every queued write has been attempted, series updates still due included (they bypass the rate limit). */
  async flush(): Promise<void> {
    while (this.pumping) await this.pumping;
    for (const s of this.series.values()) if (s.count > s.writtenCount && !s.queued) this.enqueue(s, true);
    while (this.pumping) await this.pumping;
  }

  /** Stops accepting findings and flushes. Idempotent. */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.flush();
  }

  /** A snapshot of the counters. */
  counts(): KubeEventWriterCounts {
    return { ...this.counters, skipped: { ...this.counters.skipped } };
  }

  private accept(finding: Finding): void {
    const target = targetOf(finding);
    if (!target) return this.skip('no_namespace');
    if (!this.deps.watched(target.namespace)) return this.skip('namespace_not_watched', { namespace: target.namespace });
    const now = this.deps.clock.now();
    this.expire(now);
    const key = seriesKey(finding, target);
    const known = this.series.get(key);
    if (known) {
      this.series.delete(key); // re-inserted last: the map stays in order of last repeat, for expire()
      this.series.set(key, known);
      known.count++;
      known.lastMs = now;
      known.finding = finding;
      if (known.queued) {
        this.counters.aggregated++;
        return;
      }
      // Without a token the update stays due: the next repeat with a token, or flush(), writes the count.
      if (this.bucket.take()) this.enqueue(known, false);
      else this.counters.aggregated++;
      return;
    }
    if (this.queue.length >= this.config.maxQueue) return this.skip('queue_full');
    if (!this.bucket.take()) return this.skip('rate_limited');
    const state: SeriesState = { key, finding, target, name: this.eventName(target, now), firstMs: now, lastMs: now, count: 1, writtenCount: 0, queued: false };
    this.series.set(key, state);
    this.enqueue(state, false);
  }

  private enqueue(state: SeriesState, force: boolean): void {
    if (!force && this.queue.length >= this.config.maxQueue) {
      this.skip('queue_full');
      return;
    }
    state.queued = true;
    this.queue.push(state);
    this.pumping ??= this.pump().finally(() => {
      this.pumping = undefined;
    });
  }

  private async pump(): Promise<void> {
    for (let state = this.queue.shift(); state; state = this.queue.shift()) {
      try {
        await this.write(state);
      } catch (err) {
        if (state.stored === undefined) this.series.delete(state.key);
        this.skip('write_failed', { err: String(err) });
      }
      // Queued until written: repeats meanwhile are aggregated and left due (next repeat or flush).
      state.queued = false;
    }
  }

  /** Creates the Event, or PUTs its series count; falls back to core/v1 when events.k8s.io/v1 is not served. */
  private async write(s: SeriesState): Promise<void> {
    const count = s.count;
    const opts = { name: s.name, reportingInstance: this.reportingInstance, firstMs: s.firstMs, lastMs: s.lastMs, count };
    const creating = s.stored === undefined;
    let res = await this.writer.send(creating ? 'POST' : 'PUT', this.path(s, !creating), this.body(s, opts));
    if (creating && res.status === 404 && this.api === 'events.k8s.io/v1') {
      this.api = 'v1';
      this.deps.logger.warn('events.k8s.io/v1 is not served: writing anomaly Events through core/v1');
      res = await this.writer.send('POST', this.path(s, false), this.body(s, opts));
    }
    if (res.status === 409 && creating) {
      // Name taken (a restart within the same millisecond): a fresh name next time.
      s.name = this.eventName(s.target, this.deps.clock.now());
    }
    if (res.status < 200 || res.status >= 300) {
      const message = (res.body as { message?: unknown } | undefined)?.message;
      this.skip('write_failed', { status: res.status, ...(typeof message === 'string' ? { message } : {}) });
      // A failed create drops the finding (counted); an update that finds its Event gone (TTL) lets the next repeat create one.
      if (creating || res.status === 404) this.series.delete(s.key);
      return;
    }
    if (res.body && typeof res.body === 'object') s.stored = res.body as Record<string, unknown>;
    s.writtenCount = count;
    if (creating) this.counters.created++;
    else this.counters.updated++;
  }

  private body(s: SeriesState, opts: Parameters<typeof eventsV1Body>[2]): Record<string, unknown> {
    const fresh = this.api === 'events.k8s.io/v1' ? eventsV1Body(s.finding, s.target, opts) : coreV1Body(s.finding, s.target, opts);
    if (!s.stored) return fresh;
    // An update keeps the stored metadata (uid, resourceVersion) and replaces the rest.
    return { ...fresh, metadata: { ...(s.stored.metadata as Record<string, unknown>), ...(fresh.metadata as Record<string, unknown>) } };
  }

  private path(s: SeriesState, named: boolean): string {
    const ns = encodeURIComponent(s.target.namespace);
    const collection = this.api === 'events.k8s.io/v1' ? `/apis/events.k8s.io/v1/namespaces/${ns}/events` : `/api/v1/namespaces/${ns}/events`;
    return named ? `${collection}/${encodeURIComponent(s.name)}` : collection;
  }

  private eventName(target: EventTarget, nowMs: number): string {
    // Like the Kubernetes recorders: `<object>.<hex time>`; a counter keeps names within one ms apart.
    const base = target.regarding.name.toLowerCase().replace(/[^a-z0-9.-]/g, '-').slice(0, 200) || 'eventide';
    return `${base}.${(nowMs * 1000 + (this.seq++ % 1000)).toString(16)}`;
  }

  /** Forgets series older than the window (bounded state): their next repeat creates a new Event. */
  private expire(nowMs: number): void {
    for (const [key, s] of this.series) {
      if (nowMs - s.lastMs <= this.config.seriesWindowMillis) break; // insertion order ≈ age order
      if (!s.queued && s.count === s.writtenCount) this.series.delete(key);
    }
  }

  private skip(reason: string, detail?: Record<string, unknown>): void {
    this.counters.skipped[reason] = (this.counters.skipped[reason] ?? 0) + 1;
    this.deps.skips?.skip(ANOMALY_EVENTS_STAGE, reason, detail);
  }
}
