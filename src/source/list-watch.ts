import type { IncomingMessage } from 'node:http';
import type { Clock } from '../model/time.js';
import type { Logger } from '../observe/logger.js';
import type { Metrics } from '../observe/metrics.js';
import type { SkipReporter } from '../observe/skips.js';
import type { JsonResponse, KubeHttp, Query } from './http.js';
import { parseRetryAfter } from './http.js';
import { parseJsonLine, parseStreamLine, readLineBatches, type StreamLine } from './lines.js';
import { backoffMillis, realScheduler, type Scheduler } from './scheduler.js';
import { pauseReads, resumeReads } from './socket-reads.js';

/** A Kubernetes object as read off the wire. */
export type WireObject = Record<string, unknown>;

/** Where an object came from: a list page or a watch change. */
export type ObjectOrigin = 'list' | 'added' | 'modified' | 'deleted';

/** Why one list or watch attempt ended. */
export type AttemptEndReason = 'ok' | 'closed' | 'gone' | 'idle' | 'error' | 'forbidden' | 'stopped';

/** Passed to {@link ListWatchHandler.onAttemptEnd}. */
export interface AttemptEnd {
  phase: 'list' | 'watch';
  reason: AttemptEndReason;
  /** HTTP status or watch ERROR code, when there was one. */
  status?: number;
  error?: string;
  /** Last resourceVersion known when the attempt ended. */
  resourceVersion?: string;
}

/** How a watch line ended the watch (an ERROR object in the stream). */
type WatchLineEnd = { reason: 'gone' | 'error'; code?: number };

/** What a {@link ListWatch} calls. Only `onObject` is required. */
export interface ListWatchHandler {
  /** One listed item or watch change; a promise it returns is awaited before the next is read (backpressure). Should not throw. */
  onObject(obj: WireObject, origin: ObjectOrigin): void | Promise<void>;
  /** All pages of a list were handed over; the watch starts from `resourceVersion`. */
  onListed?(resourceVersion: string): void | Promise<void>;
  /** A BOOKMARK advanced the resourceVersion past everything delivered so far; awaited. */
  onBookmark?(resourceVersion: string): void | Promise<void>;
  /** A list or watch attempt ended. Fires exactly once per attempt. */
  onAttemptEnd?(end: AttemptEnd): void;
  /** The watch stream was established (true) or ended (false). */
  onWatching?(up: boolean): void;
  /** The list answered 403 and `stopOnForbidden` is set: the loop has ended for good. */
  onForbidden?(): void;
}

/** Options of a {@link ListWatch}. Durations in milliseconds unless named otherwise. */
export interface ListWatchOptions {
  http: KubeHttp;
  /** Collection path, e.g. `/apis/events.k8s.io/v1/namespaces/ns/events` or `/api/v1/pods`. */
  path: string;
  fieldSelector?: string;
  labelSelector?: string;
  /** Items per list page (`limit`). */
  pageSize: number;
  /** List pages requested ahead of the handler (fetched or in flight beside the one handed over). Default 1. */
  listPagesAhead?: number;
  /** Server-side watch timeout (`timeoutSeconds`). */
  watchTimeoutSeconds: number;
  /** A watch with no event and no bookmark for this long is restarted (reason `idle`). */
  watchIdleTimeoutMillis: number;
  backoff: { initialMillis: number; maxMillis: number };
  /** Longest watch line read, bytes; longer lines are skipped (`line_too_long`). Default 16 MiB. */
  maxLineBytes?: number;
  /**
   * Read batching while the watch trickles: after handling a read, when nothing more is buffered
   * and the last window (the longer of 250 ms and twice `millis`) brought lines at less than
   * `belowPerSecond`, the socket is not read for
   * `millis`, so what arrives meanwhile comes in one read. Default off (informers).
   */
  readCoalesce?: { millis: number; belowPerSecond: number };
  /** End the loop (calling `onForbidden`) when the list answers 403, instead of retrying. Default false. */
  stopOnForbidden?: boolean;
  clock: Clock;
  logger: Logger;
  metrics: Metrics;
  skips: SkipReporter;
  /** Timers; default real ones. */
  scheduler?: Scheduler;
  /** Random source in [0,1) for jitter; default Math.random. */
  random?: () => number;
  /** Count `relists` and `watchRestarts` (the event source does; informers do not). Default true. */
  recordMetrics?: boolean;
  /** Skip stage name for malformed lines. Default `source`. */
  skipStage?: string;
}

