import { randomUUID } from 'node:crypto';
import type { Clock } from '../model/time.js';
import { systemClock } from '../model/time.js';
import type { KubeObject } from './resources.js';
import { metaOf, nameOf, namespaceOf } from './resources.js';

/** A watch event type as the API server sends it. */
export type ChangeType = 'ADDED' | 'MODIFIED' | 'DELETED';

/** One write to the store, kept in the bounded history for watches and consistent list pages. */
export interface StoreChange {
  /** resourceVersion of this write (a global counter). */
  rv: number;
  /** What happened. */
  type: ChangeType;
  /** Storage key, e.g. `events`. */
  storage: string;
  /** `namespace/name` (cluster-scoped: `/name`). */
  key: string;
  /** The object after the write (for DELETED: the last state, carrying the deletion rv). */
  object: KubeObject;
  /** The object before the write (absent for ADDED). */
  previous?: KubeObject;
}

/** Why a store write was refused. */
export type StoreErrorReason = 'AlreadyExists' | 'Conflict' | 'NotFound';

/** A refused store write (create of an existing object, stale resourceVersion, missing object). */
export class StoreError extends Error {
  constructor(
    /** Kubernetes Status reason. */
    readonly reason: StoreErrorReason,
    message: string,
  ) {
    super(message);
    this.name = 'StoreError';
  }
}

/** Options of {@link ObjectStore}. */
export interface ObjectStoreOptions {
  /** How many changes the history keeps (older resourceVersions give 410 Gone). Default 10,000. */
  historySize?: number;
  /** Source of creationTimestamp. Default the system clock. */
  clock?: Clock;
  /** Makes uids (inject a seeded one for deterministic runs). Default `crypto.randomUUID`. */
  uidFactory?: () => string;
  /**
   * Copy objects handed to create/update (structuredClone), so callers may reuse them. Default
   * true; a load generator that never touches an object again passes false to save the copy.
   */
  copyInputs?: boolean;
}

/** Listener of store writes; called synchronously after each write. */
export type ChangeListener = (change: StoreChange) => void;

const SNAPSHOT_CACHE_SIZE = 4;

/** Kubernetes `metav1.Time` (RFC 3339, seconds). */
export function formatTime(ms: number): string {
  const second = Math.floor(ms / 1000);
  if (second !== lastFormatted.second) {
    lastFormatted.second = second;
    lastFormatted.text = new Date(second * 1000).toISOString().replace('.000Z', 'Z');
  }
  return lastFormatted.text;
}

/** The last second {@link formatTime} formatted (objects are mostly written in the same second as the one before). */
const lastFormatted = { second: Number.NaN, text: '' };

/** Kubernetes `metav1.MicroTime` (RFC 3339 with six fraction digits). */
export function formatMicroTime(ms: number): string {
  return `${formatTime(ms).slice(0, -1)}.${String(Math.floor(ms) - Math.floor(ms / 1000) * 1000).padStart(3, '0')}000Z`;
}

/** Storage key of an object: `namespace/name`. */
export function objectKey(namespace: string, name: string): string {
  return `${namespace}/${name}`;
}

/**
 * In-memory versioned object store: one global resourceVersion counter, one map per storage,
 * and a bounded change history. Objects handed in are cloned; objects handed out must not be mutated.
 */
export class ObjectStore {
  private rv = 0;
  /** All changes with rv > compactedRv are in `history`. */
  private compactedRv = 0;
  private readonly maps = new Map<string, Map<string, KubeObject>>();
  private history: StoreChange[] = [];
  private historyStart = 0;
  private readonly listeners = new Set<ChangeListener>();
  private readonly snapshots: { storage: string; rv: number; items: Array<[string, KubeObject]> }[] = [];
  private readonly historySize: number;
  private readonly clock: Clock;
  private readonly uidFactory: () => string;
  private readonly copy: <T>(value: T) => T;

