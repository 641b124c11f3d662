import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { KubeConfig } from '@kubernetes/client-node';
import {
  type Checkpoint,
  ConfigMapCheckpointStore,
  createCheckpointStore,
  FileCheckpointStore,
  NoopCheckpointStore,
  PairColumns,
} from '../../src/delivery/checkpoint.js';
import { compactCheckpoint, decodeCheckpoint, encodeCheckpoint, encodeCheckpointChunks } from '../../src/delivery/checkpoint-codec.js';
import { checkpointConfigSchema } from '../../src/delivery/config.js';
import { createLogger } from '../../src/observe/logger.js';

const sample: Checkpoint = {
  version: 1,
  api: 'events.k8s.io/v1',
  resourceVersion: '123456',
  exported: [
    ['uid-a', 3],
    ['uid-b', 1],
  ],
  savedAtMs: 1_700_000_000_000,
};

/** A logger whose lines are collected for assertions. */
function capturingLogger(): { logger: ReturnType<typeof createLogger>; lines: string[] } {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk, _enc, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return { logger: createLogger({ destination }), lines };
}

describe('FileCheckpointStore', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'eventide-cp-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('loads nothing when there is no file, then round-trips a save (creating the directory)', async () => {
    const store = new FileCheckpointStore(join(dir, 'nested', 'checkpoint.json'));
    expect(await store.load()).toBeUndefined();
    await store.save(sample);
    expect(await store.load()).toEqual(sample);
    await store.save({ ...sample, resourceVersion: '999' });
    expect((await store.load())?.resourceVersion).toBe('999');
  });

  it('a large checkpoint saved a piece at a time loads back whole', async () => {
    const exported: Array<[string, number]> = Array.from({ length: 20_000 }, (_, i) => [`0000-${i}`, i % 7]);
    const store = new FileCheckpointStore(join(dir, 'checkpoint.json'));
    await store.save({ ...sample, exported });
    expect(await store.load()).toEqual({ ...sample, exported });
  });

  it('leaves no temporary file behind, and a temp file left by a crash does not affect load', async () => {
    const path = join(dir, 'checkpoint.json');
    const store = new FileCheckpointStore(path);
    await store.save(sample);
    expect((await readdir(dir)).sort()).toEqual(['checkpoint.json', 'checkpoint.json.journal']);
    // a crash between write and rename leaves a half-written temp file; the checkpoint stays whole
    await writeFile(`${path}.tmp-99999`, '{"version":1,"resourceV');
    expect(await store.load()).toEqual(sample);
    await store.save({ ...sample, resourceVersion: '2' });
    expect((await store.load())?.resourceVersion).toBe('2');
  });

  it('a failed rename keeps the previous checkpoint and removes the temp file', async () => {
    const path = join(dir, 'checkpoint.json');
    await mkdir(path); // rename onto a directory fails
    const store = new FileCheckpointStore(path);
    await expect(store.save(sample)).rejects.toThrow();
    expect(await readdir(dir)).toEqual(['checkpoint.json']);
  });

  it.each([
    ['truncated JSON', '{"version":1,"resourceVersion":"12'],
    ['wrong version', JSON.stringify({ ...sample, version: 2 })],
    ['exported not pairs', JSON.stringify({ ...sample, exported: [['a']] })],
    ['not an object', '[]'],
  ])('a corrupt file (%s) is moved aside with a warning naming it, and the run starts fresh', async (_name, text) => {
    const path = join(dir, 'checkpoint.json');
    await writeFile(path, text);
    const { logger, lines } = capturingLogger();
    const store = new FileCheckpointStore(path, { logger });
    expect(await store.load()).toBeUndefined();
    expect(await readFile(`${path}.corrupt`, 'utf8')).toBe(text);
    expect(lines.join('')).toContain(path);
    expect(lines.join('')).toContain('starting fresh');
    await store.save(sample);
    expect(await store.load()).toEqual(sample);
  });

  it('an unreadable path is an error naming the file and the fix', async () => {
    const path = join(dir, 'checkpoint.json');
    await mkdir(path);
    await expect(new FileCheckpointStore(path).load()).rejects.toThrow(/checkpoint file .*checkpoint\.json.*fix: .*delivery\.checkpoint\.path/);
  });
});

