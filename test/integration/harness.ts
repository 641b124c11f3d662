import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { type Sidecar, assembleSidecar } from '../../src/cli/assemble.js';
import { validateConfig } from '../../src/config/load.js';
import type { EventideConfig } from '../../src/config/schema.js';
import { Enricher } from '../../src/enrich/enricher.js';
import { systemClock } from '../../src/model/time.js';
import { silentLogger } from '../../src/observe/logger.js';
import { createMetrics } from '../../src/observe/metrics.js';
import { KubeEventSource } from '../../src/source/event-source.js';
import type { SimulatorHandle } from '../../src/simulator/simulator.js';
import type { OtlpReceiver, ReceivedRecord } from '../../src/testkit/otlp-receiver.js';

/** A sidecar wired to a simulator's kubeconfig and a receiver, as `eventide run` would be. */
export async function startSidecar(
  kubeconfigYaml: string,
  receiver: OtlpReceiver,
  overrides: Record<string, unknown> = {},
  checkpointDir: string = mkdtempSync(join(tmpdir(), 'eventide-it-')),
): Promise<{ sidecar: Sidecar; config: EventideConfig; checkpointDir: string }> {
  const base = {
    export: { endpoint: receiver.endpoint, batch: { scheduledDelayMillis: 20 }, queue: { directory: join(checkpointDir, 'queue') } },
    delivery: { seriesThrottleMillis: 0, checkpoint: { type: 'file', path: join(checkpointDir, 'checkpoint.json'), intervalMillis: 100 } },
    source: { backoff: { initialMillis: 20, maxMillis: 200 } },
    server: { host: '127.0.0.1', port: 0 },
    log: { level: 'silent' },
    // Findings as Kubernetes Events come back through the watch; tests that count Events opt in.
    anomaly: { events: { enabled: false } },
  };
  const config = validateConfig(deepMerge(base, overrides), 'integration test');
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromString(kubeconfigYaml);
  const logger = silentLogger();
  const clock = systemClock;
  const metrics = createMetrics();
  const sidecar = await assembleSidecar(config, {
    clock,
    logger,
    metrics,
    serviceVersion: 'test',
    env: {},
    kubeConfig,
    createSource: (skips) => new KubeEventSource(config.source, { kubeConfig, clock, logger, metrics, skips, normalize: config.normalize }),
    createEnricher: (skips) => new Enricher(config.enrich, { kubeConfig, clock, logger, metrics, skips }),
  });
  await sidecar.start();
  return { sidecar, config, checkpointDir };
}

/** Records of Events (not anomaly findings) the receiver holds. */
export function eventRecords(receiver: OtlpReceiver): ReceivedRecord[] {
  return receiver.records().filter((r) => r.eventName !== 'eventide.anomaly');
}

/** uid → final count of every Event the simulated API server holds. */
export function storedEvents(sim: SimulatorHandle): Map<string, number> {
  const out = new Map<string, number>();
  for (const obj of sim.api.store.list('events')) {
    const o = obj as { metadata: { uid: string }; count?: number; series?: { count?: number } };
    out.set(o.metadata.uid, o.series?.count ?? o.count ?? 1);
  }
  return out;
}

/** One receiver, or several that stood in for the collector one after the other (an outage). */
export type Receivers = OtlpReceiver | readonly OtlpReceiver[];

/** Event records of one or several receivers. */
export function recordsOf(receivers: Receivers): ReceivedRecord[] {
  return Array.isArray(receivers) ? receivers.flatMap((r: OtlpReceiver) => eventRecords(r)) : eventRecords(receivers as OtlpReceiver);
}

/** uid → highest count exported, and records per delivery id (`log.record.uid`). */
export function exported(receivers: Receivers): { counts: Map<string, number>; deliveries: Map<string, number> } {
  const counts = new Map<string, number>();
  const deliveries = new Map<string, number>();
  for (const r of recordsOf(receivers)) {
    const uid = String(r.attributes['k8s.event.uid']);
    counts.set(uid, Math.max(counts.get(uid) ?? 0, Number(r.attributes['k8s.event.count'])));
    const key = String(r.attributes['log.record.uid']);
    deliveries.set(key, (deliveries.get(key) ?? 0) + 1);
  }
  return { counts, deliveries };
}

/** Stored Events (those in `only`, when given) not yet exported at their final count, as [uid, count]. */
export function lacking(sim: SimulatorHandle, receivers: Receivers, only?: ReadonlySet<string>): Array<[string, number]> {
  const { counts } = exported(receivers);
  return [...storedEvents(sim)].filter(([uid, c]) => (only === undefined || only.has(uid)) && (counts.get(uid) ?? 0) < c);
}

/** Waits until every stored Event (in `only`, when given) was exported at its final count. */
export async function allOut(
  sim: SimulatorHandle,
  receivers: Receivers,
  options: { only?: ReadonlySet<string>; timeoutMillis?: number } = {},
): Promise<void> {
  const { only, timeoutMillis = 30_000 } = options;
  await eventually(
    () => lacking(sim, receivers, only).length === 0,
    () => `${lacking(sim, receivers, only).length} of ${storedEvents(sim).size} Events not exported at their final count, e.g. ${JSON.stringify(lacking(sim, receivers, only).slice(0, 3))}`,
    timeoutMillis,
  );
}

/** Deliveries (`log.record.uid`) received more than once, with how often. */
export function doubled(receivers: Receivers): Array<[string, number]> {
  return [...exported(receivers).deliveries].filter(([, n]) => n > 1);
}

/** Records beyond the first of each delivery (`log.record.uid`). */
export function duplicates(receivers: Receivers): number {
  return doubled(receivers).reduce((sum, [, n]) => sum + n - 1, 0);
}

/** Waits until `predicate` holds, polling; fails with `describe()` after the timeout. */
export async function eventually(predicate: () => boolean, describe: () => string, timeoutMillis = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMillis;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out: ${describe()}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

function deepMerge(a: Record<string, unknown>, b: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...a };
  for (const [k, v] of Object.entries(b)) {
    const prev = out[k];
    out[k] =
      v && typeof v === 'object' && !Array.isArray(v) && prev && typeof prev === 'object' && !Array.isArray(prev)
        ? deepMerge(prev as Record<string, unknown>, v as Record<string, unknown>)
        : v;
  }
  return out;
}
