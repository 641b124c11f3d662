/**
 * Micro-benchmark of the file checkpoint store (plain node script):
 *   npx tsx src/delivery/checkpoint.bench.ts   (or node dist/delivery/checkpoint.bench.js after a build)
 * At the default bound (200,000 exported pairs, real UUIDs) in a temp dir: a whole save (what
 * every 5 s save wrote before the journal), an append of the pairs 300 new Events/s acknowledge
 * in 5 s (1,500), and a load of the snapshot with a journal as large as it (the most a restart
 * replays). Wall ms and bytes written; three runs each.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Checkpoint } from './checkpoint.js';
import { FileCheckpointStore } from './file-store.js';

const PAIRS = 200_000;
const APPENDED = 1_500;

const checkpoint = (exported: Array<[string, number]>, rv: number): Checkpoint => ({
  version: 1,
  api: 'events.k8s.io/v1',
  resourceVersion: String(rv),
  exported,
  savedAtMs: Date.now(),
});

async function timed(what: () => Promise<unknown>): Promise<number> {
  const started = process.hrtime.bigint();
  await what();
  return Number(process.hrtime.bigint() - started) / 1e6;
}

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'eventide-cp-bench-'));
  try {
    const path = join(dir, 'checkpoint.json');
    const store = new FileCheckpointStore(path);
    const all: Array<[string, number]> = Array.from({ length: PAIRS }, () => [randomUUID(), 1]);
    const saves: string[] = [];
    for (let run = 0; run < 3; run++) saves.push((await timed(() => store.save(checkpoint(all, run)))).toFixed(1));
    const snapshotBytes = (await stat(path)).size;
    console.log(`whole save of ${PAIRS} pairs: ${saves.join(', ')} ms, ${snapshotBytes} bytes`);

    const appends: string[] = [];
    let rv = 10;
    for (let run = 0; run < 3; run++) {
      const before = (await stat(store.journalPath)).size;
      const changes = Array.from({ length: APPENDED }, (): [string, number] => [randomUUID(), 1]);
      const ms = await timed(() => store.append(checkpoint(changes, rv++)));
      appends.push(`${ms.toFixed(1)} ms / ${(await stat(store.journalPath)).size - before} bytes`);
    }
    console.log(`append of ${APPENDED} pairs: ${appends.join(', ')}`);

    while (await store.append(checkpoint(Array.from({ length: APPENDED }, (): [string, number] => [randomUUID(), 1]), rv++)));
    const journalBytes = (await stat(store.journalPath)).size;
    const loads: string[] = [];
    let loaded: Checkpoint | undefined;
    for (let run = 0; run < 3; run++) loads.push((await timed(async () => (loaded = await new FileCheckpointStore(path).load()))).toFixed(1));
    console.log(`load of the snapshot and a ${journalBytes}-byte journal (${loaded?.exported.length} pairs): ${loads.join(', ')} ms`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