describe('FileCheckpointStore journal', () => {
  let dir: string;
  let path: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'eventide-journal-'));
    path = join(dir, 'checkpoint.json');
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const changes = (rv: string, exported: Array<[string, number]>, savedAtMs = 1_700_000_005_000): Checkpoint => ({
    version: 1,
    api: 'events.k8s.io/v1',
    resourceVersion: rv,
    exported,
    savedAtMs,
  });

  it('declines to append before this process saved a snapshot, so a journal it did not start is never appended to', async () => {
    const store = new FileCheckpointStore(path);
    expect(await store.append(changes('1', [['a', 1]]))).toBe(false);
    expect(await readdir(dir)).toEqual([]);
  });

  it('appends only the changes, and a load replays them over the snapshot: order of last ack, largest count, last resume point', async () => {
    const store = new FileCheckpointStore(path);
    await store.save(sample); // uid-a 3, uid-b 1
    const snapshotText = await readFile(path, 'utf8');
    expect(await store.append(changes('200', [['uid-c', 1], ['uid-a', 5]], 1_700_000_005_000))).toBe(true);
    expect(await store.append(changes('300', [['uid-b', 1], ['uid-d', 2]], 1_700_000_010_000))).toBe(true);
    // the snapshot was not rewritten; the journal holds its header and one line per append
    expect(await readFile(path, 'utf8')).toBe(snapshotText);
    const journal = (await readFile(store.journalPath, 'utf8')).split('\n');
    expect(journal).toHaveLength(4); // header, two lines, '' after the last newline
    expect(journal[2]).toContain('uid-d');
    expect(journal[2]).not.toContain('uid-a');
    const loaded = await new FileCheckpointStore(path).load();
    expect(loaded).toEqual({
      version: 1,
      api: 'events.k8s.io/v1',
      resourceVersion: '300',
      exported: [
        ['uid-c', 1],
        ['uid-a', 5],
        ['uid-b', 1],
        ['uid-d', 2],
      ],
      savedAtMs: 1_700_000_010_000,
    });
  });

  it('a whole save starts an empty journal; older journal lines are not replayed again', async () => {
    const store = new FileCheckpointStore(path);
    await store.save(sample);
    await store.append(changes('200', [['uid-c', 1]]));
    const next: Checkpoint = { ...sample, resourceVersion: '250', exported: [['uid-z', 1]] };
    await store.save(next);
    expect(await new FileCheckpointStore(path).load()).toEqual({ ...sample, resourceVersion: '250', exported: [['uid-z', 1]] });
  });

  it('once the journal is as large as the snapshot (and journalMinBytes), appending declines until the next whole save', async () => {
    const store = new FileCheckpointStore(path, { journalMinBytes: 200 });
    await store.save(sample);
    let appended = 0;
    while (await store.append(changes(String(appended), [[`uid-${appended}`, 1]]))) appended++;
    // each line is ~110 bytes: the header and two lines pass 200 bytes
    expect(appended).toBe(2);
    await store.save(sample);
    expect(await store.append(changes('9', [['uid-9', 1]]))).toBe(true);
  });

  it('an incomplete last line (a stop during an append) is left out, and the next process starts a new journal', async () => {
    const store = new FileCheckpointStore(path);
    await store.save(sample);
    await store.append(changes('200', [['uid-c', 1]]));
    await writeFile(store.journalPath, '{"version":1,"resourceVersion":"300","exported":[["uid-', { flag: 'a' });
    const again = new FileCheckpointStore(path);
    const loaded = await again.load();
    expect(loaded?.resourceVersion).toBe('200');
    expect(loaded?.exported.map(([uid]) => uid)).toEqual(['uid-a', 'uid-b', 'uid-c']);
    expect(again.lastReplay).toEqual({ applied: 1, tornTail: true, stale: false });
    expect(await again.append(changes('400', [['uid-e', 1]]))).toBe(false);
    await again.save(loaded!);
    expect(await again.append(changes('400', [['uid-e', 1]]))).toBe(true);
    expect((await new FileCheckpointStore(path).load())?.exported.map(([uid]) => uid)).toEqual(['uid-a', 'uid-b', 'uid-c', 'uid-e']);
  });

  it('a journal left from an older snapshot (a stop between the snapshot and its journal) is left out whole', async () => {
    const ids = ['first', 'second'];
    const store = new FileCheckpointStore(path, { newJournalId: () => ids.shift() as string });
    await store.save(sample);
    await store.append(changes('200', [['uid-c', 1]]));
    const oldJournal = await readFile(store.journalPath, 'utf8');
    await store.save({ ...sample, resourceVersion: '250' });
    await writeFile(store.journalPath, oldJournal); // as if the new journal's rename never happened
    const again = new FileCheckpointStore(path);
    expect(await again.load()).toEqual({ ...sample, resourceVersion: '250' });
    expect(again.lastReplay?.stale).toBe(true);
  });

  it('an unreadable line in the middle stops the replay there with a warning; the lines before it stand', async () => {
    const store = new FileCheckpointStore(path);
    await store.save(sample);
    await store.append(changes('200', [['uid-c', 1]]));
    await writeFile(store.journalPath, 'not json\n', { flag: 'a' });
    await writeFile(store.journalPath, `${JSON.stringify(changes('300', [['uid-d', 1]]))}\n`, { flag: 'a' });
    const { logger, lines } = capturingLogger();
    const again = new FileCheckpointStore(path, { logger });
    const loaded = await again.load();
    expect(loaded?.resourceVersion).toBe('200');
    expect(loaded?.exported.map(([uid]) => uid)).toEqual(['uid-a', 'uid-b', 'uid-c']);
    expect(again.lastReplay).toMatchObject({ applied: 1, badLine: 3 });
    expect(lines.join('')).toContain('unreadable line 3');
    expect(lines.join('')).toContain(store.journalPath);
  });

  it('a failed append rejects, and the store saves whole next time instead of writing after a partial line', async () => {
    const store = new FileCheckpointStore(path);
    await store.save(sample);
    await rm(store.journalPath);
    await mkdir(store.journalPath); // opening a directory for append fails
    await expect(store.append(changes('200', [['uid-c', 1]]))).rejects.toThrow();
    await rm(store.journalPath, { recursive: true });
    expect(await store.append(changes('200', [['uid-c', 1]]))).toBe(false);
    await store.save({ ...sample, resourceVersion: '200' });
    expect(await store.append(changes('300', [['uid-d', 1]]))).toBe(true);
    expect((await new FileCheckpointStore(path).load())?.resourceVersion).toBe('300');
  });
});

