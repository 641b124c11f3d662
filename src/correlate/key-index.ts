import type { Group } from './group.js';
import { KEY_PREFIXES } from './keys.js';

/** No slot (end of a list). */
const NONE = -1;
/** Flag bit of an identity key, above the kind (< 8) in `kinds`. */
const IDENTITY = 8;
/** Slots allocated first; the columns double from there up to `maxKeys`. */
const FIRST_CAPACITY = 1024;

/**
 * The correlator's keys. A key is its kind (index into KEY_PREFIXES) and its text without the
 * prefix (an Event's uid as is: no string built per record); it points at a group and matches
 * as an identity key (within the group's window) or an affinity key (within the window of its
 * own last registration). Keys live in numbered slots, a column per field (typed arrays, no
 * object per key, so the garbage collector has ~200,000 fewer objects to trace), with one Map
 * per kind from key to slot, one least-recently-used list over all keys (beyond `maxKeys` the
 * oldest is forgotten) and per group a list of the keys pointing at it (dropped with it). Same
 * keys, order and evictions as one lru-cache of `<prefix><key>` strings (test/correlate/golden.test.ts).
 */
export class KeyIndex {
  private readonly maps: Map<string, number>[] = KEY_PREFIXES.map(() => new Map<string, number>());
  /** Per slot: the key, its group, kind | IDENTITY, latest event time of a record that registered it for its group. */
  private readonly keyOf: (string | undefined)[] = [];
  private readonly groupOf: (Group | undefined)[] = [];
  private kinds = new Uint8Array(0);
  private lastTimes = new Float64Array(0);
  /** Per slot: neighbours in the recency list (newer: more recently used) and in its group's list. */
  private newer = new Int32Array(0);
  private older = new Int32Array(0);
  private prevInGroup = new Int32Array(0);
  /** Next key of the group, or of the free list for a free slot. */
  private nextInGroup = new Int32Array(0);
  private newest = NONE;
  private oldest = NONE;
  private freeSlots = NONE;
  /** Slots ever used (the next new one). */
  private used = 0;
  private count = 0;

  constructor(private readonly maxKeys: number) {}

  /** Number of keys held. */
  get size(): number {
    return this.count;
  }

  /** Slot of a key, or -1; the order stays as it is. */
  find(kind: number, key: string): number {
    return (this.maps[kind] as Map<string, number>).get(key) ?? NONE;
  }

  /** Group the key in `slot` points at. */
  groupAt(slot: number): Group {
    return this.groupOf[slot] as Group;
  }

  /** True for an identity key (Event, regarding object), which matches within its group's window. */
  isIdentity(slot: number): boolean {
    return ((this.kinds[slot] as number) & IDENTITY) !== 0;
  }

  /** Latest event time of a record that registered the (affinity) key in `slot` for its group. */
  lastTimeMsAt(slot: number): number {
    return this.lastTimes[slot] as number;
  }

  /** Points the key at `group` (moving it from another group if needed) and marks it most recently used; beyond `maxKeys` the least recently used key goes. */
  register(kind: number, key: string, group: Group, timeMs: number, identity: boolean): void {
    const map = this.maps[kind] as Map<string, number>;
    const slot = map.get(key);
    if (slot === undefined) {
      const added = this.allocate();
      map.set(key, added);
      this.keyOf[added] = key;
      this.kinds[added] = identity ? kind | IDENTITY : kind;
      this.lastTimes[added] = timeMs;
      this.count++;
      this.linkNewest(added);
      this.linkInGroup(added, group);
      while (this.count > this.maxKeys) this.remove(this.oldest);
      return;
    }
    if (slot !== this.newest) {
      this.unlink(slot);
      this.linkNewest(slot);
    }
    if (this.groupOf[slot] === group) {
      if (timeMs > (this.lastTimes[slot] as number)) this.lastTimes[slot] = timeMs;
      if (identity) this.kinds[slot] = kind | IDENTITY;
    } else {
      this.unlinkFromGroup(slot);
      this.linkInGroup(slot, group);
      this.lastTimes[slot] = timeMs;
      this.kinds[slot] = identity ? kind | IDENTITY : kind;
    }
  }

  /** Forgets every key pointing at `group`. */
  dropGroup(group: Group): void {
    for (let slot = group.keys; slot !== NONE; ) {
      const next = this.nextInGroup[slot] as number;
      this.release(slot);
      slot = next;
    }
    group.keys = NONE;
  }

  private remove(slot: number): void {
    this.unlinkFromGroup(slot);
    this.release(slot);
  }

  /** Takes the slot out of its map and the recency list and frees it (its group list is the caller's). */
  private release(slot: number): void {
    (this.maps[(this.kinds[slot] as number) & ~IDENTITY] as Map<string, number>).delete(this.keyOf[slot] as string);
    this.unlink(slot);
    this.keyOf[slot] = undefined;
    this.groupOf[slot] = undefined;
    this.count--;
    this.nextInGroup[slot] = this.freeSlots;
    this.freeSlots = slot;
  }

  private allocate(): number {
    if (this.freeSlots !== NONE) {
      const slot = this.freeSlots;
      this.freeSlots = this.nextInGroup[slot] as number;
      return slot;
    }
    if (this.used === this.kinds.length) this.grow();
    this.keyOf.push(undefined);
    this.groupOf.push(undefined);
    return this.used++;
  }

  private grow(): void {
    const capacity = Math.min(Math.max(FIRST_CAPACITY, this.kinds.length * 2), this.maxKeys + 1);
    const widen = <T extends Uint8Array | Int32Array | Float64Array>(old: T, make: (n: number) => T): T => {
      const next = make(capacity);
      next.set(old);
      return next;
    };
    this.kinds = widen(this.kinds, (n) => new Uint8Array(n));
    this.lastTimes = widen(this.lastTimes, (n) => new Float64Array(n));
    this.newer = widen(this.newer, (n) => new Int32Array(n));
    this.older = widen(this.older, (n) => new Int32Array(n));
    this.prevInGroup = widen(this.prevInGroup, (n) => new Int32Array(n));
    this.nextInGroup = widen(this.nextInGroup, (n) => new Int32Array(n));
  }

  private linkNewest(slot: number): void {
    this.older[slot] = this.newest;
    this.newer[slot] = NONE;
    if (this.newest !== NONE) this.newer[this.newest] = slot;
    else this.oldest = slot;
    this.newest = slot;
  }

  private unlink(slot: number): void {
    const newer = this.newer[slot] as number;
    const older = this.older[slot] as number;
    if (newer !== NONE) this.older[newer] = older;
    else this.newest = older;
    if (older !== NONE) this.newer[older] = newer;
    else this.oldest = newer;
  }

  private linkInGroup(slot: number, group: Group): void {
    this.groupOf[slot] = group;
    this.prevInGroup[slot] = NONE;
    this.nextInGroup[slot] = group.keys;
    if (group.keys !== NONE) this.prevInGroup[group.keys] = slot;
    group.keys = slot;
  }

  private unlinkFromGroup(slot: number): void {
    const prev = this.prevInGroup[slot] as number;
    const next = this.nextInGroup[slot] as number;
    if (prev !== NONE) this.nextInGroup[prev] = next;
    else (this.groupOf[slot] as Group).keys = next;
    if (next !== NONE) this.prevInGroup[next] = prev;
  }
}
