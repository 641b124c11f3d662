import type { Group } from './group.js';
import { SlotIndex } from '../model/slot-index.js';
import { NONE, SlotList } from '../model/slot-list.js';
import { KEY_PREFIXES } from './keys.js';
/** Flag bit of an identity key, above the kind (< 8) in `kinds`. */
const IDENTITY = 8;
/** Slots allocated first; the columns double from there up to `maxKeys` + 1. */
const FIRST_CAPACITY = 1024;

/**
 * The correlator's keys. A key is its kind (index into KEY_PREFIXES) and its text without the
 * prefix (an Event's uid as is: no string built per record); it points at a group and matches
 * as an identity key (within the group's window) or an affinity key (within the window of its
 * own last registration). Keys live in numbered slots, a column per field (typed arrays, no
 * object per key, so the garbage collector has ~200,000 fewer objects to trace), with one
 * {@link SlotIndex} per kind from key to slot, one least-recently-used {@link SlotList} over all keys (beyond `maxKeys` the
 * oldest is forgotten) and per group a list of the keys pointing at it (dropped with it). Same
 * keys, order and evictions as one lru-cache of `<prefix><key>` strings (test/correlate/golden.test.ts).
 */
export class KeyIndex {
  /** Per slot: the key, its group, kind | IDENTITY, latest event time of a record that registered it for its group. */
  private readonly keyOf: (string | undefined)[] = [];
  private readonly maps: SlotIndex[] = KEY_PREFIXES.map(() => new SlotIndex(this.keyOf));
  private readonly groupOf: (Group | undefined)[] = [];
  private kinds = new Uint8Array(0);
  private lastTimes = new Float64Array(0);
  /** Recency order over the slots (and their free list). */
  private readonly order: SlotList;
  /** Per slot: neighbours in its group's list. */
  private prevInGroup = new Int32Array(0);
  private nextInGroup = new Int32Array(0);
  private count = 0;

  constructor(private readonly maxKeys: number) {
    this.order = new SlotList(FIRST_CAPACITY, maxKeys + 1);
  }

  /** Number of keys held. */
  get size(): number {
    return this.count;
  }

  /** Slot of a key, or -1; the order stays as it is. */
  find(kind: number, key: string): number {
    return (this.maps[kind] as SlotIndex).find(key);
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
    const index = this.maps[kind] as SlotIndex;
    const slot = index.find(key);
    if (slot === NONE) {
      const order = this.order;
      const added = order.allocate();
      if (added >= this.kinds.length) this.grow();
      this.keyOf[added] = key;
      index.add(key, added);
      this.kinds[added] = identity ? kind | IDENTITY : kind;
      this.lastTimes[added] = timeMs;
      this.count++;
      order.push(added);
      this.linkInGroup(added, group);
      while (this.count > this.maxKeys) this.remove(order.oldest);
      return;
    }
    this.order.touch(slot);
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
    (this.maps[(this.kinds[slot] as number) & ~IDENTITY] as SlotIndex).delete(this.keyOf[slot] as string);
    this.order.release(slot);
    this.keyOf[slot] = undefined;
    this.groupOf[slot] = undefined;
    this.count--;
  }

  /** Widens the columns to the recency list's capacity. */
  private grow(): void {
    const capacity = this.order.capacity;
    const widen = <T extends Uint8Array | Int32Array | Float64Array>(old: T, make: (n: number) => T): T => {
      const next = make(capacity);
      next.set(old);
      return next;
    };
    this.kinds = widen(this.kinds, (n) => new Uint8Array(n));
    this.lastTimes = widen(this.lastTimes, (n) => new Float64Array(n));
    this.prevInGroup = widen(this.prevInGroup, (n) => new Int32Array(n));
    this.nextInGroup = widen(this.nextInGroup, (n) => new Int32Array(n));
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