/** Observable state of a {@link ListWatch}. */
export interface ListWatchState {
  /** Synced: a list has completed, or a watch was established (resume from a resourceVersion without a list). */
  listed: boolean;
  watching: boolean;
  /** Last resourceVersion seen (list, change or bookmark): opaque, never compared. */
  resourceVersion?: string;
  lastError?: string;
  consecutiveFailures: number;
  /** Wall time of the last object handed to the handler. */
  lastEventWallMs?: number;
  /** Times reading paused to batch a trickling watch (see `readCoalesce`). */
  readPauses: number;
}

interface ListOutcome {
  reason: AttemptEndReason;
  resourceVersion?: string;
  retryAfterSeconds?: number;
}

interface WatchOutcome extends ListOutcome {
  progressed: boolean;
}

function asObj(v: unknown): WireObject | undefined {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as WireObject) : undefined;
}

function rvOf(obj: WireObject | undefined): string | undefined {
  const rv = asObj(obj?.metadata)?.resourceVersion;
  return typeof rv === 'string' && rv !== '' ? rv : undefined;
}

async function drainJson(res: IncomingMessage): Promise<WireObject | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of res) {
    size += (c as Buffer).length;
    if (size <= 1 << 20) chunks.push(c as Buffer);
  }
  return asObj(parseJsonLine(Buffer.concat(chunks)));
}

const MAX_LINE_BYTES = 16 * 1024 * 1024;

/** Bytes waiting after one loop turn that mean a watch is catching up, not trickling (a read is ≤ 64 KiB). */
const CATCH_UP_BYTES = 16 * 1024;

/** Quiet watchdog ticks in a row that make a watch idle (the tick is the idle timeout / this). */
const IDLE_TICKS = 4;

/** Resolves after one turn of the event loop (its poll phase included). */
function oneTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Line rate of a watch, for read batching. */
interface ReadRate {
  /** Start of the current window, wall ms. */
  since: number;
  /** Lines in the current window. */
  lines: number;
  /** The last full window was below `readCoalesce.belowPerSecond`. */
  trickling: boolean;
  /** Lines read since the last pause ended; -1 before the first. */
  afterPause: number;
}

/** Progress of one watch request. */
interface WatchStream {
  /** Last resourceVersion seen on it (or the one it started from). */
  rv: string | undefined;
  /** A line other than an ERROR was read. */
  progressed: boolean;
}

/** The `continue` token of a list page, or undefined on the last page (or a failed one). */
function continueOf(page: JsonResponse): string | undefined {
  if (page.status !== 200) return undefined;
  const cont = asObj(asObj(page.body)?.metadata)?.continue;
  return typeof cont === 'string' && cont !== '' ? cont : undefined;
}

/**
 * The pages of one list, requested one after another (each needs the previous page's `continue`
 * token) as soon as the page before arrives, while at most `ahead` pages wait to be taken. A
 * failed request ends the list; {@link close} aborts a request still in flight.
 */
class PageReader {
  private readonly waiting: Promise<JsonResponse>[] = [];
  private readonly abort = new AbortController();
  private readonly onStop = (): void => this.abort.abort();
  private cont: string | undefined;
  private more = true;
  private fetching = false;

  constructor(
    private readonly fetch: (cont: string | undefined, signal: AbortSignal) => Promise<JsonResponse>,
    private readonly ahead: number,
    private readonly stop: AbortSignal,
  ) {
    stop.addEventListener('abort', this.onStop, { once: true });
    this.pump();
  }

  /** The next page, in order; undefined after the last. */
  next(): Promise<JsonResponse> | undefined {
    const page = this.waiting.shift();
    this.pump();
    return page;
  }

  /** Aborts a request in flight (the list ended early) and lets go of the stop signal. */
  close(): void {
    this.more = false;
    this.stop.removeEventListener('abort', this.onStop);
    this.abort.abort();
  }

  private pump(): void {
    if (this.fetching || !this.more || this.waiting.length >= this.ahead || this.abort.signal.aborted) return;
    this.fetching = true;
    const page = this.fetch(this.cont, this.abort.signal);
    this.waiting.push(page);
    page.then(
      (res) => {
        this.fetching = false;
        this.cont = continueOf(res);
        this.more = this.cont !== undefined;
        this.pump();
      },
      () => {
        this.fetching = false;
        this.more = false;
      },
    );
  }
}

