/**
 * Reference model: the Map-based implementation the slot-based one (src/model/keyed-slots.ts)
 * replaced, unchanged but for its name, kept so test/delivery/slots-equivalence.test.ts can check
 * that the new one decides and checkpoints exactly the same.
 */
import type { KEvent } from '../../../src/model/event.js';
import type { Clock } from '../../../src/model/time.js';
import type { Metrics } from '../../../src/observe/metrics.js';
import type { DeliveryConfig } from '../../../src/delivery/config.js';

/** What the pipeline does with an offered Event. */
export type GateDecision = 'deliver' | 'duplicate' | 'held';

/** Injected services of a {@link DeliveryGate}. */
export interface DeliveryGateDeps {
  /** Wall clock: idle release of held updates (`due()`) and the dedupe TTL. */
  clock: Clock;
  /** `eventsDeduplicated{reason="already_exported"|"coalesced"}` are counted here. */
  metrics?: Metrics;
  /**
   * Called when an update is held (and again for each newer one that replaces it). The
   * {@link CheckpointTracker} uses it (`tracker.held`) so the checkpoint does not pass a held update.
   */
  onHeld?: (event: KEvent) => void;
}

/** Per-Event (uid) memory of what was delivered. */
interface Entry {
  /** Highest count delivered (or seeded from a checkpoint). */
  count: number;
  /** Hash of the delivered note; undefined when seeded (the note is unknown). */
  noteHash: number | undefined;
  /** Event time of the last delivery; -Infinity when seeded. */
  deliveredEventMs: number;
  /** Wall-clock time of the last delivery; -Infinity when seeded. */
  deliveredWallMs: number;
  /** Wall-clock time this uid was last offered (TTL). */
  seenWallMs: number;
  /** The latest update waiting for its throttle interval. */
  held?: KEvent;
  heldNoteHash?: number;
}

const SEEDED = Number.NEGATIVE_INFINITY;

/**
 * Decides, per delivered Event, whether it is exported now, is a repeat of what was already
 * exported, or is a series update held back by the per-Event throttle.
 *
 * - A uid with a count at or below the count already delivered is a `duplicate`
 *   (`already_exported`): relists and restarts (after {@link seed}) do not export again.
 *   The same count with a changed note is delivered.
 * - A higher count within `seriesThrottleMillis` of that uid's last delivery is `held`; only the
 *   latest is kept (each superseded one counts `coalesced`), so the record finally exported
 *   carries the whole count. Nothing held is dropped: it is delivered directly when a newer
 *   update arrives past the interval, or returned by {@link due} / {@link drain}.
 * - Time: the throttle decision in `offer` uses event time (`KEvent.timeMs`), so replays decide
 *   the same way as the live run. `due()` releases a held update when the stream's event time
 *   (newest `timeMs` offered) has passed the interval, or, so updates are not stuck when the
 *   stream goes quiet, when the wall clock has passed it since that uid's last delivery.
 * - Bounded: at most `dedupeMaxEntries` uids (least recently offered forgotten first) and none
 *   older than `dedupeTtlMillis` since last offered (wall clock; checked at most every tenth of
 *   it, capped at 1 s). A forgotten uid's held update is
 *   returned by the next `due()`.
 *
 * Call `due()` after each `offer()` (cheap when nothing is due) and on a timer.
 */
export class MapDeliveryGate {
  /** Entries in least-recently-offered-first order (Map insertion order, re-inserted on touch). */
  private readonly entries = new Map<string, Entry>();
  /** uids with a held update, in the order they were first held. */
  private readonly heldUids = new Set<string>();
  /** Held updates of forgotten uids, returned by the next `due()`. */
  private released: KEvent[] = [];
  private streamEventMs = Number.NEGATIVE_INFINITY;
  private nextDueEventMs = Number.POSITIVE_INFINITY;
  private nextDueWallMs = Number.POSITIVE_INFINITY;
  private readonly throttleMs: number;
  private readonly maxEntries: number;
  private readonly ttlMs: number;
  /** Wall time before which {@link expire} has nothing to do (a pass per offer would walk an iterator per Event). */
  private nextExpireWallMs = Number.NEGATIVE_INFINITY;

  constructor(
    config: Pick<DeliveryConfig, 'seriesThrottleMillis' | 'dedupeMaxEntries' | 'dedupeTtlMillis'>,
    private readonly deps: DeliveryGateDeps,
  ) {
    this.throttleMs = config.seriesThrottleMillis;
    this.maxEntries = config.dedupeMaxEntries;
    this.ttlMs = config.dedupeTtlMillis;
  }

  /** Decides what to do with one delivered Event; never throws. */
  offer(event: KEvent): GateDecision {
    const now = this.deps.clock.now();
    this.expire(now);
    if (event.timeMs > this.streamEventMs) this.streamEventMs = event.timeMs;
    const noteHash = hashNote(event.note);
    const entry = this.entries.get(event.uid);
    if (!entry) {
      this.entries.set(event.uid, {
        count: event.count,
        noteHash,
        deliveredEventMs: event.timeMs,
        deliveredWallMs: now,
        seenWallMs: now,
      });
      this.evictOverflow();
      return 'deliver';
    }
    this.touch(event.uid, entry, now);

    if (event.count < entry.count) return this.duplicate('already_exported');
    if (event.count === entry.count) {
      if (entry.noteHash === undefined || entry.noteHash === noteHash) return this.duplicate('already_exported');
      // A changed note at the same count: delivered, unless a newer update is already held.
      if (entry.held) return this.duplicate('coalesced');
      this.markDelivered(entry, event, noteHash, now);
      return 'deliver';
    }

    const held = entry.held;
    if (held && (event.count < held.count || (event.count === held.count && entry.heldNoteHash === noteHash))) {
      return this.duplicate('coalesced');
    }
    if (this.throttleMs === 0 || event.timeMs - entry.deliveredEventMs >= this.throttleMs) {
      if (held) this.clearHeld(event.uid, entry, true);
      this.markDelivered(entry, event, noteHash, now);
      return 'deliver';
    }
    if (held) this.deps.metrics?.eventsDeduplicated.inc({ reason: 'coalesced' });
    entry.held = event;
    entry.heldNoteHash = noteHash;
    this.heldUids.add(event.uid);
    this.nextDueEventMs = Math.min(this.nextDueEventMs, entry.deliveredEventMs + this.throttleMs);
    this.nextDueWallMs = Math.min(this.nextDueWallMs, entry.deliveredWallMs + this.throttleMs);
    this.deps.onHeld?.(event);
    return 'held';
  }

