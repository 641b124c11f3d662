/**
 * Benchmark of the whole export stage (mapping, batching, encoding, gzip, gRPC, acks) without
 * the rest of the pipeline: an {@link OtlpEventExporter} with the default config sends event
 * records built the way the benchmark's sidecar sees them to an OTLP/gRPC receiver in a child
 * process that only answers. Reports CPU of this process (user + system, all threads) per event:
 *
 * - `full`: 100,000 records emitted as fast as backpressure allows;
 * - `paced`: 300 records/s for 10 s (a batch of ~60 every 200 ms, as at the normal rate);
 * - `timers`: the paced loop's wake-ups without records (what the harness costs by itself).
 *
 * `node dist/export/export-path.bench.js [full|paced|timers|all]` after `npm run build`;
 * `EXPORT_BENCH_COMPRESSION=none` turns gzip off (to see its share).
 */
import { fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import { rawLogsExportService } from '../bench/otlp-wire.js';
import { benchRecord } from '../bench/workload.js';
import type { EventRecord } from '../model/event.js';
import { systemClock } from '../model/time.js';
import { normalizeConfigSchema } from '../normalize/config.js';
import { silentLogger } from '../observe/logger.js';
import { createMetrics } from '../observe/metrics.js';
import { exportConfigSchema } from './config.js';
import { OtlpEventExporter } from './otlp-exporter.js';

const OBJECTS = 2_000;
const POOL = 4_096;

/** The child: a gRPC LogsService/Export that answers every request without decoding it. */
async function serveReceiver(): Promise<void> {
  const server = new grpc.Server();
  server.addService(
    rawLogsExportService,
    { Export: (_call: unknown, callback: grpc.sendUnaryData<object>) => callback(null, {}) },
  );
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (error, bound) => (error ? reject(error) : resolve(bound))),
  );
  process.send?.({ port });
}

function buildRecords(count: number, firstSeq: number): EventRecord[] {
  const normalize = normalizeConfigSchema.parse({});
  const records: EventRecord[] = [];
  const nowMillis = Date.now();
  for (let seq = firstSeq; seq < firstSeq + count; seq++) records.push(benchRecord(seq, OBJECTS, { sentMicros: nowMillis * 1000, atMillis: nowMillis, observedMillis: nowMillis }, normalize));
  return records;
}

type Mode = 'full' | 'paced' | 'timers';

async function run(mode: Mode, port: number): Promise<void> {
  const directory = mkdtempSync(join(tmpdir(), 'eventide-export-bench-'));
  const compression = process.env['EXPORT_BENCH_COMPRESSION'] === 'none' ? 'none' : 'gzip';
  const config = exportConfigSchema.parse({ endpoint: `http://127.0.0.1:${port}`, queue: { directory }, compression });
  const exporter = new OtlpEventExporter(config, { logger: silentLogger(), metrics: createMetrics(), clock: systemClock, serviceVersion: '0.0.0', env: {} });
  // a pool of distinct records reused with fresh seqs: the heap holds what a sidecar holds, not 100,000 records
  const pool = buildRecords(POOL, 0);
  const record = (i: number): EventRecord => ({ ...pool[i % POOL]!, seq: i });
  for (let i = 0; i < 20_000; i++) await exporter.emit(record(i));
  await exporter.forceFlush();
  const count = mode === 'full' ? 100_000 : 3_000;
  const emit = mode === 'timers' ? () => Promise.resolve() : (i: number) => exporter.emit(record(i));
  const startCpu = process.cpuUsage();
  const startMs = performance.now();
  if (mode === 'full') {
    for (let i = 0; i < count; i++) await emit(i);
  } else {
    // 300 records/s: 3 records every 10 ms ('timers': the same wake-ups without records, the harness's own cost)
    for (let i = 0; i < count; i += 3) {
      for (let j = i; j < i + 3; j++) await emit(j);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }
  await exporter.forceFlush();
  const { user, system } = process.cpuUsage(startCpu);
  const seconds = (performance.now() - startMs) / 1000;
  await exporter.shutdown();
  rmSync(directory, { recursive: true, force: true });
  const perEvent = (micros: number): string => (micros / count).toFixed(1);
  console.log(
    `${mode.padEnd(6)} ${count} events in ${seconds.toFixed(2)} s (${compression}): ${perEvent(user + system)} µs CPU per event ` +
      `(user ${perEvent(user)}, system ${perEvent(system)}), ${((100 * (user + system)) / 1e6 / seconds).toFixed(2)}% of a core`,
  );
}

if (process.argv[2] === 'receiver') {
  await serveReceiver();
} else {
  const child = fork(fileURLToPath(import.meta.url), ['receiver'], { stdio: 'inherit' });
  const port = await new Promise<number>((resolve) => child.once('message', (message: { port: number }) => resolve(message.port)));
  const mode = process.argv[2] ?? 'all';
  try {
    for (const each of ['full', 'paced', 'timers'] as const) if (mode === each || mode === 'all') await run(each, port);
  } finally {
    child.kill();
  }
}