/**
 * The generic list+watch loop (the informer contract of client-node's `cache.ts`): paginated
 * list, then watch from the list's resourceVersion with bookmarks; resume from the last seen
 * resourceVersion when a watch ends; relist on 410 Gone; capped exponential backoff with full
 * jitter, reset by the first successful response; `Retry-After` honoured on 429/503; a quiet
 * watch is restarted after `watchIdleTimeoutMillis`. The handler is awaited before the next line
 * is read from the HTTP stream, so a slow consumer stops the reads instead of buffering.
 */
export class ListWatch {
  private readonly state: ListWatchState = { listed: false, watching: false, consecutiveFailures: 0, readPauses: 0 };
  private readonly abort = new AbortController();
  private readonly scheduler: Scheduler;
  private readonly random: () => number;
  private running?: Promise<void>;

  constructor(
    private readonly opts: ListWatchOptions,
    private readonly handler: ListWatchHandler,
  ) {
    this.scheduler = opts.scheduler ?? realScheduler;
    this.random = opts.random ?? Math.random;
  }

  /** Starts the loop: lists first, or watches from `fromResourceVersion` without listing (relisting if it is gone). */
  start(fromResourceVersion?: string): void {
    if (this.running) return;
    this.running = this.run(fromResourceVersion).catch((err: unknown) => {
      this.opts.logger.error({ err, path: this.opts.path }, 'list/watch loop failed');
    });
  }

  /** Stops the loop and waits for it to end (after the handler call in progress returns). */
  async stop(): Promise<void> {
    this.abort.abort();
    await this.running;
  }

  /** A snapshot of the loop state. */
  status(): ListWatchState {
    return { ...this.state };
  }

  private get stopped(): boolean {
    return this.abort.signal.aborted;
  }

  private selectors(): Query {
    return { fieldSelector: this.opts.fieldSelector, labelSelector: this.opts.labelSelector };
  }

  private async run(fromRv?: string): Promise<void> {
    let rv = fromRv;
    let listReason: string | undefined = fromRv === undefined ? 'start' : undefined;
    let watchReason = 'start';
    let justListed = false;
    if (fromRv !== undefined) this.state.resourceVersion = fromRv;
    while (!this.stopped) {
      if (listReason !== undefined) {
        if (this.opts.recordMetrics !== false) this.opts.metrics.relists.inc({ reason: listReason });
        const out = await this.listOnce();
        if (out.reason === 'stopped') return;
        if (out.reason === 'ok') {
          rv = out.resourceVersion;
          listReason = undefined;
          justListed = true;
        } else if (out.reason === 'gone') {
          listReason = 'continue_expired';
          continue;
        } else if (out.reason === 'forbidden' && this.opts.stopOnForbidden) {
          this.handler.onForbidden?.();
          return;
        } else {
          await this.backoff(out.retryAfterSeconds);
          continue;
        }
      }
      if (this.opts.recordMetrics !== false) this.opts.metrics.watchRestarts.inc({ reason: watchReason });
      const out = await this.watchOnce(rv);
      if (out.resourceVersion !== undefined) rv = out.resourceVersion;
      if (out.reason === 'stopped') return;
      watchReason = out.reason === 'ok' ? 'closed' : out.reason;
      if (out.reason === 'gone') {
        listReason = 'gone';
        // A list immediately followed by 410 means the store compacts faster than we list: back off.
        if (justListed && !out.progressed) await this.backoff(undefined);
      } else if (out.reason === 'error' || out.reason === 'forbidden' || (out.reason === 'closed' && !out.progressed)) {
        await this.backoff(out.retryAfterSeconds);
      }
      justListed = false;
    }
  }

  private async backoff(retryAfterSeconds: number | undefined): Promise<void> {
    this.state.consecutiveFailures++;
    const delay =
      retryAfterSeconds !== undefined
        ? retryAfterSeconds * 1000
        : backoffMillis(this.state.consecutiveFailures, this.opts.backoff.initialMillis, this.opts.backoff.maxMillis, this.random);
    await this.scheduler.sleep(delay, this.abort.signal);
  }

  private succeeded(): void {
    this.state.consecutiveFailures = 0;
    this.state.lastError = undefined;
  }

