import { z } from 'zod';

/** Batching of the OTLP log pipeline (eventide's batcher, with the semantics of the SDK's BatchLogRecordProcessor). */
export const batchConfigSchema = z.object({
  maxExportBatchSize: z.number().int().positive().default(512).describe('Records per OTLP export request. Default 512.'),
  scheduledDelayMillis: z.number().int().positive().default(1000).describe("Longest a record waits for its batch to fill, in milliseconds. Default 1000, the OpenTelemetry SDK's default (OTEL_BLRP_SCHEDULE_DELAY): at normal rates fewer, fuller requests (each costs ~0.75 ms of CPU whatever its size); a burst fills batches by size and does not wait."),
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
    .describe('Capacity of the batch queue (records waiting for their batch); must exceed maxInFlight so the queue never drops. Default 16384.'),
});

/**
 * Retries of a batch the collector refused with a retryable gRPC status (UNAVAILABLE,
 * RESOURCE_EXHAUSTED, ...). With the queue (`queue.enabled`, the default) a batch is retried
 * until it is delivered, with exponential backoff and full jitter; without it, `maxAttempts`
 * attempts within `batch.exportTimeoutMillis`, then the batch is reported failed.
 */
export const retryConfigSchema = z.object({
  maxAttempts: z
    .number()
    .int()
    .min(1)
    .default(5)
    .describe('Attempts per batch, the first included, when queue.enabled is false (the queue retries without an attempt limit). Default 5.'),
  initialBackoffMillis: z
    .number()
    .int()
    .min(0)
    .default(1000)
    .describe('Backoff before the first retry, in milliseconds; doubles per retry with the queue (full jitter: a random wait up to it), grows 1.5x without. Default 1000.'),
  maxBackoffMillis: z.number().int().min(0).default(5000).describe('Cap of the backoff between retries, in milliseconds. Default 5000.'),
  maxElapsedMillis: z
    .number()
    .int()
    .min(0)
    .default(0)
    .describe('With the queue: give up a batch retried for this long (dropped, counted as retry_expired), in milliseconds; 0 = retry while the queue has room. Default 0.'),
});

/**
 * The export queue: batches the collector has not taken yet wait in memory (bounded) and spill
 * to a size-capped segment-file queue on disk, which survives restarts and drains first, in order.
 */
export const queueConfigSchema = z.object({
  enabled: z
    .boolean()
    .default(true)
    .describe('Keep undeliverable batches queued (memory, then disk) and retry them until the collector takes them. Default true.'),
  directory: z
    .string()
    .min(1)
    .default('.eventide/queue')
    .describe('Directory of the disk queue segments (an emptyDir or volume in a pod; one process per directory). Default .eventide/queue.'),
  numConsumers: z
    .number()
    .int()
    .min(1)
    .max(64)
    .default(4)
    .describe("Export requests in flight at once while the collector takes batches (the Collector's sending_queue.num_consumers): one request at a time leaves the pipeline waiting for each answer. Batches can then arrive out of order; after a retryable failure the queue retries one batch at a time, in order, until one gets through. 1 = strictly one at a time. Default 4."),
  maxMemoryRecords: z
    .number()
    .int()
    .min(0)
    .default(2048)
    .describe('Records waiting in memory for the collector before further batches spill to disk. Default 2048.'),
  maxDiskBytes: z
    .number()
    .int()
    .positive()
    .default(256 * 1024 * 1024)
    .describe('Cap of the disk queue in bytes; past it the oldest batches are dropped (counted, logged). Default 268435456 (256 MiB).'),
  segmentBytes: z
    .number()
    .int()
    .positive()
    .default(8 * 1024 * 1024)
    .describe('Size at which a disk queue segment file is closed and a new one started, in bytes. Default 8388608 (8 MiB).'),
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
      .default(4096)
      .describe('Records emitted but not yet acknowledged before emit() waits (backpressure). Each holds its Event and record in memory until the collector answers; fewer of them are cheaper for the garbage collector (4,096 instead of 8,192 cut scavenge time in a 100,000-Event burst by ~25%). Default 4096.'),
    batch: batchConfigSchema.prefault({}).describe('Batching of export requests.'),
    retry: retryConfigSchema.prefault({}).describe('Retries of retryable export failures.'),
    queue: queueConfigSchema.prefault({}).describe('Memory and disk queue for batches the collector has not taken yet.'),
    shutdownTimeoutMillis: z
      .number()
      .int()
      .positive()
      .default(20_000)
      .describe("Longest shutdown waits for queued records to reach the collector before persisting the rest to the disk queue, in milliseconds (under Kubernetes' default 30 s grace period). Default 20000."),
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
    if (config.queue.maxDiskBytes < config.queue.segmentBytes) {
      ctx.addIssue({
        code: 'custom',
        path: ['queue', 'segmentBytes'],
        message: `queue.segmentBytes (${config.queue.segmentBytes}) must not exceed queue.maxDiskBytes (${config.queue.maxDiskBytes}): lower segmentBytes or raise maxDiskBytes`,
      });
    }
  });

/** Config of the export stage, all defaults applied. */
export type ExportConfig = z.infer<typeof exportConfigSchema>;
