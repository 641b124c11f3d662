import { createLogger } from '../observe/logger.js';
import { runSimulateCommand } from '../simulator/cli.js';
import { simulatorConfigSchema } from '../simulator/config.js';
import type { SimulateOptions } from './main.js';

/** `eventide simulate`: a simulated cluster served as the Kubernetes HTTP API on localhost. */
export async function simulateCommand(options: SimulateOptions): Promise<void> {
  const logger = createLogger();
  const config = simulatorConfigSchema.parse({
    seed: options.seed,
    eventsPerSecond: options.rate,
    timeCompression: options.compression,
    groundTruthPath: options.groundTruth,
    servesEventsV1: options.eventsV1,
  });
  await runSimulateCommand({ ...config, kubeconfigPath: options.kubeconfigOut, port: options.port, durationSeconds: options.duration }, logger);
}
