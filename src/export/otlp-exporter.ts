import type { ExportConfig } from './config.js';
import { createOtlpLogTransport } from './otlp-transport.js';
import { resolveOtlpConnection, type OtlpConnection } from './otlp-settings.js';
import { BatchingRecordExporter, type RecordExporterDeps } from './record-exporter.js';

/**
 * Ships event and anomaly records as OTLP logs over gRPC to a collector (the stock OTLP/gRPC
 * transport with eventide's direct protobuf encoding, {@link createOtlpLogTransport}): batched,
 * gzip by default, TLS for https endpoints, retries of retryable statuses (with the memory + disk
 * queue of `export.queue`: until delivered), backpressure at `maxInFlight`, per-batch acks.
 * Connection settings are resolved once at construction (see {@link resolveOtlpConnection}); a
 * bad certificate path throws here.
 */
export class OtlpEventExporter extends BatchingRecordExporter {
  /** The resolved connection (endpoint, TLS, compression), for logs and /readyz. */
  readonly connection: OtlpConnection;

  constructor(config: ExportConfig, deps: RecordExporterDeps) {
    const connection = resolveOtlpConnection(config, deps.env ?? process.env);
    super(config, deps, createOtlpLogTransport(connection), { durableQueue: true });
    this.connection = connection;
    deps.logger.info(
      { endpoint: connection.endpoint, tls: !connection.insecure, compression: connection.compression },
      'OTLP/gRPC log exporter configured',
    );
  }
}
