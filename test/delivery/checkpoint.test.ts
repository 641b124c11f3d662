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
    expect(await readdir(dir)).toEqual(['checkpoint.json']);
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
    const store = new FileCheckpointStore(path, logger);
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
