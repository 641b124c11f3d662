/**
 * Micro-benchmark of reading watch lines (plain node script):
 *   npx tsx src/source/lines.bench.ts        (or node dist/source/lines.bench.js after a build)
 * Splits, decodes and parses watch lines of the benchmark's Events (about 650 bytes each, as the
 * simulator writes them) handed over in 64 KiB chunks, as {@link readLineBatches} and
 * {@link parseStreamLine} do in the watch loop; prints ns per line, all-ASCII chunks (the text
 * path) and chunks with a non-ASCII note (the bytes path, strict UTF-8 per line).
 */
import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { benchEvent } from '../bench/workload.js';
import { parseStreamLine, readLineBatches } from './lines.js';

const LINES = 20_000;
const CHUNK_BYTES = 64 * 1024;

function watchStream(nonAscii: boolean): Buffer {
  const lines: string[] = [];
  for (let i = 0; i < LINES; i++) {
    const event = benchEvent(i, 1000, 1_000_000 * i, 1000 * i) as { metadata: Record<string, unknown>; message?: string; note?: string };
    event.metadata['uid'] = randomUUID();
    event.metadata['resourceVersion'] = String(i + 1);
    if (nonAscii && event.message !== undefined) event.message += ' — ünïcode';
    if (nonAscii && event.note !== undefined) event.note += ' — ünïcode';
    lines.push(JSON.stringify({ type: 'ADDED', object: event }));
  }
  return Buffer.from(`${lines.join('\n')}\n`);
}

function chunks(stream: Buffer): Buffer[] {
  const out: Buffer[] = [];
  for (let at = 0; at < stream.length; at += CHUNK_BYTES) out.push(stream.subarray(at, Math.min(stream.length, at + CHUNK_BYTES)));
  return out;
}

async function nsPerLine(parts: Buffer[]): Promise<number> {
  const started = process.hrtime.bigint();
  let parsed = 0;
  for await (const batch of readLineBatches(Readable.from(parts), 16 * 1024 * 1024)) {
    for (const line of batch) if (parseStreamLine(line) !== undefined) parsed++;
  }
  if (parsed !== LINES) throw new Error(`parsed ${parsed} of ${LINES} lines`);
  return Number(process.hrtime.bigint() - started) / LINES;
}

for (const [label, nonAscii] of [
  ['ASCII chunks', false],
  ['chunks with non-ASCII notes', true],
] as const) {
  const parts = chunks(watchStream(nonAscii));
  const runs: number[] = [];
  for (let run = 0; run < 6; run++) runs.push(await nsPerLine(parts));
  console.log(`${label}: ${runs.slice(1).map((ns) => ns.toFixed(0)).join(', ')} ns per line (split, decode, JSON.parse; first run is warm-up)`);
}
