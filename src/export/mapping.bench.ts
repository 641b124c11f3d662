/**
 * Micro-benchmark of the export mapping (hot path): `npx tsx src/export/mapping.bench.ts`
 * (or `node dist/export/mapping.bench.js` after `npm run build`). Prints ns per record: the
 * mapping of a fully enriched record, of the benchmark workload's records (what the sidecar
 * maps in `eventide bench`), `log.record.uid` alone, and an anomaly finding.
 */
import { performance } from 'node:perf_hooks';
import type { EventRecord, Finding } from '../model/event.js';
import { benchRecord } from '../bench/workload.js';
import { normalizeConfigSchema } from '../normalize/config.js';
import { eventToLogRecord, findingToLogRecord } from './mapping.js';
import { eventRecordUid } from './record-uid.js';

const T0 = Date.UTC(2024, 0, 1);

function record(i: number): EventRecord {
  return {
    seq: i,
    event: {
      uid: `0b6c3f2e-${(i % 5000).toString(16).padStart(4, '0')}-4a5b-9c8d-1e2f3a4b5c6d`,
      name: `web-${i % 300}.17a1b2c3d4e5f6a7`,
      namespace: `ns-${i % 40}`,
      resourceVersion: String(100_000 + i),
      sourceApi: i % 2 === 0 ? 'events.k8s.io/v1' : 'v1',
      reason: i % 3 === 0 ? 'BackOff' : 'FailedMount',
      note: 'Back-off restarting failed container web in pod web-1_shop(2b0c...)',
      type: 'Warning',
      action: i % 2 === 0 ? 'Restarting' : '',
      reportingController: 'kubelet',
      reportingInstance: `node-${i % 20}`,
      regarding: { kind: 'Pod', name: `web-${i % 300}`, namespace: `ns-${i % 40}`, uid: `pod-${i % 300}`, apiVersion: 'v1', fieldPath: 'spec.containers{web}', resourceVersion: String(i) },
      count: 1 + (i % 17),
      timeMs: T0 + i,
      startTimeMs: T0,
      observedTimeMs: T0 + i + 3,
      truncated: false,
    },
    enrichment: { nodeName: `node-${i % 20}`, podName: `web-${i % 300}`, podUid: `pod-${i % 300}`, workload: { kind: 'Deployment', name: 'web' } },
    classification: { category: 'Pod.Restart', severity: 'High', ruleId: 'pod-restart', escalated: false },
    correlationId: `inc-${i % 50}`,
  };
}

function bench(name: string, iterations: number, fn: (i: number) => unknown): void {
  let sink = 0;
  for (let i = 0; i < 10_000; i++) sink += fn(i) ? 1 : 0; // warm-up
  const start = performance.now();
  for (let i = 0; i < iterations; i++) sink += fn(i) ? 1 : 0;
  const elapsedMs = performance.now() - start;
  const nsPerOp = (elapsedMs * 1e6) / iterations;
  console.log(`${name.padEnd(22)} ${nsPerOp.toFixed(0).padStart(7)} ns/op  ${Math.round(1e9 / nsPerOp).toLocaleString('en-US').padStart(12)} ops/s  (${sink === -1 ? '' : 'ok'})`);
}

const records = Array.from({ length: 4096 }, (_, i) => record(i));
const normalize = normalizeConfigSchema.parse({});
const workload = Array.from({ length: 4096 }, (_, seq) => benchRecord(seq, 2_000, { sentMicros: T0 * 1000, atMillis: T0, observedMillis: T0 + seq }, normalize));
const finding: Finding = {
  detector: 'isolation_forest',
  kind: 'frequency',
  score: 1.7,
  key: 'shop/BackOff',
  windowStartMs: T0,
  windowEndMs: T0 + 60_000,
  modelVersion: 'if-1',
  body: 'BackOff rate in shop is anomalous',
  timeMs: T0 + 60_000,
  subject: { event: records[0]!.event, enrichment: records[0]!.enrichment, correlationId: 'inc-1' },
};

const iterations = Number(process.argv[2] ?? 200_000);
bench('eventToLogRecord', iterations, (i) => eventToLogRecord(records[i & 4095]!, { clusterName: 'bench' }));
bench('  bench workload', iterations, (i) => eventToLogRecord(workload[i & 4095]!));
bench('eventRecordUid', iterations, (i) => {
  const event = workload[i & 4095]!.event;
  return eventRecordUid(event.uid, event.count, event.namespace, event.name);
});
bench('findingToLogRecord', iterations, () => findingToLogRecord(finding, { observedTimeMs: T0 }));
