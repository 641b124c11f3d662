import type { KubeConfig } from '@kubernetes/client-node';
import { KubeEventWriter, namespaceFilter } from '../anomaly/k8s-event-writer.js';
import { Classifier } from '../classify/classifier.js';
import { loadRuleSet } from '../classify/load.js';
import type { EventideConfig } from '../config/schema.js';
import { Correlator } from '../correlate/correlator.js';
import { PatternDetector } from '../correlate/pattern.js';
import { type Delivery, createDelivery } from '../delivery/delivery.js';
import { FileRecordExporter } from '../export/file-exporter.js';
import { OtlpEventExporter } from '../export/otlp-exporter.js';
import type { RecordExporter } from '../export/record-exporter.js';
import type { Clock } from '../model/time.js';
import type { Logger } from '../observe/logger.js';
import type { Metrics } from '../observe/metrics.js';
import { SkipReporter } from '../observe/skips.js';
import { Pipeline } from '../pipeline/pipeline.js';
import type { EnrichStage } from '../pipeline/stages.js';
import { Redactor } from '../redact/redactor.js';
import { type HttpServerHandle, type ReadinessCheck, startHttpServer } from '../server/http-server.js';
import type { EventSink, ResumePoint, SourceStatus } from '../source/types.js';

/** Anything that feeds the pipeline: the Kubernetes watch or a replay file. */
export interface EventSourceLike {
  start(sink: EventSink, from?: ResumePoint): void;
  stop(): Promise<void>;
  status(): SourceStatus;
}

