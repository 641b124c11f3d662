import { z } from 'zod';

/** Batching of the OTLP log pipeline (the SDK's BatchLogRecordProcessor). */
export const batchConfigSchema = z.object({
  maxExportBatchSize: z.number().int().positive().default(512).describe('Records per OTLP export request. Default 512.'),
  scheduledDelayMillis: z.number().int().positive().default(200).describe('Longest a record waits for its batch to fill, in milliseconds. Default 200.'),
  exportTimeoutMillis: z
    .number()
    .int()
    .positive()
    .default(30_000)
    .describe('Time one batch may take, retries included, in milliseconds. Default 30000.'),
  maxQueueSize: z
    .number()
    .int()
    .positive()
    .default(16_384)
    .describe('Capacity of the SDK queue; must exceed maxInFlight so the queue never drops. Default 16384.'),
});

/** Retries of a batch the collector refused with a retryable gRPC status (UNAVAILABLE, RESOURCE_EXHAUSTED, ...). */
export const retryConfigSchema = z.object({
  maxAttempts: z.number().int().min(1).default(5).describe('Attempts per batch, the first included. Default 5.'),
  initialBackoffMillis: z.number().int().min(0).default(1000).describe('Wait before the first retry, in milliseconds; grows 1.5x per retry. Default 1000.'),
  maxBackoffMillis: z.number().int().min(0).default(5000).describe('Longest wait between retries, in milliseconds. Default 5000.'),
});

/**
 * Config of the export stage. Precedence for the connection settings follows the OpenTelemetry
 * spec: a value set here wins over the `OTEL_EXPORTER_OTLP_*` environment variables, which win
 * over the built-in defaults.
 */
export const exportConfigSchema = z
  .object({
    clusterName: z.string().default('').describe("Resource attribute k8s.cluster.name; '' leaves it to OTEL_RESOURCE_ATTRIBUTES or out. Default ''."),
    maxInFlight: z
      .number()
      .int()
      .positive()
      .default(8192)
      .describe('Records emitted but not yet acknowledged before emit() waits (backpressure). Default 8192.'),
    batch: batchConfigSchema.prefault({}).describe('Batching of export requests.'),
    retry: retryConfigSchema.prefault({}).describe('Retries of retryable export failures.'),
    compression: z
      .enum(['gzip', 'none'])
      .optional()
      .describe('gRPC message compression. Default: OTEL_EXPORTER_OTLP_[LOGS_]COMPRESSION, else gzip.'),
    endpoint: z
      .string()
      .default('')
      .describe(
        "Collector endpoint, e.g. http://otel-collector:4317 (http: plaintext, https: TLS). '' uses OTEL_EXPORTER_OTLP_LOGS_ENDPOINT, then OTEL_EXPORTER_OTLP_ENDPOINT, then http://localhost:4317. Default ''.",
      ),
    insecure: z
      .boolean()
      .default(false)
      .describe('Plaintext for an endpoint without a scheme (the scheme decides otherwise); OTEL_EXPORTER_OTLP_INSECURE=true does the same. Default false.'),
    headers: z
      .record(z.string(), z.string())
      .default({})
      .describe('Extra gRPC metadata sent with every export, over OTEL_EXPORTER_OTLP_[LOGS_]HEADERS. Default {}.'),
    file: z
      .string()
      .default('')
      .describe("Path of the JSON-lines file written by the file exporter (npm start without a collector); '' means not used. Default ''."),
  })
  .superRefine((config, ctx) => {
    if (config.batch.maxQueueSize <= config.maxInFlight) {
      ctx.addIssue({
        code: 'custom',
        path: ['batch', 'maxQueueSize'],
        message: `batch.maxQueueSize (${config.batch.maxQueueSize}) must be greater than maxInFlight (${config.maxInFlight}): raise batch.maxQueueSize or lower maxInFlight`,
      });
    }
    if (config.batch.maxExportBatchSize > config.batch.maxQueueSize) {
      ctx.addIssue({
        code: 'custom',
        path: ['batch', 'maxExportBatchSize'],
        message: 'batch.maxExportBatchSize must not exceed batch.maxQueueSize',
      });
    }
  });

/** Config of the export stage, all defaults applied. */
export type ExportConfig = z.infer<typeof exportConfigSchema>;