  constructor(options: ObjectStoreOptions = {}) {
    this.historySize = Math.max(1, options.historySize ?? 10_000);
    this.copy = options.copyInputs === false ? (value) => value : (value) => structuredClone(value);
    this.clock = options.clock ?? systemClock;
    this.uidFactory = options.uidFactory ?? randomUUID;
  }

  /** The latest resourceVersion (as the number behind the opaque string). */
  currentRv(): number {
    return this.rv;
  }

  /** The oldest resourceVersion a watch or continue token may still start from. */
  oldestRv(): number {
    return this.compactedRv;
  }

  /** Number of objects in one storage. */
  count(storage: string): number {
    return this.maps.get(storage)?.size ?? 0;
  }

  /** One object, or undefined. */
  get(storage: string, namespace: string, name: string): KubeObject | undefined {
    return this.maps.get(storage)?.get(objectKey(namespace, name));
  }

  /** Current objects of a storage (optionally one namespace), sorted by key like etcd. */
  list(storage: string, namespace?: string): KubeObject[] {
    return this.sortedAt(storage, this.rv)!
      .filter(([k]) => namespace === undefined || k.startsWith(`${namespace}/`))
      .map(([, o]) => o);
  }

  /**
   * Objects of a storage as they were at `rv`, sorted by key, as `[key, object]` pairs;
   * undefined when `rv` is older than the retained history (410 Gone).
   */
  sortedAt(storage: string, rv: number): Array<[string, KubeObject]> | undefined {
    if (rv < this.compactedRv || rv > this.rv) return undefined;
    const cached = this.snapshots.find((s) => s.storage === storage && s.rv === rv);
    if (cached) return cached.items;
    const state = new Map(this.maps.get(storage) ?? []);
    for (let i = this.history.length - 1; i >= this.historyStart; i--) {
      const c = this.history[i]!;
      if (c.rv <= rv) break;
      if (c.storage !== storage) continue;
      if (c.type === 'ADDED') state.delete(c.key);
      else if (c.previous) state.set(c.key, c.previous);
    }
    const items = [...state.entries()].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    this.snapshots.push({ storage, rv, items });
    if (this.snapshots.length > SNAPSHOT_CACHE_SIZE) this.snapshots.shift();
    return items;
  }

  /** Changes after `rv` in order, or undefined when `rv` is older than the retained history. */
  changesAfter(rv: number): StoreChange[] | undefined {
    if (rv < this.compactedRv) return undefined;
    const out: StoreChange[] = [];
    let i = this.history.length - 1;
    while (i >= this.historyStart && this.history[i]!.rv > rv) i--;
    for (let j = i + 1; j < this.history.length; j++) out.push(this.history[j]!);
    return out;
  }

  /** Creates an object: assigns uid, creationTimestamp, resourceVersion. Throws StoreError AlreadyExists. */
  create(storage: string, input: KubeObject): KubeObject {
    const obj = this.copy(input);
    const meta = ensureMeta(obj);
    const key = objectKey(namespaceOf(obj), nameOf(obj));
    const map = this.mapOf(storage);
    if (map.has(key)) throw new StoreError('AlreadyExists', `${storage} "${nameOf(obj)}" already exists`);
    meta['uid'] = typeof meta['uid'] === 'string' && meta['uid'] !== '' ? meta['uid'] : this.uidFactory();
    if (typeof meta['creationTimestamp'] !== 'string') meta['creationTimestamp'] = formatTime(this.clock.now());
    return this.commit('ADDED', storage, key, obj, undefined);
  }

  /**
   * Replaces an object. When `obj.metadata.resourceVersion` is set it must equal the stored one
   * (else StoreError Conflict). Keeps uid and creationTimestamp. Throws NotFound when absent.
   */
  update(storage: string, input: KubeObject): KubeObject {
    const obj = this.copy(input);
    const meta = ensureMeta(obj);
    const key = objectKey(namespaceOf(obj), nameOf(obj));
    const previous = this.mapOf(storage).get(key);
    if (!previous) throw new StoreError('NotFound', `${storage} "${nameOf(obj)}" not found`);
    const prevMeta = metaOf(previous);
    const wanted = meta['resourceVersion'];
    if (typeof wanted === 'string' && wanted !== '' && wanted !== prevMeta['resourceVersion']) {
      throw new StoreError(
        'Conflict',
        `Operation cannot be fulfilled on ${storage} "${nameOf(obj)}": the object has been modified; please apply your changes to the latest version and try again`,
      );
    }
    meta['uid'] = prevMeta['uid'];
    meta['creationTimestamp'] = prevMeta['creationTimestamp'];
    return this.commit('MODIFIED', storage, key, obj, previous);
  }

