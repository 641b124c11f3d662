import type { EventRecord, KEvent } from '../model/event.js';
import type { Clock } from '../model/time.js';
import type { Metrics } from '../observe/metrics.js';
import { KeyedSlots } from '../model/keyed-slots.js';
import type { DeliveryConfig } from './config.js';

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

// Per-Event (uid) memory of what was delivered: numeric fields of a KeyedSlots slot, no object
// per uid.
/** Highest count delivered (or seeded from a checkpoint). */
const COUNT = 0;
/** Hash of the delivered note; NaN when seeded (the note is unknown). */
const NOTE_HASH = 1;
/** Event time of the last delivery; -Infinity when seeded. */
const DELIVERED_EVENT_MS = 2;
/** Wall-clock time of the last delivery; -Infinity when seeded. */
const DELIVERED_WALL_MS = 3;
/** Wall-clock time this uid was last offered (TTL). */
const SEEN_WALL_MS = 4;
/** {@link COUNT} before the last delivery (NaN: none before it, or seeded). */
const PRIOR_COUNT = 5;
/** {@link DELIVERED_EVENT_MS} before the last delivery (NaN: none; -Infinity: seeded). */
const PRIOR_EVENT_MS = 6;
const FIELDS = 7;

/** The latest update of a uid waiting for its throttle interval. */
interface Held {
  event: KEvent;
  noteHash: number;
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
export class DeliveryGate {
  /** Entries in least-recently-offered-first order. */
  private readonly entries: KeyedSlots;
  /** Held updates by uid, in the order each uid was first held. */
  private readonly held = new Map<string, Held>();
  /** Held updates of forgotten uids, returned by the next `due()`. */
  private released: KEvent[] = [];
  private streamEventMs = Number.NEGATIVE_INFINITY;
  private nextDueEventMs = Number.POSITIVE_INFINITY;
  private nextDueWallMs = Number.POSITIVE_INFINITY;
  private readonly throttleMs: number;
  private readonly maxEntries: number;
  private readonly ttlMs: number;
  /** Wall time before which {@link expire} has nothing to do. */
  private nextExpireWallMs = Number.NEGATIVE_INFINITY;

  constructor(
    config: Pick<DeliveryConfig, 'seriesThrottleMillis' | 'dedupeMaxEntries' | 'dedupeTtlMillis'>,
    private readonly deps: DeliveryGateDeps,
  ) {
    this.throttleMs = config.seriesThrottleMillis;
    this.maxEntries = config.dedupeMaxEntries;
    this.entries = new KeyedSlots(FIELDS, 64, this.maxEntries + 1);
    this.ttlMs = config.dedupeTtlMillis;
  }

