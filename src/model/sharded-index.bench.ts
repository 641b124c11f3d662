/**
 * Micro-benchmark of a per-Event index (plain node script):
 *   npx tsx src/model/sharded-index.bench.ts [bound]
 * One Map against a {@link ShardedIndex}, each fed Event-uid-like keys as the delivery gate feeds
 * its index: one key added per Event and, once `bound` keys (default 200,000) are held, the
 * oldest deleted. Prints the total time and the longest single Event (a table rebuild), while
 * the index fills and at its bound.
 */
import { performance } from 'node:perf_hooks';
import { ShardedIndex } from './sharded-index.js';

interface StringIndex {
  set(key: string, value: number): void;
  delete(key: string): boolean;
}

function uid(i: number): string {
  const h = (Math.imul(i, 2654435761) >>> 0).toString(16).padStart(8, '0');
  return `${h}-1c2d-4e5f-8a9b-${(Math.imul(i ^ 0x5bd1e995, 40503) >>> 0).toString(16).padStart(12, '0')}`;
}

function run(label: string, index: StringIndex, keys: string[], bound: number): void {
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
  console.log(`${label.padEnd(14)} ${keys.length} Events: ${total.toFixed(0)} ms in all, longest Event ${worstFilled.toFixed(1)} ms while filling, ${worst.toFixed(1)} ms at the bound`);
}

const bound = Number(process.argv[2] ?? 200_000);
const keys = Array.from({ length: bound * 4 }, (_, i) => uid(i));
for (let round = 0; round < 2; round++) {
  run('Map', new Map<string, number>(), keys, bound);
  run('ShardedIndex', new ShardedIndex(), keys, bound);
}