  /** Held updates whose throttle interval has passed (event time or wall clock), to deliver now. */
  due(): KEvent[] {
    const now = this.deps.clock.now();
    this.expire(now);
    const out = this.released;
    this.released = [];
    if (this.streamEventMs < this.nextDueEventMs && now < this.nextDueWallMs) return out;
    let nextEvent = Number.POSITIVE_INFINITY;
    let nextWall = Number.POSITIVE_INFINITY;
    for (const uid of this.heldUids) {
      const entry = this.entries.get(uid);
      if (!entry?.held) {
        this.heldUids.delete(uid);
        continue;
      }
      const dueEventMs = entry.deliveredEventMs + this.throttleMs;
      const dueWallMs = entry.deliveredWallMs + this.throttleMs;
      if (this.streamEventMs >= dueEventMs || now >= dueWallMs) {
        out.push(this.release(uid, entry, now));
      } else {
        nextEvent = Math.min(nextEvent, dueEventMs);
        nextWall = Math.min(nextWall, dueWallMs);
      }
    }
    this.nextDueEventMs = nextEvent;
    this.nextDueWallMs = nextWall;
    return out;
  }

  /** Everything held (shutdown): returned once, then marked delivered. */
  drain(): KEvent[] {
    const now = this.deps.clock.now();
    const out = this.released;
    this.released = [];
    for (const uid of this.heldUids) {
      const entry = this.entries.get(uid);
      if (entry?.held) out.push(this.release(uid, entry, now));
    }
    this.heldUids.clear();
    this.nextDueEventMs = Number.POSITIVE_INFINITY;
    this.nextDueWallMs = Number.POSITIVE_INFINITY;
    return out;
  }

  /**
   * Remembers what an earlier run exported (from a checkpoint): these uids are duplicates up to
   * their count, and their next higher count is delivered at once (no throttle).
   */
  seed(exported: ReadonlyArray<readonly [uid: string, count: number]>): void {
    const now = this.deps.clock.now();
    for (const [uid, count] of exported) {
      const entry = this.entries.get(uid);
      if (entry) {
        if (count > entry.count) entry.count = count;
        continue;
      }
      this.entries.set(uid, { count, noteHash: undefined, deliveredEventMs: SEEDED, deliveredWallMs: SEEDED, seenWallMs: now });
    }
    this.evictOverflow();
  }

  /** Number of uids remembered. */
  size(): number {
    return this.entries.size;
  }

  /** Number of updates currently held. */
  heldCount(): number {
    return this.heldUids.size + this.released.length;
  }

  private duplicate(reason: 'already_exported' | 'coalesced'): GateDecision {
    this.deps.metrics?.eventsDeduplicated.inc({ reason });
    return 'duplicate';
  }

  private markDelivered(entry: Entry, event: KEvent, noteHash: number, now: number): void {
    entry.count = event.count;
    entry.noteHash = noteHash;
    entry.deliveredEventMs = event.timeMs;
    entry.deliveredWallMs = now;
  }

  private release(uid: string, entry: Entry, now: number): KEvent {
    const held = entry.held as KEvent;
    this.markDelivered(entry, held, entry.heldNoteHash ?? hashNote(held.note), now);
    this.clearHeld(uid, entry, false);
    return held;
  }

  private clearHeld(uid: string, entry: Entry, superseded: boolean): void {
    if (superseded) this.deps.metrics?.eventsDeduplicated.inc({ reason: 'coalesced' });
    entry.held = undefined;
    entry.heldNoteHash = undefined;
    this.heldUids.delete(uid);
  }

  private touch(uid: string, entry: Entry, now: number): void {
    entry.seenWallMs = now;
    this.entries.delete(uid);
    this.entries.set(uid, entry);
  }

  /** Forgets uids not offered for the TTL; runs at most every TTL/10 (≤ 1 s), so a uid is forgotten up to that much late. */
  private expire(now: number): void {
    if (now < this.nextExpireWallMs) return;
    this.nextExpireWallMs = now + Math.min(1000, this.ttlMs / 10);
    for (const [uid, entry] of this.entries) {
      if (now - entry.seenWallMs < this.ttlMs) break;
      this.forget(uid, entry);
    }
  }

  private evictOverflow(): void {
    if (this.entries.size <= this.maxEntries) return; // no iterator per offered Event
    for (const [uid, entry] of this.entries) {
      if (this.entries.size <= this.maxEntries) break;
      this.forget(uid, entry);
    }
  }

  private forget(uid: string, entry: Entry): void {
    this.entries.delete(uid);
    if (entry.held) {
      this.released.push(entry.held);
      this.heldUids.delete(uid);
    }
  }
}

/** FNV-1a (32-bit) of a note: enough to notice a changed note without keeping the text. */
function hashNote(note: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < note.length; i++) {
    h ^= note.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}
