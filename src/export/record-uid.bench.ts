/**
 * Micro-benchmark of the record uid (plain node script):
 *   npx tsx src/export/record-uid.bench.ts   (or node dist/export/record-uid.bench.js after a build)
 * ns per {@link eventRecordUid} call over 1,000 Event uids and small counts, as the export
 * mapping calls it once per record; and `crypto.hash('sha1')` of a name that long, with a hex
 * and with a Buffer result, for comparison.
 */
import * as crypto from 'node:crypto';
import { eventRecordUid } from './record-uid.js';

const CALLS = 500_000;
const uids = Array.from({ length: 1000 }, () => crypto.randomUUID());
const hash = (crypto as unknown as { hash?: (algorithm: string, data: Uint8Array, encoding: 'hex' | 'buffer') => string | Buffer }).hash;

function nsPerCall(call: (i: number) => unknown): string {
  const runs: string[] = [];
  for (let run = 0; run < 4; run++) {
    const started = process.hrtime.bigint();
    for (let i = 0; i < CALLS; i++) call(i);
    runs.push((Number(process.hrtime.bigint() - started) / CALLS).toFixed(0));
  }
  return runs.slice(1).join(', ');
}

console.log(`eventRecordUid: ${nsPerCall((i) => eventRecordUid(uids[i % 1000]!, i & 7))} ns per call`);
if (hash) {
  const name = Buffer.alloc(54, 0x61);
  console.log(`crypto.hash sha1, hex result: ${nsPerCall((i) => ((name[20] = i & 0xff), hash('sha1', name, 'hex')))} ns per call`);
  console.log(`crypto.hash sha1, Buffer result: ${nsPerCall((i) => ((name[20] = i & 0xff), hash('sha1', name, 'buffer')))} ns per call`);
}
