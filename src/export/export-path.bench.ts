/**
 * Benchmark of the whole export stage (mapping, batching, encoding, gzip, gRPC, acks) without
 * the rest of the pipeline: an {@link OtlpEventExporter} with the default config sends event
 * records built the way the benchmark's sidecar sees them to an OTLP/gRPC receiver in a child
 * process that only answers. Reports CPU of this process (user + system, all threads) per event:
 *
 * - `full`: 100,000 records emitted as fast as backpressure allows;
 * - `paced`: 300 records/s for 10 s (a batch of ~60 every 200 ms, as at the normal rate).
 *
 * `node dist/export/export-path.bench.js [full|paced|both]` after `npm run build`.
 */
import { fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import { benchEvent, benchPod } from '../bench/workload.js';
import type { EventRecord } from '../model/event.js';
import { systemClock } from '../model/time.js';
import { normalizeConfigSchema } from '../normalize/config.js';
import { normalizeEvent } from '../normalize/normalize.js';
import { silentLogger } from '../observe/logger.js';
import { createMetrics } from '../observe/metrics.js';
import { exportConfigSchema } from './config.js';
import { OtlpEventExporter } from './otlp-exporter.js';

const OBJECTS = 2_000;
const POOL = 4_096;

/** The child: a gRPC LogsService/Export that answers every request without decoding it. */
async function serveReceiver(): Promise<void> {
  const identity = (value: Buffer): Buffer => value;
  const server = new grpc.Server();
  server.addService(
    {
      Export: {
        path: '/opentelemetry.proto.collector.logs.v1.LogsService/Export',
        requestStream: false,
        responseStream: false,
        requestSerialize: identity,
        requestDeserialize: identity,
        responseSerialize: () => Buffer.alloc(0),
        responseDeserialize: () => ({}),
      },
    },
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
  for (let seq = firstSeq; seq < firstSeq + count; seq++) {
    const raw = benchEvent(seq, OBJECTS, nowMillis * 1000, nowMillis);
    const normalized = normalizeEvent({ ...raw, metadata: { ...(raw['metadata'] as object), uid: `uid-${seq}`, resourceVersion: String(seq + 1) } }, 'v1', nowMillis, normalize);
    if (!normalized.ok) throw new Error(`event ${seq} did not normalize`);
    const pod = benchPod(seq % OBJECTS);
    records.push({
      event: normalized.event,
      seq,
      enrichment: { nodeName: pod.node, podName: pod.name, podUid: pod.uid },
      classification: { category: 'Pod.Lifecycle', severity: normalized.event.type === 'Warning' ? 'Medium' : 'Info', ruleId: 'bench', escalated: false },
      correlationId: `c-${(seq % OBJECTS).toString(16).padStart(16, '0')}`,
    });
  }
  return records;
}

/** CPU µs of this process since `from`. */
function cpuMicrosSince(from: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(from);
  return used.user + used.system;
}

async function run(mode: 'full' | 'paced', port: number): Promise<void> {
  const directory = mkdtempSync(join(tmpdir(), 'eventide-export-bench-'));
  const config = exportConfigSchema.parse({ endpoint: `http://127.0.0.1:${port}`, queue: { directory } });
  const exporter = new OtlpEventExporter(config, { logger: silentLogger(), metrics: createMetrics(), clock: systemClock, serviceVersion: '0.0.0', env: {} });
  // a pool of distinct records reused with fresh seqs: the heap holds what a sidecar holds, not 100,000 records
  const pool = buildRecords(POOL, 0);
  const record = (i: number): EventRecord => ({ ...pool[i % POOL]!, seq: i });
  for (let i = 0; i < 20_000; i++) await exporter.emit(record(i));
  await exporter.forceFlush();
  const count = mode === 'full' ? 100_000 : 3_000;
  const startCpu = process.cpuUsage();
  const startMs = performance.now();
  if (mode === 'full') {
    for (let i = 0; i < count; i++) await exporter.emit(record(i));
  } else {
    // 300 records/s: 3 records every 10 ms
    for (let i = 0; i < count; i += 3) {
      for (let j = i; j < i + 3; j++) await exporter.emit(record(j));
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }
  await exporter.forceFlush();
  const cpuMicros = cpuMicrosSince(startCpu);
  const seconds = (performance.now() - startMs) / 1000;
  await exporter.shutdown();
  rmSync(directory, { recursive: true, force: true });
  console.log(
    `${mode.padEnd(6)} ${count} events in ${seconds.toFixed(2)} s: ${(cpuMicros / count).toFixed(1)} µs CPU per event, ${((100 * cpuMicros) / 1e6 / seconds).toFixed(1)}% of a core`,
  );
}

if (process.argv[2] === 'receiver') {
  await serveReceiver();
} else {
  const child = fork(fileURLToPath(import.meta.url), ['receiver'], { stdio: 'inherit' });
  const port = await new Promise<number>((resolve) => child.once('message', (message: { port: number }) => resolve(message.port)));
  const mode = process.argv[2] ?? 'both';
  try {
    if (mode === 'full' || mode === 'both') await run('full', port);
    if (mode === 'paced' || mode === 'both') await run('paced', port);
  } finally {
    child.kill();
  }
}
