import type { KEvent, SourceApi } from '../model/event.js';
import { KeyedSlots } from '../model/keyed-slots.js';
import type { Clock } from '../model/time.js';
import type { Logger } from '../observe/logger.js';
import { type Checkpoint, PairColumns, type PiecewiseCheckpoint } from './checkpoint.js';
import { wholeCheckpoint } from './checkpoint-codec.js';

export { Checkpointer, type CheckpointerOptions } from './checkpointer.js';

/**
 * Where a delivered record came from, for the resume point:
 * - `watch`, `added`, `modified` (the source's watch origins; `watch` is the default): its
 *   resourceVersion is a valid resume point.
 * - `list`: an item of a (re)list; items come in key order, not resourceVersion order, so an
 *   item's resourceVersion is not a resume point (resuming from it could skip items listed after
 *   it). Call {@link CheckpointTracker.position} with the list's resourceVersion when the list is
 *   complete, or with a BOOKMARK's; else the next watch record moves the resume point.
 * - `release`: a held update released later; its resourceVersion is behind the stream.
 *   Detected on its own when the gate reports holds ({@link CheckpointTracker.held}).
 */
export type RecordOrigin = 'watch' | 'added' | 'modified' | 'list' | 'release';

/** Options of a {@link CheckpointTracker}. */
export interface CheckpointTrackerOptions {
  /** Most (uid, count) pairs kept for `exported`, the newest kept. Default 100000 (`delivery.dedupeMaxEntries`). */
  maxExported?: number;
  /**
   * A pair acknowledged longer ago than this (wall clock) leaves `exported`: the API server has
   * deleted that Event by then, so no list can bring it back. Milliseconds; default 7200000
   * (2 h; `delivery.dedupeTtlMillis`).
   */
  exportedTtlMillis?: number;
  /**
   * Most records and held updates waiting for their outcome. Past it the tracker stops moving the
   * resume point (warned once; at-least-once is kept, a restart reads again). Default 100000
   * (about 230 bytes each: at most about 25 MB).
   */
  maxPending?: number;
  /** The checkpoint loaded at start: its resume point stands until a newer one, its `exported` is kept. */
  initial?: Checkpoint;
  /** Wall clock for `savedAtMs`. */
  clock: Clock;
  logger?: Logger;
}

/** Fields of an `exported` slot. */
const EXPORTED_COUNT = 0;
const EXPORTED_ACKED_MS = 1;

/** One position in delivery order. */
interface Slot {
  kind: 'record' | 'held' | 'position';
  state: 'pending' | 'ok';
  /** Resume point once this slot and all before it are settled OK. */
  resumeRv?: string;
  api?: SourceApi;
  uid?: string;
  count?: number;
  /** For `held`: the held event, so its release is recognized by identity. */
  event?: KEvent;
}

/**
 * Follows each exported record to its acknowledgement and computes the checkpoint: the
 * resourceVersion of the newest record such that it and every record delivered before it were
 * acknowledged, and the (uid, count) of acknowledged records.
 *
 * A failed batch holds the resume point where it is for the rest of the run (warned once): a
 * restart reads those Events again, and the gate, seeded with `exported`, drops the ones that
 * did get through. An update held by the gate also holds the resume point back (when the gate
 * is wired to {@link held}) until the record that carries its count is acknowledged.
 */
export class CheckpointTracker {
  private readonly queue: Slot[] = [];
  private head = 0;
  private readonly bySeq = new Map<number, Slot>();
  /** Held updates (barriers) by uid, not yet carried by an acknowledged record. */
  private readonly heldByUid = new Map<string, Slot[]>();
  /** uid → count (field {@link EXPORTED_COUNT}) and wall-clock ack time ({@link EXPORTED_ACKED_MS}), in ack order (oldest first). */
  private readonly exported: KeyedSlots;
  private resourceVersion: string | undefined;
  private api: SourceApi | undefined;
  private frozen: 'failed' | 'overflow' | undefined;
  private revisionCounter = 0;
  private readonly maxExported: number;
  private readonly maxPending: number;
  private readonly exportedTtlMs: number;
  /**
   * Pairs acknowledged since the last durable save, in ack order, for a store that appends
   * ({@link changes}): `changedUids[i]` has change number `changedFrom + i`.
   */
  private changedUids: string[] = [];
  private changedCounts: number[] = [];
  private changedFrom = 0;
  /** Number of the next change. */
  private changeSerial = 0;
  /** Changes before this number were not kept (more than `maxExported` unsaved): only a whole save covers them. */
  private unknownBefore = 0;
  /** Changes before this number are saved. */
  private savedBefore = 0;

