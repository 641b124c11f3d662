import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FileRecordExporter } from '../../src/export/file-exporter.js';
import type { FlatLogRecord } from '../../src/export/flat-record.js';
import { eventToLogRecord } from '../../src/export/mapping.js';
import type { AckResult } from '../../src/export/record-exporter.js';
import { ManualClock } from '../../src/model/time.js';
import { silentLogger } from '../../src/observe/logger.js';
import { createMetrics } from '../../src/observe/metrics.js';
import { BASE_TIME_MS, buildEvent, buildRecord, buildRef } from '../support/builders.js';
import { testConfig } from './helpers.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('FileRecordExporter', () => {
  it('writes one OTLP-like JSON line per record, with resource per namespace, and acks', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'eventide-file-'));
    dirs.push(dir);
    const file = join(dir, 'records.jsonl');
    const exporter = new FileRecordExporter(testConfig({ file, clusterName: 'demo' }), {
      logger: silentLogger(),
      metrics: createMetrics(),
      clock: new ManualClock(0),
      serviceVersion: '1.2.3',
    });
    const acks: AckResult[] = [];
    exporter.onAck((a) => acks.push(a));
    const a = buildRecord(buildEvent({ uid: 'f1', regarding: buildRef({ namespace: 'a' }) }), { seq: 1 });
    const b = buildRecord(buildEvent({ uid: 'f2', timeMs: BASE_TIME_MS + 1, regarding: buildRef({ namespace: 'b' }) }), { seq: 2 });
    await exporter.emit(a);
    await exporter.emit(b);
    await exporter.shutdown();

    const lines = readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as FlatLogRecord);
    expect(lines).toHaveLength(2);
    expect(lines[0]?.resource).toMatchObject({ 'service.name': 'eventide', 'service.version': '1.2.3', 'k8s.cluster.name': 'demo', 'k8s.namespace.name': 'a' });
    expect(lines[1]?.resource['k8s.namespace.name']).toBe('b');
    expect(lines[1]?.timeUnixNano).toBe(((BigInt(BASE_TIME_MS) + 1n) * 1_000_000n).toString());
    expect(lines[0]?.attributes).toEqual(eventToLogRecord(a).attributes);
    expect(acks.flatMap((x) => x.seqs)).toEqual([1, 2]);
    expect(acks.every((x) => x.ok)).toBe(true);
  });

  it('refuses to start without a file path, naming the field', () => {
    expect(() => new FileRecordExporter(testConfig(), { logger: silentLogger(), metrics: createMetrics(), clock: new ManualClock(0), serviceVersion: '1' })).toThrow(/export\.file/);
  });
});

describe('createRecordExporter', () => {
  it('picks the file exporter when export.file is set, the OTLP exporter otherwise', async () => {
    const { createRecordExporter } = await import('../../src/export/factory.js');
    const { OtlpEventExporter } = await import('../../src/export/otlp-exporter.js');
    const dir = mkdtempSync(join(tmpdir(), 'eventide-factory-'));
    dirs.push(dir);
    const deps = { logger: silentLogger(), metrics: createMetrics(), clock: new ManualClock(0), serviceVersion: '1', env: {} };
    const file = createRecordExporter(testConfig({ file: join(dir, 'r.jsonl') }), deps);
    const otlp = createRecordExporter(testConfig({ endpoint: 'http://127.0.0.1:1' }), { ...deps, metrics: createMetrics() });
    expect(file).toBeInstanceOf(FileRecordExporter);
    expect(otlp).toBeInstanceOf(OtlpEventExporter);
    await file.shutdown();
    await otlp.shutdown();
  });
});
