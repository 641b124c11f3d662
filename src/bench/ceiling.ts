import { OTLPLogExporter } from '@opentelemetry/exporter-logs-otlp-grpc';
import { CompressionAlgorithm } from '@opentelemetry/otlp-exporter-base';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchLogRecordProcessor, LoggerProvider } from '@opentelemetry/sdk-logs';
import type { LogRecord } from '@opentelemetry/api-logs';
import { exportConfigSchema } from '../export/config.js';
import { millisToHrTime } from '../export/flat-record.js';
import { eventToLogRecord } from '../export/mapping.js';
import { normalizeConfigSchema } from '../normalize/config.js';
import { benchRecord } from './workload.js';

/** Records built and a stock pipeline ready to export them. */
export interface PreparedCeiling {
  /** Emits every record, then forceFlush; resolves with the emit start time, epoch ms. */
  run(): Promise<{ startedAtMillis: number; emitted: number }>;
}

/**
 * Builds `count` OTLP log records the way eventide maps them (same attributes, same bodies,
 * with enrichment, classification and a correlation id), and the stock OpenTelemetry JS
 * pipeline: one `LoggerProvider`, `BatchLogRecordProcessor` with eventide's default batch
 * settings, `OTLPLogExporter` (gRPC, gzip) to `endpoint`. The queue holds all records, so the
 * stock pipeline, fed as fast as possible, drops none.
 */
export function prepareCeiling(endpoint: string, count: number, objects: number): PreparedCeiling {
  const normalize = normalizeConfigSchema.parse({});
  const batch = exportConfigSchema.parse({}).batch;
  const nowMillis = Date.now();
  const records: LogRecord[] = [];
  for (let seq = 0; seq < count; seq++) {
    const mapped = eventToLogRecord(benchRecord(seq, objects, { sentMicros: 0, atMillis: nowMillis, observedMillis: nowMillis }, normalize));
    records.push({
      timestamp: millisToHrTime(mapped.timestampMs),
      observedTimestamp: millisToHrTime(mapped.observedTimestampMs),
      severityNumber: mapped.severityNumber,
      severityText: mapped.severityText,
      body: mapped.body,
      attributes: { ...mapped.attributes, 'k8s.namespace.name': mapped.namespace },
    });
  }
  const exporter = new OTLPLogExporter({ url: endpoint, compression: CompressionAlgorithm.GZIP });
  const processor = new BatchLogRecordProcessor({
    exporter,
    maxExportBatchSize: batch.maxExportBatchSize,
    scheduledDelayMillis: batch.scheduledDelayMillis,
    exportTimeoutMillis: batch.exportTimeoutMillis,
    maxQueueSize: Math.max(count, batch.maxQueueSize),
  });
  const provider = new LoggerProvider({ resource: resourceFromAttributes({ 'service.name': 'eventide-bench-ceiling' }), processors: [processor] });
  const logger = provider.getLogger('eventide-bench');
  return {
    async run() {
      const startedAtMillis = Date.now();
      for (const record of records) logger.emit(record);
      await provider.forceFlush();
      await provider.shutdown();
      return { startedAtMillis, emitted: records.length };
    },
  };
}
