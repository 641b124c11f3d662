import { OTLPLogExporter } from '@opentelemetry/exporter-logs-otlp-grpc';
import { CompressionAlgorithm } from '@opentelemetry/otlp-exporter-base';
import type { ExportConfig } from './config.js';
import { resolveOtlpConnection, type OtlpConnection } from './otlp-settings.js';
import { BatchingRecordExporter, type RecordExporterDeps } from './record-exporter.js';

/**
 * Ships event and anomaly records as OTLP logs over gRPC (`@opentelemetry/exporter-logs-otlp-grpc`)
 * to a collector: batched, gzip by default, TLS for https endpoints, retries of retryable
 * statuses (with the memory + disk queue of `export.queue`: until delivered), backpressure at
 * `maxInFlight`, per-batch acks. Connection settings are resolved
 * once at construction (see {@link resolveOtlpConnection}); a bad certificate path throws here.
 */
export class OtlpEventExporter extends BatchingRecordExporter {
  /** The resolved connection (endpoint, TLS, compression), for logs and /readyz. */
  readonly connection: OtlpConnection;

  constructor(config: ExportConfig, deps: RecordExporterDeps) {
    const connection = resolveOtlpConnection(config, deps.env ?? process.env);
    const transport = new OTLPLogExporter({
      url: connection.endpoint,
      credentials: connection.credentials,
      metadata: connection.metadata,
      compression: connection.compression === 'gzip' ? CompressionAlgorithm.GZIP : CompressionAlgorithm.NONE,
      timeoutMillis: connection.requestTimeoutMillis,
    });
    super(config, deps, transport, { durableQueue: true });
    this.connection = connection;
    deps.logger.info(
      { endpoint: connection.endpoint, tls: !connection.insecure, compression: connection.compression },
      'OTLP/gRPC log exporter configured',
    );
  }
}