describe('checkpoint codec', () => {
  it('round-trips and keeps resourceVersion an opaque string', () => {
    const cp = { ...sample, resourceVersion: '00042' };
    expect(decodeCheckpoint(encodeCheckpoint(cp)).resourceVersion).toBe('00042');
  });

  it('in pieces, writes exactly the JSON of the whole, in pieces of at most the given pairs', () => {
    const checkpoint = fc.record(
      {
        version: fc.constant(1 as const),
        api: fc.constantFrom('events.k8s.io/v1' as const, 'v1' as const),
        resourceVersion: fc.string(),
        exported: fc.array(fc.tuple(fc.oneof(fc.uuid(), fc.string({ unit: 'grapheme' }), fc.string()), fc.nat()), { maxLength: 60 }),
        savedAtMs: fc.nat(),
      },
      { requiredKeys: ['version', 'resourceVersion', 'exported', 'savedAtMs'] },
    );
    fc.assert(
      fc.property(checkpoint, fc.integer({ min: 1, max: 8 }), (cp, perChunk) => {
        const chunks = [...encodeCheckpointChunks(cp, perChunk)];
        expect(chunks.join('')).toBe(JSON.stringify(cp));
        expect(chunks.length).toBe(Math.floor(cp.exported.length / perChunk) + 1);
        // the same pairs as columns, turned into pairs a piece at a time: the same pieces
        const columns = new PairColumns(
          cp.exported.map(([uid]) => uid),
          cp.exported.map(([, count]) => count),
        );
        expect([...encodeCheckpointChunks({ ...cp, exported: columns }, perChunk)]).toEqual(chunks);
      }),
      { seed: 20261123, numRuns: 300 },
    );
  });

  it('compaction keeps the newest entries within the byte cap', () => {
    const exported: Array<[string, number]> = Array.from({ length: 1000 }, (_, i) => [`uid-${String(i).padStart(4, '0')}`, i + 1]);
    const cp: Checkpoint = { ...sample, exported };
    const cut = compactCheckpoint(cp, 5000);
    expect(Buffer.byteLength(encodeCheckpoint(cut))).toBeLessThanOrEqual(5000);
    expect(cut.exported.length).toBeGreaterThan(200);
    expect(cut.exported.at(-1)).toEqual(['uid-0999', 1000]);
    expect(cut.exported[0]).toEqual(exported[1000 - cut.exported.length]);
    expect(compactCheckpoint(sample, 5000)).toBe(sample);
  });
});

describe('createCheckpointStore', () => {
  it('builds the store the config names', () => {
    expect(createCheckpointStore(checkpointConfigSchema.parse({}))).toBeInstanceOf(FileCheckpointStore);
    expect(createCheckpointStore(checkpointConfigSchema.parse({ type: 'none' }))).toBeInstanceOf(NoopCheckpointStore);
    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromOptions({
      clusters: [{ name: 'c', server: 'https://127.0.0.1:1' }],
      users: [{ name: 'u' }],
      contexts: [{ name: 'x', cluster: 'c', user: 'u', namespace: 'ops' }],
      currentContext: 'x',
    });
    const store = createCheckpointStore(checkpointConfigSchema.parse({ type: 'configmap' }), {
      kubeConfig,
      namespaceFile: join(tmpdir(), 'does-not-exist'),
    });
    expect(store).toBeInstanceOf(ConfigMapCheckpointStore);
  });

  it('configmap without a cluster connection names the field and the fix', () => {
    expect(() => createCheckpointStore(checkpointConfigSchema.parse({ type: 'configmap' }))).toThrow(/delivery\.checkpoint\.type.*fix/);
  });

  it('config defaults are complete', () => {
    expect(checkpointConfigSchema.parse({})).toEqual({
      type: 'file',
      path: '.eventide/checkpoint.json',
      namespace: '',
      name: 'eventide-checkpoint',
      intervalMillis: 5000,
    });
    expect(checkpointConfigSchema.safeParse({ name: 'Bad_Name' }).success).toBe(false);
  });
});
