/** Number of tables a {@link SlotIndex} spreads its keys over (a power of two). */
const SHARDS = 32;
/** 32 - log2(SHARDS): the top bits of a key's hash name its table. */
const SHARD_SHIFT = 27;
/** Buckets of a table before its first growth (a power of two). */
const FIRST_BUCKETS = 16;

/** One open-addressing table: per bucket the slot + 1 (0: empty) and the key's hash. */
interface Table {
  slots: Int32Array;
  hashes: Int32Array;
  mask: number;
  count: number;
}

/**
 * A hash index from string keys to the numbered slots their owner keeps them in (KeyedSlots,
 * the correlator's KeyIndex): `find(key)` is the slot whose key is `key`, or -1.
 *
 * The owner's key column is the index's key storage: a bucket holds only the slot number and
 * the key's hash (two Int32Arrays, linear probing, backward-shift deletion), and a probe
 * compares `keys[slot] === key`. Against a Map per owner this is 8 bytes a bucket outside the
 * garbage-collected heap instead of ~40 bytes of table traced by every major GC (at 200,000
 * uids in each of four per-Event indexes, ~35 MiB of heap). The keys are spread over 32 tables
 * by hash, each doubling on its own at 4/5 full (3/4 until the seventh pass: the 100,000 and
 * 200,000 bounds sat just past 32 tables × 3/4 of a power of two, so at the bound the tables
 * were 38% full and held 21 bytes a key instead of 11): a V8 Map rebuilds its whole table when it
 * fills, and the per-Event indexes fill together, which held the event loop for 75–145 ms at
 * 15,000 Events/s; here each growth moves 1/32 of the keys (docs/performance.md, "Fifth pass").
 *
 * Contract with the owner: `keys[slot]` holds the key from {@link add} until after
 * {@link delete}; a key is added at most once.
 */
export class SlotIndex {
  private readonly tables: Table[] = Array.from({ length: SHARDS }, () => emptyTable(FIRST_BUCKETS));
  private total = 0;
  /** The last key hashed and its hash: `find` then `add` of one key hash it once. */
  private lastKey = '';
  private lastHash = hashKey('');

  /** `keys`: the owner's key column, by slot (read, never written here). */
  constructor(private readonly keys: readonly (string | undefined)[]) {}

  /** Number of keys held. */
  get size(): number {
    return this.total;
  }

  /** The slot of `key`, or -1. */
  find(key: string): number {
    const hash = this.hashOf(key);
    const table = this.tables[hash >>> SHARD_SHIFT] as Table;
    const { slots, hashes, mask } = table;
    const keys = this.keys;
    for (let i = hash & mask; ; i = (i + 1) & mask) {
      const held = slots[i] as number;
      if (held === 0) return -1;
      if (hashes[i] === hash && keys[held - 1] === key) return held - 1;
    }
  }

  /** Indexes `key` (absent, and already at `keys[slot]`) at `slot`. */
  add(key: string, slot: number): void {
    const hash = this.hashOf(key);
    let table = this.tables[hash >>> SHARD_SHIFT] as Table;
    if ((table.count + 1) * 5 > (table.mask + 1) * 4) table = this.tables[hash >>> SHARD_SHIFT] = grown(table);
    place(table, hash, slot + 1);
    table.count++;
    this.total++;
  }

  /** Removes `key` (still at its slot in `keys`); true when it was indexed. */
  delete(key: string): boolean {
    const hash = this.hashOf(key);
    const table = this.tables[hash >>> SHARD_SHIFT] as Table;
    const { slots, hashes, mask } = table;
    const keys = this.keys;
    let i = hash & mask;
    for (; ; i = (i + 1) & mask) {
      const held = slots[i] as number;
      if (held === 0) return false;
      if (hashes[i] === hash && keys[held - 1] === key) break;
    }
    // Backward-shift deletion: move later entries of the probe run into the hole when their
    // home bucket does not lie (cyclically) after the hole, so every probe still finds them.
    for (let j = (i + 1) & mask; slots[j] !== 0; j = (j + 1) & mask) {
      const home = (hashes[j] as number) & mask;
      const between = i <= j ? i < home && home <= j : i < home || home <= j;
      if (between) continue;
      slots[i] = slots[j] as number;
      hashes[i] = hashes[j] as number;
      i = j;
    }
    slots[i] = 0;
    table.count--;
    this.total--;
    return true;
  }

  private hashOf(key: string): number {
    if (key !== this.lastKey) {
      this.lastKey = key;
      this.lastHash = hashKey(key);
    }
    return this.lastHash;
  }
}

function emptyTable(buckets: number): Table {
  return { slots: new Int32Array(buckets), hashes: new Int32Array(buckets), mask: buckets - 1, count: 0 };
}

/** Puts `held` (slot + 1) into the first free bucket from `hash`'s home. */
function place(table: Table, hash: number, held: number): void {
  const { slots, mask } = table;
  let i = hash & mask;
  while (slots[i] !== 0) i = (i + 1) & mask;
  slots[i] = held;
  table.hashes[i] = hash;
}

/** A table of twice the buckets with the same entries (placed by their stored hashes). */
function grown(table: Table): Table {
  const next = emptyTable((table.mask + 1) * 2);
  const { slots, hashes } = table;
  for (let i = 0; i < slots.length; i++) {
    const held = slots[i] as number;
    if (held !== 0) place(next, hashes[i] as number, held);
  }
  next.count = table.count;
  return next;
}

/** FNV-1a over the UTF-16 code units, then murmur3's finalizer so high and low bits both mix. */
export function hashKey(key: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}