  constructor(private readonly options: CheckpointTrackerOptions) {
    this.maxExported = options.maxExported ?? 100_000;
    this.exported = new KeyedSlots(2, 64, this.maxExported + 1);
    this.maxPending = options.maxPending ?? 100_000;
    this.exportedTtlMs = options.exportedTtlMillis ?? 7_200_000;
    const initial = options.initial;
    if (initial) {
      this.resourceVersion = initial.resourceVersion;
      this.api = initial.api;
      // acknowledged at the latest when that checkpoint was saved
      for (const [uid, count] of initial.exported) this.remember(uid, count, initial.savedAtMs);
    }
  }

  /** A record handed to the exporter, in `seq` order. */
  delivered(seq: number, event: KEvent, origin: RecordOrigin = 'watch'): void {
    const resumes = origin !== 'list' && origin !== 'release' && event.resourceVersion !== '' && !this.isRelease(event);
    // every field in the literal: one object shape for all record slots
    const slot: Slot = { kind: 'record', state: 'pending', resumeRv: resumes ? event.resourceVersion : undefined, api: event.sourceApi, uid: event.uid, count: event.count };
    if (this.bySeq.size >= this.maxPending) {
      // never acknowledged (an exporter bug): forget the oldest so memory stays bounded
      this.freeze('overflow');
      const oldest = this.bySeq.keys().next();
      if (!oldest.done) this.bySeq.delete(oldest.value);
    }
    this.bySeq.set(seq, slot);
    this.push(slot);
  }

  /** An update the gate holds back: the resume point will not pass it until its count is acknowledged. */
  held(event: KEvent): void {
    if (this.frozen) return;
    const slot: Slot = { kind: 'held', state: 'pending', uid: event.uid, count: event.count, event };
    const list = this.heldByUid.get(event.uid);
    if (list) list.push(slot);
    else this.heldByUid.set(event.uid, [slot]);
    this.push(slot);
  }

  /**
   * A resume point not tied to a record (a completed list's resourceVersion, a watch BOOKMARK):
   * it takes effect once everything delivered before it is acknowledged.
   */
  position(resourceVersion: string, api?: SourceApi): void {
    this.push({ kind: 'position', state: 'ok', resumeRv: resourceVersion, ...(api ? { api } : {}) });
    this.advance();
  }

  /** Export outcome of records (by seq) from the exporter; unknown seqs are ignored. */
  settled(seqs: readonly number[], ok: boolean): void {
    // one acknowledgement time for the batch (a clock read per record was 7% of this method)
    const ackedMs = this.options.clock.now();
    for (const seq of seqs) {
      const slot = this.bySeq.get(seq);
      if (!slot) continue;
      this.bySeq.delete(seq);
      if (!ok) {
        this.freeze('failed');
        continue;
      }
      slot.state = 'ok';
      if (slot.uid !== undefined && slot.count !== undefined) {
        this.remember(slot.uid, slot.count, ackedMs);
        this.changed(slot.uid, slot.count);
        this.resolveHeld(slot.uid, slot.count);
      }
    }
    this.revisionCounter++;
    this.advance();
  }

  /** The checkpoint to save, or undefined before any resume point is known. */
  snapshot(): Checkpoint | undefined {
    const columns = this.snapshotColumns();
    return columns && wholeCheckpoint(columns);
  }

  /** {@link snapshot} with `exported` as columns (uids, counts), for a store that reads it a piece at a time. */
  snapshotColumns(): (PiecewiseCheckpoint & { exported: PairColumns }) | undefined {
    if (this.resourceVersion === undefined) return undefined;
    const now = this.options.clock.now();
    this.expireExported(now);
    return {
      version: 1,
      ...(this.api ? { api: this.api } : {}),
      resourceVersion: this.resourceVersion,
      exported: this.exportedColumns(),
      savedAtMs: now,
    };
  }

  /**
   * Number of the next change: pass it to {@link saved} once a {@link snapshot} or
   * {@link changes} taken with it is durable.
   */
  changeMark(): number {
    return this.changeSerial;
  }

  /**
   * The checkpoint's changes since the last {@link saved}: its current resume point and only the
   * (uid, count) pairs acknowledged since, oldest first, as columns; what an appending store writes. Undefined
   * before any resume point is known, or when more changes than `maxExported` piled up unsaved
   * (a whole {@link snapshot} is needed then).
   */
  changes(): (PiecewiseCheckpoint & { exported: PairColumns }) | undefined {
    if (this.resourceVersion === undefined || this.unknownBefore > this.savedBefore) return undefined;
    return {
      version: 1,
      ...(this.api ? { api: this.api } : {}),
      resourceVersion: this.resourceVersion,
      // copies of the columns: more changes come while the line is written
      exported: new PairColumns(this.changedUids.slice(), this.changedCounts.slice()),
      savedAtMs: this.options.clock.now(),
    };
  }