  private fail(message: string): void {
    this.state.lastError = message;
  }

  /** Hands one object to the handler; a promise only when the handler returned one (it waits). */
  private deliver(obj: WireObject, origin: ObjectOrigin): void | Promise<void> {
    let handling: void | Promise<void> = undefined;
    try {
      handling = this.handler.onObject(obj, origin);
    } catch (err) {
      this.handlerFailed(err);
    }
    if (handling !== undefined) {
      return handling.then(
        () => this.handled(),
        (err: unknown) => {
          this.handlerFailed(err);
          this.handled();
        },
      );
    }
    this.handled();
  }

  private handlerFailed(err: unknown): void {
    this.opts.skips.skip(this.opts.skipStage ?? 'source', 'handler_error', { err, path: this.opts.path });
  }

  private handled(): void {
    this.state.lastEventWallMs = this.opts.clock.now();
  }

  private endOnce(phase: 'list' | 'watch'): (out: ListOutcome, status?: number, error?: string) => ListOutcome {
    let ended = false;
    return (out, status, error) => {
      if (!ended) {
        ended = true;
        const end: AttemptEnd = { phase, reason: out.reason };
        if (status !== undefined) end.status = status;
        if (error !== undefined) end.error = error;
        const rv = out.resourceVersion ?? this.state.resourceVersion;
        if (rv !== undefined) end.resourceVersion = rv;
        try {
          this.handler.onAttemptEnd?.(end);
        } catch (err) {
          this.opts.logger.error({ err }, 'onAttemptEnd callback threw');
        }
      }
      return out;
    };
  }

  /**
   * Lists all pages; hands every item to the handler with origin `list`. Pages are requested
   * ahead of the handler (as client-go's pager buffers pages): up to `listPagesAhead` pages wait
   * fetched or in flight beside the one being handed over, so the API server prepares the next
   * pages while the pipeline works through this one.
   */
  private async listOnce(): Promise<ListOutcome> {
    const end = this.endOnce('list');
    const pages = new PageReader(
      (cont, signal) => this.opts.http.getJson(this.opts.path, { limit: this.opts.pageSize, continue: cont, ...this.selectors() }, signal),
      Math.max(1, this.opts.listPagesAhead ?? 1),
      this.abort.signal,
    );
    let rv = '';
    try {
      for (let res = pages.next(); res !== undefined; res = pages.next()) {
        const page = await res;
        if (page.status === 410) {
          this.fail('list continue token expired (410)');
          return end({ reason: 'gone' }, 410);
        }
        if (page.status !== 200) {
          const reason: AttemptEndReason = page.status === 403 ? 'forbidden' : 'error';
          this.fail(`list ${this.opts.path}: HTTP ${page.status}`);
          const out: ListOutcome = { reason };
          if (page.retryAfterSeconds !== undefined && (page.status === 429 || page.status === 503)) out.retryAfterSeconds = page.retryAfterSeconds;
          return end(out, page.status, this.state.lastError);
        }
        this.succeeded();
        const body = asObj(page.body);
        const meta = asObj(body?.metadata);
        rv = typeof meta?.resourceVersion === 'string' ? meta.resourceVersion : rv;
        // Handing over a page is one long chain of promise jobs: let the loop send and read first.
        await oneTurn();
        const items = Array.isArray(body?.items) ? (body.items as unknown[]) : [];
        for (const item of items) {
          if (this.stopped) return end({ reason: 'stopped' });
          const obj = asObj(item);
          if (obj === undefined) this.opts.skips.skip(this.opts.skipStage ?? 'source', 'malformed_item', { path: this.opts.path });
          else {
            const delivering = this.deliver(obj, 'list');
            if (delivering !== undefined) await delivering;
          }
        }
      }
      if (this.stopped) return end({ reason: 'stopped' });
      this.state.listed = true;
      this.state.resourceVersion = rv;
      await this.handler.onListed?.(rv);
      return end({ reason: 'ok', resourceVersion: rv });
    } catch (err) {
      if (this.stopped) return end({ reason: 'stopped' });
      this.fail(`list ${this.opts.path}: ${String(err)}`);
      return end({ reason: 'error' }, undefined, this.state.lastError);
    } finally {
      pages.close();
    }
  }