  /** Deletes an object and returns its last state (carrying the deletion rv). Throws NotFound. */
  delete(storage: string, namespace: string, name: string): KubeObject {
    const key = objectKey(namespace, name);
    const previous = this.mapOf(storage).get(key);
    if (!previous) throw new StoreError('NotFound', `${storage} "${name}" not found`);
    return this.commit('DELETED', storage, key, structuredClone(previous), previous);
  }

  /**
   * Stores an object as given, bypassing every check (tests of malformed input). Missing
   * metadata/name get filled only as far as needed to key it. Creates or replaces.
   */
  putRaw(storage: string, input: KubeObject, mark?: (stored: KubeObject) => void): KubeObject {
    const obj = structuredClone(input);
    // Marked before the change reaches watchers, so they serve it verbatim too.
    mark?.(obj);
    const meta = ensureMeta(obj);
    if (typeof meta['name'] !== 'string' || meta['name'] === '') meta['name'] = `raw-${this.rv + 1}`;
    if (typeof meta['uid'] !== 'string') meta['uid'] = this.uidFactory();
    const key = objectKey(namespaceOf(obj), nameOf(obj));
    const previous = this.mapOf(storage).get(key);
    return this.commit(previous ? 'MODIFIED' : 'ADDED', storage, key, obj, previous);
  }

  /**
   * Drops the whole history: every resourceVersion and continue token handed out so far now gives
   * 410 Gone (even the latest one, so a caught-up watcher is forced to relist). The counter moves
   * on by one so that a list made after compaction has a resourceVersion a watch can start from.
   */
  compact(): void {
    this.rv += 1;
    this.compactedRv = this.rv;
    this.history = [];
    this.historyStart = 0;
    this.snapshots.length = 0;
  }

  /** Registers a listener of every later write; returns the unsubscribe function. */
  subscribe(listener: ChangeListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private mapOf(storage: string): Map<string, KubeObject> {
    let m = this.maps.get(storage);
    if (!m) {
      m = new Map();
      this.maps.set(storage, m);
    }
    return m;
  }

  private commit(type: ChangeType, storage: string, key: string, obj: KubeObject, previous: KubeObject | undefined): KubeObject {
    this.rv += 1;
    ensureMeta(obj)['resourceVersion'] = String(this.rv);
    const map = this.mapOf(storage);
    if (type === 'DELETED') map.delete(key);
    else map.set(key, obj);
    const change: StoreChange = previous ? { rv: this.rv, type, storage, key, object: obj, previous } : { rv: this.rv, type, storage, key, object: obj };
    this.history.push(change);
    if (this.history.length - this.historyStart > this.historySize) {
      this.compactedRv = this.history[this.historyStart]!.rv;
      this.historyStart += 1;
      if (this.historyStart > 4096 && this.historyStart * 2 > this.history.length) {
        this.history = this.history.slice(this.historyStart);
        this.historyStart = 0;
      }
    }
    for (let i = this.snapshots.length - 1; i >= 0; i--) if (this.snapshots[i]!.rv < this.compactedRv) this.snapshots.splice(i, 1);
    for (const l of this.listeners) l(change);
    return obj;
  }
}

function ensureMeta(obj: KubeObject): Record<string, unknown> {
  const m = obj['metadata'];
  if (m !== null && typeof m === 'object') return m as Record<string, unknown>;
  const created: Record<string, unknown> = {};
  obj['metadata'] = created;
  return created;
}
