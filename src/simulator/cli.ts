import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Logger } from '../observe/logger.js';
import type { SimulatorConfig } from './config.js';
import { startSimulator } from './simulator.js';

/** Options of {@link runSimulateCommand}: the simulator config plus where to write the kubeconfig. */
export type SimulateCommandConfig = SimulatorConfig & {
  /** File the kubeconfig for the simulated API server is written to (parent folders are created). */
  kubeconfigPath: string;
  /** API server port. Default 0 (any free port). */
  port?: number;
  /** Stop after this many wall seconds. Default: run until SIGINT/SIGTERM. */
  durationSeconds?: number;
};

/** Interval of the progress log line, wall ms. */
const PROGRESS_MILLIS = 10_000;

/**
 * `eventide simulate`: starts the simulator, writes its kubeconfig, generates events on a timer,
 * logs progress, and closes on SIGINT/SIGTERM or after `durationSeconds`.
 */
export async function runSimulateCommand(config: SimulateCommandConfig, logger: Logger): Promise<void> {
  const { kubeconfigPath, port, durationSeconds, ...simConfig } = config;
  const sim = await startSimulator({ ...simConfig, ...(port !== undefined ? { port } : {}) });
  await mkdir(dirname(kubeconfigPath), { recursive: true });
  await sim.api.writeKubeconfig(kubeconfigPath);
  logger.info(
    { url: sim.api.url, kubeconfig: kubeconfigPath, groundTruth: simConfig.groundTruthPath || undefined, eventsPerSecond: simConfig.eventsPerSecond, timeCompression: simConfig.timeCompression },
    `simulated Kubernetes API on ${sim.api.url}; export KUBECONFIG=${kubeconfigPath}`,
  );
  sim.start();
  const progress = setInterval(() => {
    const stats = sim.api.stats();
    logger.info({ emitted: sim.emitted(), simTime: new Date(sim.simNow()).toISOString(), incidents: sim.incidents().length, openWatches: stats.openWatches }, 'simulator progress');
  }, PROGRESS_MILLIS);
  progress.unref();
  await new Promise<void>((resolve) => {
    const done = (): void => {
      process.off('SIGINT', done);
      process.off('SIGTERM', done);
      if (timer) clearTimeout(timer);
      resolve();
    };
    const timer = durationSeconds !== undefined && durationSeconds > 0 ? setTimeout(done, durationSeconds * 1000) : undefined;
    process.once('SIGINT', done);
    process.once('SIGTERM', done);
  });
  clearInterval(progress);
  await sim.close();
  logger.info({ emitted: sim.emitted(), incidents: sim.incidents().length }, 'simulator stopped');
}
