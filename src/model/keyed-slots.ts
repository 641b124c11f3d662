import { SlotIndex } from './slot-index.js';
import { SlotList } from './slot-list.js';

/**
 * String keys in recency order, each with a fixed number of numeric fields kept in one
 * Float64Array: per-Event state (dedupe entries, acknowledged counts, escalation uids) without
 * an object, boxed doubles and a Map entry per key.
 *
 * Order is a {@link SlotList} (a doubly linked list over slot numbers), so moving a key to the
 * newest end and dropping the oldest are O(1). (A Map re-inserted on touch and evicted through
 * `keys().next()` makes each eviction walk the deleted entries at the front of its table: tens
 * of thousands per call near a 200,000-entry bound.) Slots are reused; the arrays grow by
 * doubling and never shrink. The key → slot index is a {@link SlotIndex} over the key column.
 */
export class KeyedSlots {
  private readonly keys: (string | undefined)[] = [];
  private readonly index = new SlotIndex(this.keys);
  private fields = new Float64Array(0);
  private readonly order: SlotList;

  /**
   * `width` numeric fields per key; `maxKeys`: most keys ever held at once (an owner that adds
   * before it evicts passes its bound + 1), so the columns stop growing there instead of at the
   * next power of two (at a 200,000 bound, 200,001 slots instead of 262,144).
   */
  constructor(
    private readonly width: number,
    initialCapacity = 64,
    maxKeys = Infinity,
  ) {
    this.order = new SlotList(Math.max(1, Math.min(initialCapacity, maxKeys)), maxKeys);
  }

  /** Number of keys held. */
  get size(): number {
    return this.index.size;
  }

  /** The slot of `key`, or -1. */
  slotOf(key: string): number {
    return this.index.find(key);
  }

  /** Adds `key` (which must be absent) at the newest end; its fields are 0 until set. Throws when `maxKeys` are held. */
  add(key: string): number {
    const order = this.order;
    const slot = order.allocate();
    const from = slot * this.width;
    if (from < this.fields.length) {
      for (let i = from; i < from + this.width; i++) this.fields[i] = 0;
    } else {
      const fields = new Float64Array(order.capacity * this.width);
      fields.set(this.fields);
      this.fields = fields;
    }
    this.keys[slot] = key;
    this.index.add(key, slot);
    order.push(slot);
    return slot;
  }

  /** Moves `slot` to the newest end. */
  touch(slot: number): void {
    this.order.touch(slot);
  }

  /** Removes the key of `slot`. */
  remove(slot: number): void {
    const key = this.keys[slot];
    if (key === undefined) return;
    this.index.delete(key);
    this.keys[slot] = undefined;
    this.order.release(slot);
  }

  /** The oldest slot (least recently added or touched), or -1 when empty. */
  oldest(): number {
    return this.order.oldest;
  }

  /** The slot after `slot` towards the newest end, or -1. */
  newer(slot: number): number {
    return this.order.newer[slot] as number;
  }

  /** The key of `slot`. */
  keyOf(slot: number): string {
    return this.keys[slot] as string;
  }

  /** Field `field` of `slot`. */
  get(slot: number, field: number): number {
    return this.fields[slot * this.width + field]!;
  }

  /** Sets field `field` of `slot`. */
  set(slot: number, field: number, value: number): void {
    this.fields[slot * this.width + field] = value;
  }
}
