import type { ServerResponse } from 'node:http';
import type { KubeObject, ResourceInfo } from './resources.js';
import { apiVersionOf } from './resources.js';
import type { StoreChange } from './store.js';

/** Options of one {@link WatchStream}. */
export interface WatchStreamOptions {
  /** The resource watched (its storage is filtered on). */
  info: ResourceInfo;
  /** Converts a stored object to the served schema. */
  view: (obj: KubeObject) => KubeObject;
  /** Namespace, label and field filter on the served view. */
  matches: (served: KubeObject) => boolean;
  /**
   * For a watch that takes every object of its resource: the served JSON of a stored object
   * (`JSON.stringify(view(obj))`) made more cheaply, or undefined for the generic path.
   */
  render?: (stored: KubeObject) => string | undefined;
  /** BOOKMARK period in wall milliseconds; undefined: no bookmarks. */
  bookmarkIntervalMillis: number | undefined;
  /** Current resourceVersion, for bookmarks. */
  currentRv: () => number;
  /** Close the stream gracefully after this many seconds; undefined: never. */
  timeoutSeconds: number | undefined;
  /** Destroy the connection after every this many events (0: never). */
  dropAfterEvents: () => number;
  /** Buffered bytes past which a slow watcher is cut off, as kube-apiserver does. */
  maxBufferedBytes: number;
  /** Called once when the stream ends for any reason. */
  onClose: () => void;
  /** Called for every event line written. */
  onSent: () => void;
}

/** One open watch connection streaming newline-delimited watch events. */
export class WatchStream {
  private sent = 0;
  private closed = false;
  private corked = false;
  private readonly uncork = (): void => {
    this.corked = false;
    this.res.uncork();
  };
  private readonly timers: NodeJS.Timeout[] = [];

  constructor(
    private readonly res: ServerResponse,
    private readonly opts: WatchStreamOptions,
  ) {
    res.on('close', () => this.finish());
    if (opts.bookmarkIntervalMillis !== undefined && opts.bookmarkIntervalMillis > 0) {
      this.timers.push(setInterval(() => this.bookmark(), opts.bookmarkIntervalMillis));
    }
    if (opts.timeoutSeconds !== undefined && opts.timeoutSeconds > 0) {
      this.timers.push(setTimeout(() => this.end(), opts.timeoutSeconds * 1000));
    }
  }

  /** Whether the connection is still open. */
  isOpen(): boolean {
    return !this.closed;
  }

  /** Sends a store change when it concerns this watch (with ADDED/DELETED when a filter starts or stops matching). */
  onChange(change: StoreChange): void {
    if (this.closed || change.storage !== this.opts.info.storage) return;
    if (change.type === 'ADDED' && this.opts.render) {
      const json = this.opts.render(change.object);
      if (json !== undefined) {
        // the same text as send('ADDED', view(object)): JSON.stringify writes no spaces
        this.sendLine(`{"type":"ADDED","object":${json}}\n`);
        return;
      }
    }
    const now = this.opts.view(change.object);
    const before = change.previous ? this.opts.view(change.previous) : undefined;
    const newMatch = change.type !== 'DELETED' && this.opts.matches(now);
    const oldMatch = before !== undefined && this.opts.matches(before);
    if (change.type === 'DELETED') {
      if (oldMatch) this.send('DELETED', now);
    } else if (newMatch && oldMatch) this.send('MODIFIED', now);
    else if (newMatch) this.send('ADDED', now);
    else if (oldMatch) this.send('DELETED', now);
  }

  /** Sends one watch event. */
  send(type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR', object: KubeObject): void {
    if (this.closed) return;
    this.sendLine(`${JSON.stringify({ type, object })}\n`);
  }

  /** Writes one watch event line and counts it. */
  private sendLine(line: string): void {
    this.write(line);
    this.sent += 1;
    this.opts.onSent();
    const every = this.opts.dropAfterEvents();
    if (every > 0 && this.sent % every === 0) this.cut();
  }

  /** Writes a raw line (fault injection: malformed JSON, invalid UTF-8). */
  writeRaw(line: string | Buffer): void {
    if (this.closed) return;
    const buf = typeof line === 'string' ? Buffer.from(line) : line;
    this.write(buf[buf.length - 1] === 0x0a ? buf : Buffer.concat([buf, Buffer.from('\n')]));
  }

  /** Sends a BOOKMARK carrying only the current resourceVersion. */
  bookmark(): void {
    const { info } = this.opts;
    this.send('BOOKMARK', {
      kind: info.kind,
      apiVersion: apiVersionOf(info),
      metadata: { resourceVersion: String(this.opts.currentRv()) },
    });
  }

  /** Ends the stream gracefully (timeoutSeconds, 410 error). */
  end(): void {
    if (this.closed) return;
    this.res.end();
    this.finish();
  }

  /** Bytes written to this watch and not yet taken by the kernel (the watcher is behind by this much). */
  bufferedBytes(): number {
    return this.closed ? 0 : this.res.writableLength;
  }

  /** Cuts the connection (fault injection, server down, close). */
  destroy(): void {
    if (this.closed) return;
    this.res.destroy();
    this.res.socket?.destroy();
    this.finish();
  }

  /** Cuts the connection after what was written is flushed (mid-stream drop without a chunked terminator). */
  cut(): void {
    if (this.closed) return;
    const socket = this.res.socket;
    if (socket) socket.end();
    else this.res.destroy();
    this.finish();
  }

  private write(chunk: string | Buffer): void {
    if (!this.corked) {
      // Lines written in one turn of the loop leave in one write, as kube-apiserver flushes a
      // watch only when no further event is queued for it.
      this.corked = true;
      this.res.cork();
      process.nextTick(this.uncork);
    }
    this.res.write(chunk);
    if (this.res.writableLength > this.opts.maxBufferedBytes) this.destroy();
  }

  private finish(): void {
    if (this.closed) return;
    this.closed = true;
    for (const t of this.timers) clearTimeout(t);
    this.opts.onClose();
  }
}
