import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { pino } from 'pino';
import { validateConfig } from '../config/load.js';
import { Enricher } from '../enrich/enricher.js';
import { KubeConfig } from '../kube/client.js';
import { systemClock } from '../model/time.js';
import { createLogger } from '../observe/logger.js';
import { createMetrics } from '../observe/metrics.js';
import { startSimulator } from '../simulator/simulator.js';
import { KubeEventSource } from '../source/event-source.js';
import { startOtlpReceiver } from '../testkit/otlp-receiver.js';
import { assembleSidecar } from './assemble.js';
import { Dashboard } from './dashboard.js';
import type { DemoOptions } from './main.js';
import { installFailureHandler } from './run.js';
import { VERSION } from './version.js';

/** Where the demo keeps its log, ground truth and kubeconfig. */
const DEMO_DIR = '.eventide';

/**
 * `npm start`: the simulator served as a Kubernetes API on localhost, the real pipeline reading
 * it through client-node, a local OTLP/gRPC receiver (or a file), and a live terminal view.
 * Needs no cluster and no collector.
 */
export async function demoCommand(options: DemoOptions): Promise<void> {
  mkdirSync(DEMO_DIR, { recursive: true });
  const logPath = join(DEMO_DIR, 'demo.log');
  const logger = createLogger({ level: 'info', destination: pino.destination({ dest: logPath, sync: false }) });
  installFailureHandler(logger);
  const clock = systemClock;
  const metrics = createMetrics();

  const sim = await startSimulator({
    seed: options.seed,
    eventsPerSecond: options.rate,
    timeCompression: options.compression,
    // Dense enough that a short demo shows incidents; the simulator's own default is 6 per hour.
    incidentsPerHour: 60,
    groundTruthPath: join(DEMO_DIR, 'ground-truth.ndjson'),
  });
  const receiver = options.output ? undefined : await startOtlpReceiver();
  const config = validateConfig(
    {
      export: options.output ? { file: options.output } : { endpoint: receiver!.endpoint },
      delivery: { checkpoint: { type: 'none' } },
      server: { host: '127.0.0.1', port: 0 },
    },
    'demo',
  );
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromString(sim.api.kubeconfigYaml());
  const sidecar = await assembleSidecar(config, {
    clock,
    logger,
    metrics,
    serviceVersion: VERSION,
    env: {},
    kubeConfig,
    createSource: (skips) => new KubeEventSource(config.source, { kubeConfig, clock, logger, metrics, skips, normalize: config.normalize }),
    createEnricher: (skips) => new Enricher(config.enrich, { kubeConfig, clock, logger, metrics, skips }),
  });

  // The receiver keeps what it receives; the demo only counts, so memory stays flat on long runs.
  let receivedBefore = 0;
  const received = (): number => {
    if (!receiver) return 0;
    const held = receiver.records().length;
    if (held < 10_000) return receivedBefore + held;
    receivedBefore += held;
    receiver.clear();
    return receivedBefore;
  };
  const dashboard = new Dashboard(
    {
      clock,
      incidents: () => sidecar.correlator.recentIncidents(200).filter((i) => i.maxSeverity !== 'Info'),
      openIncidents: () => sidecar.correlator.openGroups(),
      status: () => ({
        simulated: sim.emitted(),
        injected_incidents: sim.incidents().length,
        ...(receiver ? { otlp_received: received() } : { file: options.output ?? '' }),
        in_flight: sidecar.exporter.inFlight(),
        skipped: sidecar.skips.count(),
        source: sidecar.source.status().watching ? 'watching' : 'connecting',
      }),
    },
    { tty: Boolean(process.stdout.isTTY) && !options.plain, refreshMillis: options.plain || !process.stdout.isTTY ? 2000 : 500 },
  );
  sidecar.pipeline.addObserver(dashboard);

  await sidecar.start();
  sim.start();
  dashboard.start();
  process.stderr.write(
    `eventide demo: simulator ${sim.api.url}, ${receiver ? `OTLP receiver ${receiver.endpoint}` : `records to ${options.output}`}, ` +
      `metrics ${sidecar.http?.url}/metrics, log ${logPath}\n`,
  );

  await new Promise<void>((resolve) => {
    const timer = options.duration > 0 ? setTimeout(resolve, options.duration * 1000) : undefined;
    const onSignal = (): void => {
      if (timer) clearTimeout(timer);
      resolve();
    };
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
  });

  sim.stop();
  await sidecar.stop();
  dashboard.stop();
  const counts = sidecar.pipeline.counts();
  process.stdout.write(
    `\n${JSON.stringify({
      simulated: sim.emitted(),
      injectedIncidents: sim.incidents().length,
      exported: counts.exported,
      duplicatesDropped: counts.duplicates,
      findings: counts.findings,
      received: received(),
      skipped: sidecar.skips.snapshot(),
      groundTruth: join(DEMO_DIR, 'ground-truth.ndjson'),
    })}\n`,
  );
  await receiver?.close();
  await sim.close();
}
