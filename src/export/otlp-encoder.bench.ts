/**
 * Micro-benchmark of the OTLP request encoding (hot path): the stock `ProtobufLogsSerializer`
 * against {@link encodeLogsRequest}, on batches of 512 records built the way the benchmark's
 * sidecar builds them (bench workload → normalize → mapping, 8 namespaces, one Resource each,
 * plain SDK-shaped records around the mapped attributes object as `BatchingRecordExporter` sends
 * them; the SDK's `LogRecordImpl` would copy the attributes into a slow dictionary-mode object).
 * `npx tsx src/export/otlp-encoder.bench.ts [rounds]` or `node dist/export/otlp-encoder.bench.js`
 * after `npm run build`. Rounds alternate stock and direct; prints the best and the median ns per
 * record of each, and checks that both give the same bytes.
 */
import { performance } from 'node:perf_hooks';
import { ProtobufLogsSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes, type Resource } from '@opentelemetry/resources';
import type { ReadableLogRecord } from '@opentelemetry/sdk-logs';
import { benchRecord } from '../bench/workload.js';
import { normalizeConfigSchema } from '../normalize/config.js';
import { eventToLogRecord } from './mapping.js';
import { encodeLogsRequest } from './otlp-encoder.js';
import { toExportLogRecord } from './record-exporter.js';

const BATCH = 512;
const BATCHES = 16;
const OBJECTS = 2_000;

function buildBatches(): ReadableLogRecord[][] {
  const normalize = normalizeConfigSchema.parse({});
  const nowMillis = Date.UTC(2026, 10, 23, 12);
  const scope = { name: 'eventide', version: '0.1.0' };
  const resources = new Map<string, Resource>();
  const records: ReadableLogRecord[] = [];
  for (let seq = 0; seq < BATCH * BATCHES; seq++) {
    const mapped = eventToLogRecord(benchRecord(seq, OBJECTS, { sentMicros: nowMillis * 1000, atMillis: nowMillis, observedMillis: nowMillis + seq }, normalize));
    let resource = resources.get(mapped.namespace);
    if (!resource) {
      resource = resourceFromAttributes({ 'service.name': 'eventide', 'service.version': '0.1.0', 'k8s.cluster.name': 'bench', 'k8s.namespace.name': mapped.namespace });
      resources.set(mapped.namespace, resource);
    }
    records.push(toExportLogRecord(mapped, resource, scope, mapped.attributes, 0, undefined));
  }
  return Array.from({ length: BATCHES }, (_, i) => records.slice(i * BATCH, (i + 1) * BATCH));
}

/** ns per record of one pass over every batch. */
function round(batches: ReadableLogRecord[][], encode: (records: ReadableLogRecord[]) => Uint8Array | undefined): number {
  let bytes = 0;
  const start = performance.now();
  for (const batch of batches) bytes += encode(batch)?.length ?? 0;
  const elapsed = performance.now() - start;
  if (bytes === 0) throw new Error('nothing encoded');
  return (elapsed * 1e6) / (batches.length * BATCH);
}

function summary(name: string, samples: number[]): string {
  const sorted = [...samples].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)] ?? 0;
  return `${name.padEnd(8)} best ${sorted[0]?.toFixed(0).padStart(6)} ns/record, median ${median.toFixed(0).padStart(6)} ns/record`;
}

const rounds = Number(process.argv[2] ?? 40);
const batches = buildBatches();
const stock = (records: ReadableLogRecord[]): Uint8Array | undefined => ProtobufLogsSerializer.serializeRequest(records);
for (const batch of batches) {
  if (!Buffer.from(stock(batch) ?? []).equals(Buffer.from(encodeLogsRequest(batch)))) throw new Error('direct encoding differs from the stock serializer');
}
for (let i = 0; i < 5; i++) {
  round(batches, stock);
  round(batches, encodeLogsRequest);
}
const stockNs: number[] = [];
const directNs: number[] = [];
for (let i = 0; i < rounds; i++) {
  stockNs.push(round(batches, stock));
  directNs.push(round(batches, encodeLogsRequest));
}
const bytesPerRecord = batches.reduce((sum, b) => sum + encodeLogsRequest(b).length, 0) / (BATCH * BATCHES);
console.log(`${BATCHES} batches of ${BATCH} records, ${bytesPerRecord.toFixed(0)} bytes per record, ${rounds} alternating rounds; identical bytes`);
console.log(summary('stock', stockNs));
console.log(summary('direct', directNs));
