/**
 * Benchmark child: the process under test. Runs either the whole eventide sidecar against the
 * simulator, or the stock OpenTelemetry JS log pipeline alone (the ceiling), and reports its
 * own CPU time and RSS.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Sidecar, assembleSidecar } from '../cli/assemble.js';
import { type HeapGrowthGovernor, startHeapGrowthGovernor } from '../cli/heap-growth.js';
import { validateConfig } from '../config/load.js';
import { Enricher } from '../enrich/enricher.js';
import { KubeConfig } from '../kube/client.js';
import { systemClock } from '../model/time.js';
import { createLogger, silentLogger } from '../observe/logger.js';
import { createMetrics } from '../observe/metrics.js';
import { KubeEventSource } from '../source/event-source.js';
import type { PreparedCeiling } from './ceiling.js';
import { deepMerge } from './detectors.js';
import { processUsage, serveRequests } from './ipc.js';

let sidecar: Sidecar | undefined;
let checkpointDir: string | undefined;
let ceiling: PreparedCeiling | undefined;
let heapGrowth: HeapGrowthGovernor | undefined;

/** Args of `startSidecar`. */
interface SidecarArgs {
  kubeconfigYaml: string;
  endpoint: string;
  /** Deep-merged over the benchmark's base config (detector switches). */
  overrides: Record<string, unknown>;
}

async function startSidecar(args: SidecarArgs): Promise<{ startedAtMillis: number }> {
  // as eventide run does
  heapGrowth ??= startHeapGrowthGovernor();
  checkpointDir = mkdtempSync(join(tmpdir(), 'eventide-bench-'));
  const base = {
    export: { endpoint: args.endpoint, queue: { directory: join(checkpointDir, 'queue') } },
    delivery: { checkpoint: { type: 'file', path: join(checkpointDir, 'checkpoint.json') } },
    server: { host: '127.0.0.1', port: 0 },
    log: { level: 'silent' },
  };
  const config = validateConfig(deepMerge(base, args.overrides), 'benchmark');
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromString(args.kubeconfigYaml);
  // EVENTIDE_BENCH_LOG=<pino level> shows the sidecar's own log on stderr (debugging a run)
  const logLevel = process.env['EVENTIDE_BENCH_LOG'];
  const logger = logLevel ? createLogger({ level: logLevel }) : silentLogger();
  const metrics = createMetrics();
  const clock = systemClock;
  const startedAtMillis = Date.now();
  sidecar = await assembleSidecar(config, {
    clock,
    logger,
    metrics,
    serviceVersion: 'bench',
    env: {},
    kubeConfig,
    serveHttp: false,
    createSource: (skips) => new KubeEventSource(config.source, { kubeConfig, clock, logger, metrics, skips, normalize: config.normalize }),
    createEnricher: (skips) => new Enricher(config.enrich, { kubeConfig, clock, logger, metrics, skips }),
  });
  await sidecar.start();
  return { startedAtMillis };
}

serveRequests({
  startSidecar: (args: SidecarArgs) => startSidecar(args),
  stopSidecar: async () => {
    heapGrowth?.stop();
    const counts = sidecar?.pipeline.counts();
    const skipped = sidecar?.skips.snapshot();
    await sidecar?.stop();
    sidecar = undefined;
    if (checkpointDir) rmSync(checkpointDir, { recursive: true, force: true });
    return { counts, skipped };
  },
  /** Loaded here, so a sidecar run has only the modules `eventide run` loads (its RSS is measured). */
  prepareCeiling: async (args: { endpoint: string; count: number; objects: number }) => {
    const { prepareCeiling } = await import('./ceiling.js');
    ceiling = prepareCeiling(args.endpoint, args.count, args.objects);
    return { records: args.count };
  },
  /** Emits the prepared records through the stock pipeline; resolves after forceFlush with the emit start time. */
  runCeiling: async () => {
    if (!ceiling) throw new Error('prepareCeiling first');
    const result = await ceiling.run();
    ceiling = undefined;
    return result;
  },
  usage: () => processUsage(),
  /** The running sidecar's counters (debugging a stalled run). */
  status: () =>
    sidecar && {
      counts: sidecar.pipeline.counts(),
      inFlight: sidecar.exporter.inFlight(),
      source: sidecar.source.status(),
      skipped: sidecar.skips.snapshot(),
    },
});
