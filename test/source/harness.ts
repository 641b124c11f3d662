import { KubeConfig } from '@kubernetes/client-node';
import type { Counter } from 'prom-client';
import { startApiServer, type ApiServerHandle, type ApiServerOptions } from '../../src/simulator/apiserver.js';
import type { KEvent } from '../../src/model/event.js';
import { ManualClock } from '../../src/model/time.js';
import { createMetrics, type Metrics } from '../../src/observe/metrics.js';
import { silentLogger } from '../../src/observe/logger.js';
import { SkipReporter } from '../../src/observe/skips.js';
import { normalizeConfigSchema } from '../../src/normalize/config.js';
import type { Scheduler } from '../../src/source/scheduler.js';
import type { DeliveryOrigin, EventSink } from '../../src/source/types.js';

/** A simulator API server plus a KubeConfig pointing at it. */
export interface Sim {
  server: ApiServerHandle;
  kc: KubeConfig;
}

export async function startSim(options: ApiServerOptions = {}): Promise<Sim> {
  const server = await startApiServer(options);
  const kc = new KubeConfig();
  kc.loadFromString(server.kubeconfigYaml());
  return { server, kc };
}

let seq = 0;
/** A core/v1-shaped Event for `store.create('events', ...)`. */
export function coreEvent(namespace: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  seq++;
  return {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: { name: `pod-${seq}.${seq.toString(16)}`, namespace },
    involvedObject: { kind: 'Pod', name: `pod-${seq}`, namespace, uid: `pod-uid-${seq}`, apiVersion: 'v1' },
    reason: 'BackOff',
    message: `Back-off restarting failed container ${seq}`,
    type: 'Warning',
    source: { component: 'kubelet', host: 'node-1' },
    firstTimestamp: '2026-01-01T10:00:00Z',
    lastTimestamp: '2026-01-01T10:00:00Z',
    count: 1,
    ...extra,
  };
}

/** Creates `n` events in `namespace`; returns their stored objects. */
export function createEvents(sim: Sim, namespace: string, n: number, extra: Record<string, unknown> = {}): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  for (let i = 0; i < n; i++) out.push(sim.server.store.create('events', coreEvent(namespace, extra)));
  return out;
}

/** A sink that records deliveries; `hold()` makes deliveries wait until `release()`. */
export class RecordingSink implements EventSink {
  readonly deliveries: { event: KEvent; origin: DeliveryOrigin }[] = [];
  inFlight = 0;
  maxInFlight = 0;
  private gate?: Promise<void>;
  private open?: () => void;
  /** Called at the start of each delivery (tests observe the source state here). */
  onDeliver?: () => void;

  async deliver(event: KEvent, origin: DeliveryOrigin): Promise<void> {
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    this.onDeliver?.();
    try {
      if (this.gate) await this.gate;
      this.deliveries.push({ event, origin });
    } finally {
      this.inFlight--;
    }
  }
  hold(): void {
    this.gate = new Promise((resolve) => (this.open = resolve));
  }
  release(): void {
    this.gate = undefined;
    this.open?.();
  }
  uids(origin?: DeliveryOrigin): string[] {
    return this.deliveries.filter((d) => origin === undefined || d.origin === origin).map((d) => d.event.uid);
  }
}

/** Polls `cond` until true (fails after `timeoutMs`). Waits for progress only: assertions never depend on timing. */
export async function waitUntil(cond: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const start = Date.now();
  while (!cond()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for: ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** Scheduler whose sleeps return at once and are recorded; timers are real. */
export function recordingScheduler(): Scheduler & { sleeps: number[] } {
  const sleeps: number[] = [];
  return {
    sleeps,
    sleep: (ms) => {
      sleeps.push(ms);
      return new Promise((r) => setImmediate(r));
    },
    setTimer: (fn, ms) => {
      const t = setTimeout(fn, ms);
      return () => clearTimeout(t);
    },
  };
}

/** Common deps of sources and enrichers under test. */
export function testDeps(kc: KubeConfig): { kubeConfig: KubeConfig; clock: ManualClock; logger: ReturnType<typeof silentLogger>; metrics: Metrics; skips: SkipReporter; normalize: ReturnType<typeof normalizeConfigSchema.parse> } {
  const logger = silentLogger();
  const metrics = createMetrics();
  return { kubeConfig: kc, clock: new ManualClock(Date.UTC(2026, 0, 1, 12)), logger, metrics, skips: new SkipReporter(logger, metrics), normalize: normalizeConfigSchema.parse({}) };
}

/** Value of a counter for the given labels (0 when absent). */
export async function counterValue<T extends string>(counter: Counter<T>, labels: Partial<Record<T, string>> = {}): Promise<number> {
  const { values } = await counter.get();
  return values
    .filter((v) => Object.entries(labels).every(([k, val]) => (v.labels as Record<string, unknown>)[k] === val))
    .reduce((a, v) => a + v.value, 0);
}
