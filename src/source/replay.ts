import { createReadStream } from 'node:fs';
import type { SourceApi } from '../model/event.js';
import type { Clock } from '../model/time.js';
import type { NormalizeConfig } from '../normalize/config.js';
import { apiOfObject, normalizeEvent } from '../normalize/normalize.js';
import type { Logger } from '../observe/logger.js';
import type { Metrics } from '../observe/metrics.js';
import type { SkipReporter } from '../observe/skips.js';
import type { ReplayConfig } from './config.js';
import { parseStreamLine, readLines } from './lines.js';
import { realScheduler, type Scheduler } from './scheduler.js';
import type { DeliveryOrigin, EventSink, SourceStatus } from './types.js';

/** What {@link ReplaySource} needs. */
export interface ReplaySourceDeps {
  clock: Clock;
  logger: Logger;
  metrics: Metrics;
  skips: SkipReporter;
  normalize: NormalizeConfig;
  /** Timers for the paced mode. Default real timers. */
  scheduler?: Scheduler;
}

type Obj = Record<string, unknown>;

function asObj(v: unknown): Obj | undefined {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Obj) : undefined;
}

/** Schema of an Event object: its apiVersion, else guessed from its fields (`regarding` → events.k8s.io/v1). */
function apiOf(obj: Obj): SourceApi {
  return apiOfObject(obj) ?? ('regarding' in obj || 'note' in obj ? 'events.k8s.io/v1' : 'v1');
}

const MAX_LINE_BYTES = 16 * 1024 * 1024;

/**
 * Replays an NDJSON file of Events through the same sink contract as {@link KubeEventSource}:
 * each line is a watch event (`{"type":"ADDED","object":{...}}`) or a bare Event (delivered with
 * origin `list`), in file order, one at a time and awaited. DELETED lines are counted, not
 * delivered. Bad lines are counted (`source/malformed_line`) and skipped.
 */
export class ReplaySource {
  private readonly abort = new AbortController();
  private readonly scheduler: Scheduler;
  private running?: Promise<void>;
  private finished = false;
  private finish!: () => void;
  private readonly finishedPromise = new Promise<void>((resolve) => (this.finish = resolve));
  private lastEventWallMs?: number;
  private lastResourceVersion?: string;
  private lastError?: string;
  private api?: SourceApi;

  constructor(
    private readonly config: ReplayConfig,
    private readonly deps: ReplaySourceDeps,
  ) {
    this.scheduler = deps.scheduler ?? realScheduler;
  }

  /** Starts reading the file into `sink`. */
  start(sink: EventSink): void {
    if (this.running) return;
    this.running = this.run(sink)
      .catch((err: unknown) => {
        this.lastError = `replay ${this.config.path}: ${String(err)}`;
        this.deps.logger.error({ err, path: this.config.path }, 'replay failed');
      })
      .finally(() => {
        this.finished = true;
        this.finish();
      });
  }

  /** Resolves when the file is exhausted (or reading failed, or the source was stopped). */
  done(): Promise<void> {
    return this.finishedPromise;
  }

  /** Stops after the delivery in progress. */
  async stop(): Promise<void> {
    this.abort.abort();
    await this.running;
  }

  /** Progress; `watching` is true while the file is being read. */
  status(): SourceStatus {
    const s: SourceStatus = { ready: this.running !== undefined && this.lastError === undefined, watching: this.running !== undefined && !this.finished, consecutiveFailures: this.lastError ? 1 : 0 };
    if (this.api !== undefined) s.api = this.api;
    if (this.lastEventWallMs !== undefined) s.lastEventWallMs = this.lastEventWallMs;
    if (this.lastResourceVersion !== undefined) s.lastResourceVersion = this.lastResourceVersion;
    if (this.lastError !== undefined) s.lastError = this.lastError;
    return s;
  }

  private async run(sink: EventSink): Promise<void> {
    const stream = createReadStream(this.config.path, { signal: this.abort.signal });
    let prevEventMs: number | undefined;
    try {
      for await (const line of readLines(stream, MAX_LINE_BYTES, true)) {
        if (this.abort.signal.aborted) return;
        const msg = line.tooLong ? undefined : asObj(parseStreamLine(line));
        const parsed = msg === undefined ? undefined : this.unwrap(msg);
        if (parsed === null) continue; // BOOKMARK of a recorded watch stream
        if (parsed === undefined) {
          this.deps.skips.skip('source', line.tooLong ? 'line_too_long' : 'malformed_line', { path: this.config.path });
          continue;
        }
        const { object, origin } = parsed;
        const api = apiOf(object);
        this.api = api;
        this.deps.metrics.eventsReceived.inc({ api, type: origin === 'list' ? 'LIST' : origin.toUpperCase() });
        if (origin === 'deleted') continue;
        const result = normalizeEvent(object, api, this.deps.clock.now(), this.deps.normalize);
        if (!result.ok) {
          this.deps.skips.skip('normalize', result.reason, { api });
          continue;
        }
        if (result.event.truncated) this.deps.metrics.notesTruncated.inc();
        if (this.config.speed > 0 && prevEventMs !== undefined) {
          const gap = result.event.timeMs - prevEventMs;
          if (gap > 0) await this.scheduler.sleep(gap / this.config.speed, this.abort.signal);
          if (this.abort.signal.aborted) return;
        }
        if (prevEventMs === undefined || result.event.timeMs > prevEventMs) prevEventMs = result.event.timeMs;
        await sink.deliver(result.event, origin);
        this.lastEventWallMs = this.deps.clock.now();
        if (result.event.resourceVersion !== '') this.lastResourceVersion = result.event.resourceVersion;
      }
    } catch (err) {
      if (this.abort.signal.aborted) return;
      throw err;
    }
  }

  /** A line as (object, origin): a watch event envelope or a bare Event; null for a BOOKMARK; undefined when neither. */
  private unwrap(msg: Obj): { object: Obj; origin: DeliveryOrigin | 'deleted' } | null | undefined {
    const type = msg.type;
    const object = asObj(msg.object);
    if (typeof type === 'string' && object !== undefined) {
      if (type === 'ADDED') return { object, origin: 'added' };
      if (type === 'MODIFIED') return { object, origin: 'modified' };
      if (type === 'DELETED') return { object, origin: 'deleted' };
      if (type === 'BOOKMARK') return null;
      return undefined;
    }
    return asObj(msg.metadata) !== undefined ? { object: msg, origin: 'list' } : undefined;
  }
}