  /** Decides what to do with one delivered Event; never throws. */
  offer(event: KEvent): GateDecision {
    const now = this.deps.clock.now();
    this.expire(now);
    if (event.timeMs > this.streamEventMs) this.streamEventMs = event.timeMs;
    const noteHash = hashNote(event.note);
    const entries = this.entries;
    const slot = entries.slotOf(event.uid);
    if (slot < 0) {
      const added = entries.add(event.uid);
      entries.set(added, COUNT, event.count);
      entries.set(added, NOTE_HASH, noteHash);
      entries.set(added, DELIVERED_EVENT_MS, event.timeMs);
      entries.set(added, DELIVERED_WALL_MS, now);
      entries.set(added, SEEN_WALL_MS, now);
      entries.set(added, PRIOR_COUNT, Number.NaN);
      entries.set(added, PRIOR_EVENT_MS, Number.NaN);
      this.evictOverflow();
      return 'deliver';
    }
    entries.set(slot, SEEN_WALL_MS, now);
    entries.touch(slot);

    const count = entries.get(slot, COUNT);
    const held = this.held.size > 0 ? this.held.get(event.uid) : undefined;
    if (event.count < count) return this.duplicate('already_exported');
    if (event.count === count) {
      const delivered = entries.get(slot, NOTE_HASH);
      if (Number.isNaN(delivered) || delivered === noteHash) return this.duplicate('already_exported');
      // A changed note at the same count: delivered, unless a newer update is already held.
      if (held) return this.duplicate('coalesced');
      this.markDelivered(slot, event, noteHash, now);
      return 'deliver';
    }

    if (held && (event.count < held.event.count || (event.count === held.event.count && held.noteHash === noteHash))) {
      return this.duplicate('coalesced');
    }
    const deliveredEventMs = entries.get(slot, DELIVERED_EVENT_MS);
    if (this.throttleMs === 0 || event.timeMs - deliveredEventMs >= this.throttleMs) {
      if (held) this.clearHeld(event.uid, true);
      this.markDelivered(slot, event, noteHash, now);
      return 'deliver';
    }
    if (held) {
      this.deps.metrics?.eventsDeduplicated.inc({ reason: 'coalesced' });
      held.event = event;
      held.noteHash = noteHash;
    } else {
      this.held.set(event.uid, { event, noteHash });
    }
    this.nextDueEventMs = Math.min(this.nextDueEventMs, deliveredEventMs + this.throttleMs);
    this.nextDueWallMs = Math.min(this.nextDueWallMs, entries.get(slot, DELIVERED_WALL_MS) + this.throttleMs);
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
    const entries = this.entries;
    for (const [uid, held] of this.held) {
      const slot = entries.slotOf(uid);
      if (slot < 0) {
        this.held.delete(uid);
        continue;
      }
      const dueEventMs = entries.get(slot, DELIVERED_EVENT_MS) + this.throttleMs;
      const dueWallMs = entries.get(slot, DELIVERED_WALL_MS) + this.throttleMs;
      if (this.streamEventMs >= dueEventMs || now >= dueWallMs) {
        out.push(this.release(uid, slot, held, now));
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
    for (const [uid, held] of this.held) {
      const slot = this.entries.slotOf(uid);
      if (slot >= 0) out.push(this.release(uid, slot, held, now));
    }
    this.held.clear();
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
    const entries = this.entries;
    // Known uids first (their count only), then the new ones in order (a uid listed twice keeps
    // its first place and the larger count), evicting after each add: the columns hold at most
    // the bound + 1, and what is left is what adding all and evicting the oldest at the end leaves.
    const added = new Map<string, number>();
    for (const [uid, count] of exported) {
      const slot = entries.slotOf(uid);
      if (slot >= 0) {
        if (count > entries.get(slot, COUNT)) entries.set(slot, COUNT, count);
      } else {
        added.set(uid, Math.max(count, added.get(uid) ?? count));
      }
    }
    for (const [uid, count] of added) {
      const slot = entries.add(uid);
      entries.set(slot, COUNT, count);
      entries.set(slot, NOTE_HASH, Number.NaN);
      entries.set(slot, DELIVERED_EVENT_MS, SEEDED);
      entries.set(slot, DELIVERED_WALL_MS, SEEDED);
      entries.set(slot, SEEN_WALL_MS, now);
      entries.set(slot, PRIOR_COUNT, Number.NaN);
      entries.set(slot, PRIOR_EVENT_MS, Number.NaN);
      this.evictOverflow();
    }
  }

  /**
   * Writes into `record` what was delivered of its Event's uid before this delivery (call it when
   * the record of a delivered or released Event is made, before the uid is offered again): the
   * highest count (`priorCount`, NaN when the uid was new or is forgotten) and that delivery's event
   * time (`priorTimeMs`, -Infinity when it came from a checkpoint). Frequency escalation and the
   * pattern detector read it, so neither keeps a table of uids of its own.
   */
  notePrior(record: EventRecord): void {
    const entries = this.entries;
    const slot = entries.slotOf(record.event.uid);
    record.priorCount = slot < 0 ? Number.NaN : entries.get(slot, PRIOR_COUNT);
    record.priorTimeMs = slot < 0 ? Number.NaN : entries.get(slot, PRIOR_EVENT_MS);
  }

  /** Number of uids remembered. */
  size(): number {
    return this.entries.size;
  }

  /** Number of updates currently held. */
  heldCount(): number {
    return this.held.size + this.released.length;
  }

  private duplicate(reason: 'already_exported' | 'coalesced'): GateDecision {
    this.deps.metrics?.eventsDeduplicated.inc({ reason });
    return 'duplicate';
  }

  private markDelivered(slot: number, event: KEvent, noteHash: number, now: number): void {
    const entries = this.entries;
    entries.set(slot, PRIOR_COUNT, entries.get(slot, COUNT));
    entries.set(slot, PRIOR_EVENT_MS, entries.get(slot, DELIVERED_EVENT_MS));
    entries.set(slot, COUNT, event.count);
    entries.set(slot, NOTE_HASH, noteHash);
    entries.set(slot, DELIVERED_EVENT_MS, event.timeMs);
    entries.set(slot, DELIVERED_WALL_MS, now);
  }

  private release(uid: string, slot: number, held: Held, now: number): KEvent {
    this.markDelivered(slot, held.event, held.noteHash, now);
    this.clearHeld(uid, false);
    return held.event;
  }

  private clearHeld(uid: string, superseded: boolean): void {
    if (superseded) this.deps.metrics?.eventsDeduplicated.inc({ reason: 'coalesced' });
    this.held.delete(uid);
  }

  /** Forgets uids not offered for the TTL; runs at most every TTL/10 (≤ 1 s), so a uid is forgotten up to that much late. */
  private expire(now: number): void {
    if (now < this.nextExpireWallMs) return;
    this.nextExpireWallMs = now + Math.min(1000, this.ttlMs / 10);
    const entries = this.entries;
    for (let slot = entries.oldest(); slot >= 0; slot = entries.oldest()) {
      if (now - entries.get(slot, SEEN_WALL_MS) < this.ttlMs) break;
      this.forget(slot);
    }
  }

  private evictOverflow(): void {
    const entries = this.entries;
    while (entries.size > this.maxEntries) this.forget(entries.oldest());
  }

  private forget(slot: number): void {
    const uid = this.entries.keyOf(slot);
    this.entries.remove(slot);
    const held = this.held.size > 0 ? this.held.get(uid) : undefined;
    if (held) {
      this.released.push(held.event);
      this.held.delete(uid);
    }
  }
}

/** FNV-1a (32-bit) of a note: enough to notice a changed note without keeping the text. */
export function hashNote(note: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < note.length; i++) {
    h ^= note.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}
