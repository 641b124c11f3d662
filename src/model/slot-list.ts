/** No slot (end of a list, or an empty list). */
export const NONE = -1;

/**
 * A recency order over numbered slots: a doubly linked list kept in two Int32Arrays (no object
 * per entry), with the free slots chained through `older` and reused last freed first. The owner
 * keeps its entries' data in its own columns indexed by slot and grows them when `capacity`
 * grows (after {@link allocate}). Shared by KeyedSlots, LruMap and the correlator's KeyIndex.
 *
 * `newer`, `older`, `newest`, `oldest` and `capacity` are plain fields (read them, do not write
 * them) so that a walk or a touch on the hot path is a load, not a call.
 */
export class SlotList {
  /** Per slot: the more recently used neighbour, or NONE. */
  newer = new Int32Array(0);
  /** Per slot: the less recently used neighbour, or NONE; for a free slot, the next free one. */
  older = new Int32Array(0);
  /** Most recently used slot, or NONE when empty. */
  newest = NONE;
  /** Least recently used slot, or NONE when empty. */
  oldest = NONE;
  /** Length of `newer` and `older`: slots below it exist. */
  capacity = 0;
  private free = NONE;
  /** Slots ever handed out (the next new one). */
  private used = 0;

  constructor(
    /** Slots allocated at the first growth; the arrays double from there. */
    private readonly firstCapacity: number,
    /** Most slots ever needed (the arrays stop growing there). */
    private readonly maxCapacity = Infinity,
  ) {}

  /** A slot not in the list: the last freed one, else a new one (growing the arrays if needed). */
  allocate(): number {
    const slot = this.free;
    if (slot !== NONE) {
      this.free = this.older[slot] as number;
      return slot;
    }
    if (this.used === this.capacity) this.grow();
    return this.used++;
  }

  /** Links `slot` (not in the list) at the newest end. */
  push(slot: number): void {
    this.older[slot] = this.newest;
    this.newer[slot] = NONE;
    if (this.newest !== NONE) this.newer[this.newest] = slot;
    else this.oldest = slot;
    this.newest = slot;
  }

  /** Takes `slot` out of the list (its links stay as they were until reused). */
  unlink(slot: number): void {
    const newer = this.newer[slot] as number;
    const older = this.older[slot] as number;
    if (newer !== NONE) this.older[newer] = older;
    else this.newest = older;
    if (older !== NONE) this.newer[older] = newer;
    else this.oldest = newer;
  }

  /** Moves `slot` (in the list) to the newest end. */
  touch(slot: number): void {
    if (slot === this.newest) return;
    this.unlink(slot);
    this.push(slot);
  }

  /** Takes `slot` out of the list and frees it for {@link allocate}. */
  release(slot: number): void {
    this.unlink(slot);
    this.older[slot] = this.free;
    this.free = slot;
  }

  private grow(): void {
    if (this.capacity >= this.maxCapacity) throw new RangeError(`all ${this.maxCapacity} slots are in use (free one before allocating)`);
    const capacity = Math.min(Math.max(this.firstCapacity, this.capacity * 2), this.maxCapacity);
    const newer = new Int32Array(capacity);
    newer.set(this.newer);
    const older = new Int32Array(capacity);
    older.set(this.older);
    this.newer = newer;
    this.older = older;
    this.capacity = capacity;
  }
}
