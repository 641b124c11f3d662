import { join } from 'node:path';
import { ConfigError, loadConfig } from '../config/load.js';
import type { EventideConfig } from '../config/schema.js';
import { Enricher } from '../enrich/enricher.js';
import type { KubeConfig } from '../kube/client.js';
import { leaderConfigProblems } from '../leader/config.js';
import { resolveIdentity, resolveLeaseNamespace } from '../leader/identity.js';
import { LeaderReplica } from '../leader/replica.js';
import { type Shard, shardCheckpoint } from '../leader/shard.js';
import { type Clock, systemClock } from '../model/time.js';
import { createLogger, type Logger } from '../observe/logger.js';
import { type Metrics, createMetrics } from '../observe/metrics.js';
import { KubeEventSource } from '../source/event-source.js';
import { ReplaySource } from '../source/replay.js';
import { type Sidecar, assembleSidecar } from './assemble.js';
import { loadKubeConfig } from './kubeconfig.js';
import { startHeapGrowthGovernor } from './heap-growth.js';
import { VERSION } from './version.js';

/** `eventide run`: the sidecar against a cluster. */
export async function runCommand(options: { config?: string; kubeconfig?: string }): Promise<void> {
  const config = loadConfig(options.config);
  startHeapGrowthGovernor();
  const logger = createLogger({ level: config.log.level });
  const kubeConfig = loadKubeConfig(options.kubeconfig);
  const clock = systemClock;
  const metrics = createMetrics();
  logger.info({ version: VERSION, cluster: kubeConfig.getCurrentCluster()?.server }, 'eventide starting');
  const services: KubeServices = { kubeConfig, clock, logger, metrics, env: process.env };
  if (config.leader.mode === 'none') {
    await runUntilSignal(await assembleKubeSidecar(config, services), logger);
    return;
  }
  await runUntilSignal(await createLeaderReplica(config, services), logger);
}

/** What a sidecar against a cluster is built from. */
export interface KubeServices {
  kubeConfig: KubeConfig;
  clock: Clock;
  logger: Logger;
  metrics: Metrics;
  env: NodeJS.ProcessEnv;
}

/**
 * The sidecar `eventide run` runs: the Kubernetes watch and the enricher. `owns` keeps only a
 * shard's namespaces; `serveHttp` false when a {@link LeaderReplica} serves for all its shards.
 */
export function assembleKubeSidecar(
  config: EventideConfig,
  services: KubeServices,
  options: { owns?: (namespace: string) => boolean; serveHttp?: boolean } = {},
): Promise<Sidecar> {
  const { kubeConfig, clock, logger, metrics, env } = services;
  const owns = options.owns;
  return assembleSidecar(config, {
    clock,
    logger,
    metrics,
    serviceVersion: VERSION,
    env,
    kubeConfig,
    ...(options.serveHttp !== undefined ? { serveHttp: options.serveHttp } : {}),
    createSource: (skips) =>
      new KubeEventSource(config.source, { kubeConfig, clock, logger, metrics, skips, normalize: config.normalize, ...(owns ? { filter: owns } : {}) }),
    createEnricher: (skips) => new Enricher(config.enrich, { kubeConfig, clock, logger, metrics, skips }),
  });
}

/**
 * `eventide run` with `leader.mode` active-standby or sharded: a replica that runs one sidecar per
 * shard Lease it holds, each with that shard's namespaces and checkpoint (docs/leader-election.md).
 * Rejects with {@link ConfigError} when the leader settings do not fit the rest of the config.
 * Loads the Lease API client here: `leader.mode: none` never does.
 */
export async function createLeaderReplica(config: EventideConfig, services: KubeServices): Promise<LeaderReplica> {
  const problems = leaderConfigProblems(config.leader, config.delivery.checkpoint.type);
  if (problems.length > 0) throw new ConfigError(`invalid config:\n  ${problems.join('\n  ')}`, problems);
  const { CoordinationV1Api } = await import('../kube/apis.js');
  return new LeaderReplica(config.leader, {
    api: services.kubeConfig.makeApiClient(CoordinationV1Api),
    clock: services.clock,
    logger: services.logger,
    metrics: services.metrics,
    leaseNamespace: resolveLeaseNamespace(config.leader.leaseNamespace, services.kubeConfig),
    identity: resolveIdentity(config.leader.identity),
    http: { host: config.server.host, port: config.server.port },
    buildShard: (shard, owns) => assembleKubeSidecar(shardSidecarConfig(config, shard), services, { serveHttp: false, ...(owns ? { owns } : {}) }),
  });
}

/**
 * The config of one shard's sidecar: its own checkpoint (src/leader/shard.ts) and, with several
 * shards in one process, its own export queue directory (one exporter per directory).
 */
export function shardSidecarConfig(config: EventideConfig, shard: Shard): EventideConfig {
  const out: EventideConfig = { ...config, delivery: { ...config.delivery, checkpoint: shardCheckpoint(config.delivery.checkpoint, shard) } };
  const queue = config.export.queue;
  if (shard.count > 1) out.export = { ...config.export, queue: { ...queue, directory: join(queue.directory, `shard-${shard.index}`) } };
  return out;
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

/** Starts the sidecar (or leader replica) and stops it gracefully on SIGTERM/SIGINT (within the pod's grace period). */
export async function runUntilSignal(sidecar: Pick<Sidecar, 'start' | 'stop'>, logger: Logger): Promise<void> {
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