  /** A {@link snapshot} or {@link changes} taken at `mark` ({@link changeMark}) is durable: changes before it are forgotten. */
  saved(mark: number): void {
    if (mark <= this.savedBefore) return;
    this.savedBefore = mark;
    const drop = Math.min(mark - this.changedFrom, this.changedUids.length);
    if (drop <= 0) return;
    this.changedUids.splice(0, drop);
    this.changedCounts.splice(0, drop);
    this.changedFrom += drop;
  }

  /** Records and held updates whose outcome is not known yet. */
  pending(): number {
    return this.bySeq.size + (this.frozen ? 0 : this.countHeld());
  }

  /** Increases whenever the snapshot may have changed (the Checkpointer saves only then). */
  revision(): number {
    return this.revisionCounter;
  }

  /** Why the resume point stopped moving, if it did: `failed` (an export failed) or `overflow`. */
  frozenReason(): 'failed' | 'overflow' | undefined {
    return this.frozen;
  }

  private push(slot: Slot): void {
    if (this.frozen) return;
    if (this.queue.length - this.head >= this.maxPending) {
      this.freeze('overflow');
      return;
    }
    this.queue.push(slot);
  }

  private isRelease(event: KEvent): boolean {
    if (this.heldByUid.size === 0) return false;
    const list = this.heldByUid.get(event.uid);
    return list !== undefined && list.some((s) => s.event === event);
  }

  private resolveHeld(uid: string, count: number): void {
    if (this.heldByUid.size === 0) return;
    const list = this.heldByUid.get(uid);
    if (!list) return;
    const rest = list.filter((s) => {
      if ((s.count ?? 0) > count) return true;
      s.state = 'ok';
      return false;
    });
    if (rest.length) this.heldByUid.set(uid, rest);
    else this.heldByUid.delete(uid);
  }

  private advance(): void {
    if (this.frozen) return;
    const before = this.resourceVersion;
    while (this.head < this.queue.length) {
      const slot = this.queue[this.head] as Slot;
      if (slot.state !== 'ok') break;
      if (slot.resumeRv !== undefined) {
        this.resourceVersion = slot.resumeRv;
        if (slot.api) this.api = slot.api;
      }
      this.head++;
    }
    if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue.splice(0, this.head);
      this.head = 0;
    }
    if (this.resourceVersion !== before) this.revisionCounter++;
  }

  private freeze(reason: 'failed' | 'overflow'): void {
    if (this.frozen) return;
    this.frozen = reason;
    this.queue.length = 0;
    this.head = 0;
    this.heldByUid.clear();
    this.options.logger?.warn(
      { reason, resourceVersion: this.resourceVersion },
      reason === 'failed'
        ? 'an export batch failed: the checkpoint stays at the last fully acknowledged resourceVersion until restart, so those Events are read again then'
        : `more than ${this.maxPending} records wait for acknowledgement: the checkpoint stops moving until restart (nothing is lost; a restart reads again)`,
    );
  }

  private remember(uid: string, count: number, ackedMs: number): void {
    const exported = this.exported;
    let slot = exported.slotOf(uid);
    if (slot >= 0) {
      if (count > exported.get(slot, EXPORTED_COUNT)) exported.set(slot, EXPORTED_COUNT, count);
      exported.touch(slot);
    } else {
      slot = exported.add(uid);
      exported.set(slot, EXPORTED_COUNT, count);
    }
    exported.set(slot, EXPORTED_ACKED_MS, ackedMs);
    if (exported.size > this.maxExported) exported.remove(exported.oldest());
  }

  private changed(uid: string, count: number): void {
    if (this.changedUids.length >= this.maxExported) {
      // unsaved for so long that a whole snapshot is cheaper than these changes
      this.changedUids = [];
      this.changedCounts = [];
      this.unknownBefore = this.changeSerial + 1;
      this.changedFrom = this.changeSerial + 1;
    } else {
      this.changedUids.push(uid);
      this.changedCounts.push(count);
    }
    this.changeSerial++;
  }

  private expireExported(now: number): void {
    const exported = this.exported;
    for (let slot = exported.oldest(); slot >= 0; slot = exported.oldest()) {
      if (now - exported.get(slot, EXPORTED_ACKED_MS) < this.exportedTtlMs) break;
      exported.remove(slot);
    }
  }

  /** `exported` as uid and count columns, oldest first (copies: the tracker goes on while a save is written). */
  private exportedColumns(): PairColumns {
    const exported = this.exported;
    const uids: string[] = new Array(exported.size);
    const counts: number[] = new Array(exported.size);
    let i = 0;
    for (let slot = exported.oldest(); slot >= 0; slot = exported.newer(slot)) {
      uids[i] = exported.keyOf(slot);
      counts[i++] = exported.get(slot, EXPORTED_COUNT);
    }
    return new PairColumns(uids, counts);
  }

  private countHeld(): number {
    let n = 0;
    for (const list of this.heldByUid.values()) n += list.length;
    return n;
  }
}
