import { mkdtempSync } from 'node:fs';
import { createServer, connect, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type { Counter, Gauge } from 'prom-client';
import { exportConfigSchema, type ExportConfig } from '../../src/export/config.js';
import { OtlpEventExporter } from '../../src/export/otlp-exporter.js';
import { ManualClock } from '../../src/model/time.js';
import { createLogger, silentLogger, type Logger } from '../../src/observe/logger.js';
import { createMetrics, type Metrics } from '../../src/observe/metrics.js';

/** Config input accepted by exportConfigSchema (nested objects partial). */
export type ExportConfigInput = Parameters<typeof exportConfigSchema.parse>[0];

/** A parsed export config for tests: short batch delay, quick retries, the disk queue in a fresh temp directory. */
export function testConfig(input: Record<string, unknown> = {}): ExportConfig {
  const { batch, retry, queue, ...rest } = input as { batch?: object; retry?: object; queue?: object };
  return exportConfigSchema.parse({
    ...rest,
    batch: { scheduledDelayMillis: 10, ...batch },
    retry: { initialBackoffMillis: 20, maxBackoffMillis: 50, ...retry },
    queue: { directory: mkdtempSync(join(tmpdir(), 'eventide-queue-')), ...queue },
  });
}

/** An OTLP exporter wired for tests, with its metrics and a clock. */
export function makeExporter(
  input: Record<string, unknown>,
  options: { env?: NodeJS.ProcessEnv; logger?: Logger } = {},
): { exporter: OtlpEventExporter; metrics: Metrics; clock: ManualClock } {
  const metrics = createMetrics();
  const clock = new ManualClock(Date.UTC(2024, 0, 2));
  const exporter = new OtlpEventExporter(testConfig(input), {
    logger: options.logger ?? silentLogger(),
    metrics,
    clock,
    serviceVersion: '9.9.9',
    env: options.env ?? {},
  });
  return { exporter, metrics, clock };
}

/** Current value of a counter or gauge for the given labels (0 when absent). */
export async function metricValue(metric: Counter<string> | Gauge<string>, labels: Record<string, string> = {}): Promise<number> {
  const { values } = await metric.get();
  const hit = values.find((v) => Object.entries(labels).every(([k, val]) => v.labels[k] === val));
  return hit?.value ?? 0;
}

/** Resolves once `condition()` holds; polls every 5 ms, rejects after `timeoutMillis`. */
export async function until(condition: () => boolean, timeoutMillis = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMillis;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** A logger whose JSON lines are kept in `lines`. */
export function capturingLogger(): { logger: Logger; lines: () => Record<string, unknown>[] } {
  const chunks: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      chunks.push(chunk.toString());
      callback();
    },
  });
  const logger = createLogger({ level: 'debug', destination });
  return {
    logger,
    lines: () =>
      chunks
        .join('')
        .split('\n')
        .filter((l) => l.trim() !== '')
        .map((l) => JSON.parse(l) as Record<string, unknown>),
  };
}

/** A TCP proxy to `port` counting client-to-server bytes (what the exporter put on the wire). */
export async function countingProxy(port: number): Promise<{ port: number; bytes: () => number; close: () => Promise<void> }> {
  let bytes = 0;
  const sockets = new Set<{ destroy: () => void }>();
  const server: Server = createServer((client) => {
    const upstream = connect(port, '127.0.0.1');
    sockets.add(client);
    sockets.add(upstream);
    client.on('data', (d: Buffer) => {
      bytes += d.length;
    });
    client.pipe(upstream).pipe(client);
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('proxy has no port');
  return {
    port: address.port,
    bytes: () => bytes,
    close: () =>
      new Promise<void>((r) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => r());
      }),
  };
}
