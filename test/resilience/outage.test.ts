import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Sidecar } from '../../src/cli/assemble.js';
import { type SimulatorHandle, startSimulator } from '../../src/simulator/simulator.js';
import { type OtlpReceiver, startOtlpReceiver } from '../../src/testkit/otlp-receiver.js';
import { allOut, duplicates, lacking, startSidecar, storedEvents } from '../integration/harness.js';

/**
 * Collector outage through the whole sidecar (simulated API → eventide → OTLP/gRPC receiver):
 * the receiver goes away mid-stream and a new one comes back on the same port. Events in (the
 * API server's store) are counted against records out (both receivers together).
 */

const BATCH = 20;

/** Sum of a metric's samples on the sidecar's /metrics (matching a label fragment such as `reason="disk_full"`). */
async function metric(sidecar: Sidecar, name: string, labels = ''): Promise<number> {
  const text = await (await fetch(`${sidecar.http!.url}/metrics`)).text();
  return text
    .split('\n')
    .filter((line) => line.startsWith(name) && (line[name.length] === ' ' || line[name.length] === '{') && line.includes(labels))
    .reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(' ') + 1)), 0);
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('collector outage: memory queue, disk spill, in-order drain', () => {
  let sim: SimulatorHandle | undefined;
  let sidecar: Sidecar | undefined;
  const receivers: OtlpReceiver[] = [];

  afterEach(async () => {
    await sidecar?.stop();
    for (const r of receivers.splice(0)) await r.close();
    await sim?.close();
    sidecar = undefined;
  });

  async function setUp(seed: number, queue: Record<string, unknown>): Promise<{ port: number; directory: string }> {
    sim = await startSimulator({ seed });
    const receiver = await startOtlpReceiver();
    receivers.push(receiver);
    sim.generate(200);
    const directory = mkdtempSync(join(tmpdir(), 'eventide-outage-'));
    ({ sidecar } = await startSidecar(sim.api.kubeconfigYaml(), receiver, {
      export: {
        batch: { maxExportBatchSize: BATCH, scheduledDelayMillis: 20 },
        retry: { initialBackoffMillis: 50, maxBackoffMillis: 300 },
        queue: { directory: join(directory, 'queue'), maxMemoryRecords: 100, ...queue },
      },
      pattern: { enabled: false },
    }, directory));
    await allOut(sim, receivers, { timeoutMillis: 60_000 });
    return { port: receiver.port, directory };
  }

  it('every Event arrives at least once after the collector was away mid-stream; duplicates only from the retry window', async () => {
    const { port } = await setUp(41, {});
    await receivers[0]!.close(); // the collector goes away
    for (let i = 0; i < 10; i++) {
      sim!.generate(100);
      await sleep(30);
    }
    await metricReaches(sidecar!, 'eventide_export_queue_spilled_records_total', '', (v) => v > 0);
    expect(await metric(sidecar!, 'eventide_export_retries_total')).toBeGreaterThan(0);
    expect(await metric(sidecar!, 'eventide_export_queue_records', 'tier="disk"')).toBeGreaterThan(0);

    receivers.push(await startOtlpReceiver({ port })); // it comes back on the same port
    for (let i = 0; i < 3; i++) {
      sim!.generate(50);
      await sleep(30);
    }
    await allOut(sim!, receivers, { timeoutMillis: 60_000 });
    await metricReaches(sidecar!, 'eventide_export_queue_records', 'tier="disk"', (v) => v === 0);
    // a request in flight when the collector went away may have arrived without its answer: at most one batch again
    expect(duplicates(receivers)).toBeLessThanOrEqual(BATCH);
    expect(await metric(sidecar!, 'eventide_export_dropped_records_total')).toBe(0);
    expect(await metric(sidecar!, 'eventide_export_batches_total', 'result="failure"')).toBe(0);
    expect(sidecar!.skips.count()).toBe(0);
  });

  it('past the disk cap the OLDEST queued records are dropped and counted; the newest survive', { timeout: 90_000 }, async () => {
    const { port } = await setUp(42, { maxMemoryRecords: 300, maxDiskBytes: 300_000, segmentBytes: 50_000 });
    await receivers[0]!.close();
    const before = new Set(storedEvents(sim!).keys());
    for (let i = 0; i < 15; i++) {
      sim!.generate(100);
      await sleep(20);
    }
    await metricReaches(sidecar!, 'eventide_export_dropped_records_total', 'reason="disk_full"', (v) => v > 0);
    const beforeLast = new Set(storedEvents(sim!).keys());
    sim!.generate(30); // the disk holds about 200 records of ~1.5 kB: the newest fit
    const newest = new Set([...storedEvents(sim!).keys()].filter((uid) => !beforeLast.has(uid)));
    expect(newest.size).toBeGreaterThan(0);
    await metricReaches(sidecar!, 'eventide_events_exported_total', '', (v) => v >= before.size + 1);
    await sleep(200); // let the last records reach the queue before the collector returns

    receivers.push(await startOtlpReceiver({ port }));
    await allOut(sim!, receivers, { only: newest, timeoutMillis: 60_000 }); // the newest Events all arrive
    await metricReaches(sidecar!, 'eventide_export_queue_records', 'tier="disk"', (v) => v === 0);
    const dropped = await metric(sidecar!, 'eventide_export_dropped_records_total', 'reason="disk_full"');
    const missing = lacking(sim!, receivers).length;
    expect(missing).toBeGreaterThan(0); // some older Events were dropped ...
    expect(missing).toBeLessThanOrEqual(dropped); // ... and every one of them is counted
    expect(await metric(sidecar!, 'eventide_export_queue_disk_bytes')).toBe(0);
  });
});

/** Waits until a metric satisfies `predicate`. */
async function metricReaches(sidecar: Sidecar, name: string, labels: string, predicate: (value: number) => boolean): Promise<void> {
  let value = await metric(sidecar, name, labels);
  const deadline = Date.now() + 30_000;
  while (!predicate(value)) {
    if (Date.now() > deadline) throw new Error(`timed out: ${name}{${labels}} is ${value}`);
    await sleep(25);
    value = await metric(sidecar, name, labels);
  }
}