  /**
   * One watch request, read until it ends. Lines come in batches (all complete lines of a socket
   * read), each handed to the handler in order. Idleness is watched by a watchdog ticking every
   * quarter of `watchIdleTimeoutMillis`: four ticks in a row without a line read, and not inside the
   * handler (backpressure is not idleness), restart the watch; so it restarts after between 1 and
   * 1.25 × the timeout of quiet, and reading a line costs a flag write instead of a timer re-arm.
   */
  private async watchOnce(fromRv: string | undefined): Promise<WatchOutcome> {
    const end = this.endOnce('watch');
    const ac = new AbortController();
    const onStop = (): void => ac.abort();
    this.abort.signal.addEventListener('abort', onStop, { once: true });
    const watchdog = { idle: false, active: false, busy: false, quietTicks: 0, cancel: undefined as (() => void) | undefined };
    const tickMillis = Math.max(1, this.opts.watchIdleTimeoutMillis / IDLE_TICKS);
    const tick = (): void => {
      if (watchdog.active || watchdog.busy) {
        watchdog.active = false;
        watchdog.quietTicks = 0;
      } else if (++watchdog.quietTicks >= IDLE_TICKS) {
        watchdog.idle = true;
        ac.abort();
        return;
      }
      watchdog.cancel = this.scheduler.setTimer(tick, tickMillis);
    };
    const stream: WatchStream = { rv: fromRv, progressed: false };
    let res: IncomingMessage | undefined;
    const outcome = (reason: AttemptEndReason, extra: Partial<WatchOutcome> = {}): WatchOutcome => ({
      reason,
      progressed: stream.progressed,
      ...(stream.rv !== undefined ? { resourceVersion: stream.rv } : {}),
      ...extra,
    });
    try {
      watchdog.cancel = this.scheduler.setTimer(tick, tickMillis);
      res = await this.opts.http.open(
        this.opts.path,
        { watch: 'true', resourceVersion: fromRv, allowWatchBookmarks: 'true', timeoutSeconds: this.opts.watchTimeoutSeconds, ...this.selectors() },
        ac.signal,
      );
      const status = res.statusCode ?? 0;
      if (status !== 200) {
        const retryAfterSeconds = parseRetryAfter(res.headers['retry-after']);
        await drainJson(res);
        if (status === 410) return end(outcome('gone'), 410) as WatchOutcome;
        this.fail(`watch ${this.opts.path}: HTTP ${status}`);
        const extra = retryAfterSeconds !== undefined && (status === 429 || status === 503) ? { retryAfterSeconds } : {};
        return end(outcome(status === 403 ? 'forbidden' : 'error', extra), status, this.state.lastError) as WatchOutcome;
      }
      this.state.watching = true;
      this.state.listed = true; // also true when resuming from a checkpoint without a list
      this.handler.onWatching?.(true);
      watchdog.active = true;
      // not trickling until a whole window says so: a watch that starts with a backlog is read at full speed
      const rate: ReadRate = { since: this.opts.clock.now(), lines: 0, trickling: false, afterPause: -1 };
      for await (const lines of readLineBatches(res, this.opts.maxLineBytes ?? MAX_LINE_BYTES)) {
        watchdog.busy = true;
        for (const line of lines) {
          let ended = this.watchLine(line, stream);
          if (ended instanceof Promise) ended = await ended;
          if (ended !== undefined) return end(outcome(ended.reason), ended.code, ended.code === 410 ? undefined : this.state.lastError) as WatchOutcome;
          if (this.stopped) return end(outcome('stopped')) as WatchOutcome;
        }
        watchdog.active = true;
        // One turn of the event loop first, so the poll phase reads what the kernel holds (the async
        // iterator takes all buffered data on every step, so the stream's own buffer is empty
        // here): a full read or more waiting means a burst is being caught up, not a trickle.
        if (this.trickling(rate, lines.length) && (await oneTurn(), res.readableLength < CATCH_UP_BYTES) && !this.stopped) {
          // busy meanwhile: a pause of ours is not idleness
          await this.pauseReading(res, ac.signal);
          rate.afterPause = 0;
          if (this.stopped) return end(outcome('stopped')) as WatchOutcome;
        }
        watchdog.busy = false;
      }
      return end(outcome(watchdog.idle ? 'idle' : 'closed')) as WatchOutcome;
    } catch (err) {
      if (this.stopped) return end(outcome('stopped')) as WatchOutcome;
      if (watchdog.idle) return end(outcome('idle')) as WatchOutcome;
      this.fail(`watch ${this.opts.path}: ${String(err)}`);
      return end(outcome('error'), undefined, this.state.lastError) as WatchOutcome;
    } finally {
      watchdog.cancel?.();
      this.abort.signal.removeEventListener('abort', onStop);
      res?.destroy();
      if (this.state.watching) {
        this.state.watching = false;
        this.handler.onWatching?.(false);
      }
    }
  }

