import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { type Sidecar, assembleSidecar } from '../../src/cli/assemble.js';
import { validateConfig } from '../../src/config/load.js';
import { Enricher } from '../../src/enrich/enricher.js';
import { systemClock } from '../../src/model/time.js';
import { createLogger } from '../../src/observe/logger.js';
import { createMetrics } from '../../src/observe/metrics.js';
import { KubeEventSource } from '../../src/source/event-source.js';

/** Every log line a sidecar wrote (pino JSON, one string per line), at debug level. */
export class LogCapture {
  readonly lines: string[] = [];
  /** pino destination stream. */
  write(line: string): void {
    this.lines.push(line);
  }
  text(): string {
    return this.lines.join('');
  }
}

/**
 * A sidecar assembled as `eventide run` does, but with the process environment, the config
 * overrides and the log destination given: for tests of what reaches logs and the collector.
 */
export async function startCapturedSidecar(options: {
  kubeconfigYaml: string;
  env: NodeJS.ProcessEnv;
  overrides?: Record<string, unknown>;
  logs: LogCapture;
}): Promise<Sidecar> {
  const dir = mkdtempSync(join(tmpdir(), 'eventide-sec-'));
  const config = validateConfig(
    {
      export: { batch: { scheduledDelayMillis: 20 }, queue: { directory: join(dir, 'queue') } },
      delivery: { seriesThrottleMillis: 0, checkpoint: { type: 'file', path: join(dir, 'checkpoint.json'), intervalMillis: 100 } },
      source: { backoff: { initialMillis: 20, maxMillis: 200 } },
      server: { host: '127.0.0.1', port: 0 },
      log: { level: 'debug' },
      ...(options.overrides ?? {}),
    },
    'security test',
  );
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromString(options.kubeconfigYaml);
  const logger = createLogger({ level: 'debug', destination: options.logs });
  const clock = systemClock;
  const metrics = createMetrics();
  const sidecar = await assembleSidecar(config, {
    clock,
    logger,
    metrics,
    serviceVersion: 'test',
    env: options.env,
    kubeConfig,
    createSource: (skips) => new KubeEventSource(config.source, { kubeConfig, clock, logger, metrics, skips, normalize: config.normalize }),
    createEnricher: (skips) => new Enricher(config.enrich, { kubeConfig, clock, logger, metrics, skips }),
  });
  await sidecar.start();
  return sidecar;
}
