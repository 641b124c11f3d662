/**
 * Micro-benchmark of a per-Event index (plain node script):
 *   npx tsx --expose-gc src/model/slot-index.bench.ts [bound]
 * One Map against a {@link SlotIndex}, each fed Event-uid-like keys as the delivery gate feeds
 * its index: one key added per Event and, once `bound` keys (default 200,000) are held, the
 * oldest deleted. Prints the total time, the longest single Event (a table rebuild) while the
 * index fills and at its bound, and the heap the index holds at its bound.
 */
import { performance } from 'node:perf_hooks';
import { SlotIndex } from './slot-index.js';

interface StringIndex {
  set(key: string, value: number): void;
  delete(key: string): boolean;
}

/** A SlotIndex over a key column, slot i for key i (the column is the keys themselves). */
function slotIndex(keys: string[]): StringIndex {
  const index = new SlotIndex(keys);
  return { set: (key, slot) => index.add(key, slot), delete: (key) => index.delete(key) };
}

const gc = (globalThis as { gc?: () => void }).gc;

function heapBytes(): number {
  gc?.();
  return process.memoryUsage().heapUsed + process.memoryUsage().arrayBuffers;
}

function uid(i: number): string {
  const h = (Math.imul(i, 2654435761) >>> 0).toString(16).padStart(8, '0');
  return `${h}-1c2d-4e5f-8a9b-${(Math.imul(i ^ 0x5bd1e995, 40503) >>> 0).toString(16).padStart(12, '0')}`;
}

/** Feeds the keys to a new index; returns it, so it is still alive when its heap is measured. */
function run(label: string, make: () => StringIndex, keys: string[], bound: number): StringIndex {
  const before = heapBytes();
  const index = make();
  let worst = 0;
  let worstFilled = 0;
  let total = 0;
  for (let i = 0; i < keys.length; i++) {
    const t = performance.now();
    index.set(keys[i] as string, i);
    if (i >= bound) index.delete(keys[i - bound] as string);
    const took = performance.now() - t;
    total += took;
    if (i < bound) worstFilled = Math.max(worstFilled, took);
    else worst = Math.max(worst, took);
  }
  const held = gc ? `, ${((heapBytes() - before) / bound).toFixed(0)} bytes a key held` : '';
  console.log(`${label.padEnd(10)} ${keys.length} Events: ${total.toFixed(0)} ms in all, longest Event ${worstFilled.toFixed(1)} ms while filling, ${worst.toFixed(1)} ms at the bound${held}`);
  return index;
}

const bound = Number(process.argv[2] ?? 200_000);
const keys = Array.from({ length: bound * 4 }, (_, i) => uid(i));
// Twice each, the first round being the warm-up of both.
for (let round = 0; round < 2; round++) {
  run('Map', () => new Map<string, number>(), keys, bound);
  run('SlotIndex', () => slotIndex(keys), keys, bound);
}
