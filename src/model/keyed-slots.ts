/**
 * String keys in recency order, each with a fixed number of numeric fields kept in one
 * Float64Array: per-Event state (dedupe entries, acknowledged counts, escalation uids) without
 * an object, boxed doubles and a Map entry per key.
 *
 * Order is a doubly linked list over slot numbers, so moving a key to the newest end and
 * dropping the oldest are O(1). (A Map re-inserted on touch and evicted through
 * `keys().next()` makes each eviction walk the deleted entries at the front of its table: tens
 * of thousands per call near a 200,000-entry bound.) Slots are reused; the arrays grow by
 * doubling and never shrink.
 */
export class KeyedSlots {
  private readonly index = new Map<string, number>();
  private keys: (string | undefined)[] = [];
  private fields: Float64Array;
  private prev: Int32Array;
  private next: Int32Array;
  private head = -1;
  private tail = -1;
  /** Free slots, chained through `next`. */
  private freeHead = -1;
  private used = 0;
  private capacity: number;

  /** `width` numeric fields per key. */
  constructor(
    private readonly width: number,
    initialCapacity = 64,
  ) {
    this.capacity = Math.max(1, initialCapacity);
    this.fields = new Float64Array(this.capacity * width);
    this.prev = new Int32Array(this.capacity);
    this.next = new Int32Array(this.capacity);
  }

  /** Number of keys held. */
  get size(): number {
    return this.index.size;
  }

  /** The slot of `key`, or -1. */
  slotOf(key: string): number {
    const slot = this.index.get(key);
    return slot === undefined ? -1 : slot;
  }

  /** Adds `key` (which must be absent) at the newest end; its fields are 0 until set. */
  add(key: string): number {
    let slot = this.freeHead;
    if (slot >= 0) {
      this.freeHead = this.next[slot]!;
      const from = slot * this.width;
      for (let i = from; i < from + this.width; i++) this.fields[i] = 0;
    } else {
      if (this.used === this.capacity) this.grow();
      slot = this.used++;
    }
    this.keys[slot] = key;
    this.index.set(key, slot);
    this.link(slot);
    return slot;
  }

  /** Moves `slot` to the newest end. */
  touch(slot: number): void {
    if (slot === this.tail) return;
    this.unlink(slot);
    this.link(slot);
  }

  /** Removes the key of `slot`. */
  remove(slot: number): void {
    const key = this.keys[slot];
    if (key === undefined) return;
    this.index.delete(key);
    this.keys[slot] = undefined;
    this.unlink(slot);
    this.next[slot] = this.freeHead;
    this.freeHead = slot;
  }

  /** The oldest slot (least recently added or touched), or -1 when empty. */
  oldest(): number {
    return this.head;
  }

  /** The slot after `slot` towards the newest end, or -1. */
  newer(slot: number): number {
    return this.next[slot]!;
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

  private link(slot: number): void {
    this.prev[slot] = this.tail;
    this.next[slot] = -1;
    if (this.tail >= 0) this.next[this.tail] = slot;
    else this.head = slot;
    this.tail = slot;
  }

  private unlink(slot: number): void {
    const p = this.prev[slot]!;
    const n = this.next[slot]!;
    if (p >= 0) this.next[p] = n;
    else this.head = n;
    if (n >= 0) this.prev[n] = p;
    else this.tail = p;
  }

  private grow(): void {
    const capacity = this.capacity * 2;
    const fields = new Float64Array(capacity * this.width);
    fields.set(this.fields);
    const prev = new Int32Array(capacity);
    prev.set(this.prev);
    const next = new Int32Array(capacity);
    next.set(this.next);
    this.fields = fields;
    this.prev = prev;
    this.next = next;
    this.capacity = capacity;
  }
}