/** An enricher with a lifecycle (src/enrich). */
export interface EnricherLike extends EnrichStage {
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** Services the sidecar is built from; tests inject their own. */
export interface SidecarDeps {
  clock: Clock;
  logger: Logger;
  metrics: Metrics;
  serviceVersion: string;
  env: NodeJS.ProcessEnv;
  kubeConfig?: KubeConfig;
  /** Builds the source once the skip reporter exists. */
  createSource(skips: SkipReporter): EventSourceLike;
  /** Builds the enricher, or undefined when enrichment is off or there is no cluster. */
  createEnricher?(skips: SkipReporter): EnricherLike | undefined;
  /** Replaces the exporter built from config (the demo's tee). */
  exporter?: RecordExporter;
  /** Start the /healthz, /readyz, /metrics server. Default true. */
  serveHttp?: boolean;
}

/** A built, not yet started, sidecar. */
export interface Sidecar {
  pipeline: Pipeline;
  correlator: Correlator;
  delivery: Delivery;
  exporter: RecordExporter;
  skips: SkipReporter;
  source: EventSourceLike;
  http?: HttpServerHandle;
  /** Starts every part; resolves once the source has started. */
  start(): Promise<void>;
  /** Graceful stop: source, drain held updates, flush, final checkpoint, close. Idempotent. */
  stop(): Promise<void>;
  readiness: ReadinessCheck[];
}

/** How often held series updates are released, milliseconds. */
const RELEASE_INTERVAL_MILLIS = 1000;

/** Builds the exporter the config asks for: a file when `export.file` is set, else OTLP/gRPC. */
export function createExporter(config: EventideConfig, deps: SidecarDeps): RecordExporter {
  const exporterDeps = { logger: deps.logger, metrics: deps.metrics, clock: deps.clock, serviceVersion: deps.serviceVersion, env: deps.env };
  return config.export.file ? new FileRecordExporter(config.export, exporterDeps) : new OtlpEventExporter(config.export, exporterDeps);
}

/** Wires the stages of DESIGN.md's data flow from a validated config. The CLI only calls this. */
export async function assembleSidecar(config: EventideConfig, deps: SidecarDeps): Promise<Sidecar> {
  const { clock, logger, metrics } = deps;
  const skips = new SkipReporter(logger, metrics);
  const exporter = deps.exporter ?? createExporter(config, deps);
  const delivery = await createDelivery(config.delivery, { clock, logger, metrics, ...(deps.kubeConfig ? { kubeConfig: deps.kubeConfig } : {}) });
  const correlator = new Correlator(config.correlate, { clock, metrics });
  const enricher = config.enrich.enabled ? deps.createEnricher?.(skips) : undefined;
  const rules = loadRuleSet({ defaults: config.classify.useDefaultRules, files: config.classify.rulesFiles });
  for (const warning of rules.warnings) logger.warn({ rulesFiles: config.classify.rulesFiles }, warning);
  const pipeline = new Pipeline(
    {
      gate: delivery.gate,
      ...(enricher ? { enrich: enricher } : {}),
      classify: new Classifier(rules, config.classify, { metrics }),
      correlate: correlator,
      ...(config.pattern.enabled ? { pattern: new PatternDetector(config.pattern, { clock, metrics }) } : {}),
      redact: new Redactor(config.redact, { metrics }),
      sink: exporter,
      tracker: delivery.tracker,
    },
    { clock, logger, metrics, skips },
  );
  const source = deps.createSource(skips);

  // Findings also become Kubernetes Events, only in the namespaces this sidecar watches.
  const eventWriter =
    config.anomaly.events.enabled && deps.kubeConfig
      ? new KubeEventWriter(config.anomaly.events, { kubeConfig: deps.kubeConfig, clock, logger, metrics, skips, watched: namespaceFilter(config.source.namespaces) })
      : undefined;
  if (eventWriter) pipeline.addObserver(eventWriter);

  // A batch parked in the disk queue is safe but not delivered: the exporter is not healthy.
  let exportFailures = 0;
  exporter.onAck(({ ok, queued }) => {
    exportFailures = ok && !queued ? 0 : exportFailures + 1;
  });
  const readiness: ReadinessCheck[] = [
    {
      name: 'source',
      check: () => {
        const s = source.status();
        return { ok: s.ready, ...(s.lastError ? { detail: s.lastError } : {}) };
      },
    },
    {
      name: 'exporter',
      check: () => ({
        ok: exportFailures < config.server.readyMaxExportFailures,
        detail: `${exportFailures} failed or queued batches in a row, ${exporter.inFlight()} in flight`,
      }),
    },
  ];

  let releaseTimer: NodeJS.Timeout | undefined;
  let stopping: Promise<void> | undefined;
  const sidecar: Sidecar = {
    pipeline,
    correlator,
    delivery,
    exporter,
    skips,
    source,
    readiness,
    async start() {
      if (deps.serveHttp ?? true) {
        sidecar.http = await startHttpServer({ host: config.server.host, port: config.server.port, registry: metrics.registry, checks: readiness });
        logger.info({ url: sidecar.http.url }, 'serving /healthz, /readyz, /metrics');
      }
      if (enricher) await enricher.start();
      const cp = delivery.checkpoint;
      source.start(pipeline, cp?.api ? { resourceVersion: cp.resourceVersion, api: cp.api } : undefined);
      delivery.checkpointer.start();
      releaseTimer = setInterval(() => {
        pipeline.releaseDue().catch((err: unknown) => skips.skip('pipeline', 'release_failed', { err: String(err) }));
      }, RELEASE_INTERVAL_MILLIS);
      releaseTimer.unref();
    },
    stop() {
      stopping ??= (async () => {
        if (releaseTimer) clearInterval(releaseTimer);
        await source.stop();
        await pipeline.drain();
        await eventWriter?.stop();
        // Acknowledgements arrive by the exporter's shutdown: the final checkpoint comes after it.
        await exporter.shutdown();
        await delivery.checkpointer.stop();
        await enricher?.stop();
        await sidecar.http?.close();
        logger.info({ counts: pipeline.counts(), skipped: skips.snapshot() }, 'stopped');
      })();
      return stopping;
    },
  };
  return sidecar;
}
