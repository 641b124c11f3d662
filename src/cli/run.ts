import { loadConfig } from '../config/load.js';
import type { EventideConfig } from '../config/schema.js';
import { Enricher } from '../enrich/enricher.js';
import { systemClock } from '../model/time.js';
import { createLogger, type Logger } from '../observe/logger.js';
import { createMetrics } from '../observe/metrics.js';
import { KubeEventSource } from '../source/event-source.js';
import { ReplaySource } from '../source/replay.js';
import { type Sidecar, assembleSidecar } from './assemble.js';
import { loadKubeConfig } from './kubeconfig.js';
import { VERSION } from './version.js';

/** `eventide run`: the sidecar against a cluster. */
export async function runCommand(options: { config?: string; kubeconfig?: string }): Promise<void> {
  const config = loadConfig(options.config);
  const logger = createLogger({ level: config.log.level });
  const kubeConfig = loadKubeConfig(options.kubeconfig);
  const clock = systemClock;
  const metrics = createMetrics();
  logger.info({ version: VERSION, cluster: kubeConfig.getCurrentCluster()?.server }, 'eventide starting');
  const sidecar = await assembleSidecar(config, {
    clock,
    logger,
    metrics,
    serviceVersion: VERSION,
    env: process.env,
    kubeConfig,
    createSource: (skips) => new KubeEventSource(config.source, { kubeConfig, clock, logger, metrics, skips, normalize: config.normalize }),
    createEnricher: (skips) => new Enricher(config.enrich, { kubeConfig, clock, logger, metrics, skips }),
  });
  await runUntilSignal(sidecar, logger);
}

/** `eventide replay FILE`: the pipeline over a recorded file, then exit. */
export async function replayCommand(file: string, options: { config?: string; speed: number }): Promise<void> {
  const config: EventideConfig = loadConfig(options.config);
  const logger = createLogger({ level: config.log.level });
  const clock = systemClock;
  const metrics = createMetrics();
  let replay: ReplaySource | undefined;
  const sidecar = await assembleSidecar(config, {
    clock,
    logger,
    metrics,
    serviceVersion: VERSION,
    env: process.env,
    serveHttp: false,
    createSource: (skips) => {
      replay = new ReplaySource({ path: file, speed: options.speed }, { clock, logger, metrics, skips, normalize: config.normalize });
      return replay;
    },
  });
  installFailureHandler(logger);
  await sidecar.start();
  await replay?.done();
  await sidecar.stop();
  process.stdout.write(`${JSON.stringify({ file, ...sidecar.pipeline.counts(), skipped: sidecar.skips.snapshot() })}\n`);
}

/** Starts the sidecar and stops it gracefully on SIGTERM/SIGINT (within the pod's grace period). */
export async function runUntilSignal(sidecar: Sidecar, logger: Logger): Promise<void> {
  installFailureHandler(logger);
  await sidecar.start();
  await new Promise<void>((resolve) => {
    const onSignal = (signal: NodeJS.Signals): void => {
      logger.info({ signal }, 'stopping');
      sidecar.stop().then(resolve, (err: unknown) => {
        logger.error({ err }, 'error while stopping');
        process.exitCode = 1;
        resolve();
      });
    };
    process.once('SIGTERM', onSignal);
    process.once('SIGINT', onSignal);
  });
}

let handlerInstalled = false;

/** One handler for every async failure nobody awaited: logged, and the process keeps running. */
export function installFailureHandler(logger: Logger): void {
  if (handlerInstalled) return;
  handlerInstalled = true;
  process.on('unhandledRejection', (reason) => logger.error({ err: reason }, 'unhandled async failure'));
}