  /** Counts `lines` into the rate of the current window (≥ 250 ms); true while the watch trickles and reads are to be batched. */
  private trickling(rate: ReadRate, lines: number): boolean {
    const coalesce = this.opts.readCoalesce;
    if (!coalesce || coalesce.millis <= 0) return false;
    rate.lines += lines;
    const now = this.opts.clock.now();
    if (rate.afterPause >= 0) rate.afterPause += lines;
    if (rate.trickling && rate.afterPause > (coalesce.belowPerSecond * coalesce.millis) / 1000) {
      // more came during the last pause than the rate allows: a burst, stop pausing at once
      rate.trickling = false;
      rate.since = now;
      rate.lines = 0;
      rate.afterPause = -1;
      return false;
    }
    // a short window, so a burst after a quiet spell stops the pauses within a few hundred ms
    if (now - rate.since >= Math.max(250, 2 * coalesce.millis)) {
      rate.trickling = (rate.lines * 1000) / (now - rate.since) < coalesce.belowPerSecond;
      rate.since = now;
      rate.lines = 0;
    }
    return rate.trickling;
  }

  /** Stops reading the watch socket for `readCoalesce.millis` (the kernel keeps what arrives), or until stopped. */
  private async pauseReading(res: IncomingMessage, signal: AbortSignal): Promise<void> {
    const socket = res.socket;
    this.state.readPauses++;
    const stopped = pauseReads(socket);
    try {
      // the real scheduler, not the injected one: its sleeps are the retry backoff (tests record
      // them), and a pause only means something on a real socket
      await realScheduler.sleep(this.opts.readCoalesce?.millis ?? 0, signal);
    } finally {
      resumeReads(socket, stopped);
    }
  }

  /**
   * Handles one watch line; returns how the watch ends when the line ends it (an ERROR object).
   * Synchronous unless the handler makes it wait (then a promise of the same).
   */
  private watchLine(line: StreamLine, stream: WatchStream): WatchLineEnd | undefined | Promise<WatchLineEnd | undefined> {
    const stage = this.opts.skipStage ?? 'source';
    if (line.tooLong) {
      this.opts.skips.skip(stage, 'line_too_long', { path: this.opts.path });
      return undefined;
    }
    const msg = asObj(parseStreamLine(line));
    const type = msg?.type;
    const object = asObj(msg?.object);
    if (msg === undefined || typeof type !== 'string' || object === undefined) {
      this.opts.skips.skip(stage, 'malformed_line', { path: this.opts.path });
      return undefined;
    }
    if (type === 'ERROR') {
      const code = typeof object.code === 'number' ? object.code : undefined;
      if (code === 410) return { reason: 'gone', code };
      this.fail(`watch ${this.opts.path}: ERROR ${code ?? ''} ${String(object.message ?? '')}`.trim());
      return code === undefined ? { reason: 'error' } : { reason: 'error', code };
    }
    if (!stream.progressed) {
      stream.progressed = true;
      this.succeeded();
    }
    const objRv = rvOf(object);
    let waiting: void | Promise<void> = undefined;
    if (type === 'BOOKMARK') {
      if (objRv !== undefined) waiting = this.handler.onBookmark?.(objRv);
    } else if (type === 'ADDED' || type === 'MODIFIED' || type === 'DELETED') {
      waiting = this.deliver(object, type === 'ADDED' ? 'added' : type === 'MODIFIED' ? 'modified' : 'deleted');
    } else {
      this.opts.skips.skip(stage, 'unknown_watch_type', { type });
    }
    if (objRv === undefined) return waiting?.then(() => undefined);
    if (waiting !== undefined) return waiting.then(() => this.advance(stream, objRv));
    return this.advance(stream, objRv);
  }

  /** The watch has handled everything up to `rv`. */
  private advance(stream: WatchStream, rv: string): undefined {
    stream.rv = rv;
    this.state.resourceVersion = rv;
    return undefined;
  }
}
