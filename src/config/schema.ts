import { z } from 'zod';
import { anomalyEventsConfigSchema } from '../anomaly/config.js';
import { classifyConfigSchema } from '../classify/config.js';
import { correlateConfigSchema, patternConfigSchema } from '../correlate/config.js';
import { deliveryConfigSchema } from '../delivery/config.js';
import { enrichConfigSchema } from '../enrich/config.js';
import { exportConfigSchema } from '../export/config.js';
import { leaderConfigSchema } from '../leader/config.js';
import { normalizeConfigSchema } from '../normalize/config.js';
import { redactConfigSchema } from '../redact/config.js';
import { sourceConfigSchema } from '../source/config.js';

/** `server`: the /healthz, /readyz and /metrics port. */
export const serverConfigSchema = z.object({
  host: z.string().default('0.0.0.0').describe('Interface for /healthz, /readyz, /metrics. Default 0.0.0.0.'),
  port: z.number().int().min(0).max(65535).default(9464).describe('Port for /healthz, /readyz, /metrics (0: any free port). Default 9464.'),
  readyMaxExportFailures: z
    .number()
    .int()
    .min(1)
    .default(5)
    .describe('Consecutive failed export batches after which /readyz reports the exporter not ready. Default 5.'),
});

/** `log`: pino settings. */
export const logConfigSchema = z.object({
  level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info').describe('Log level. Default info.'),
});

/**
 * The whole config file: one section per stage, each stage's own schema, defaults applied
 * once there. `eventideConfigSchema.parse({})` is the default configuration.
 */
export const eventideConfigSchema = z.object({
  source: sourceConfigSchema.prefault({}),
  normalize: normalizeConfigSchema.prefault({}),
  delivery: deliveryConfigSchema.prefault({}),
  enrich: enrichConfigSchema.prefault({}),
  classify: classifyConfigSchema.prefault({}),
  correlate: correlateConfigSchema.prefault({}),
  pattern: patternConfigSchema.prefault({}),
  redact: redactConfigSchema.prefault({}),
  export: exportConfigSchema.prefault({}),
  anomaly: z
    .object({ events: anomalyEventsConfigSchema.prefault({}).describe('Findings written as Kubernetes Events (reportingController eventide.io/anomaly-detector).') })
    .prefault({}),
  leader: leaderConfigSchema.prefault({}),
  server: serverConfigSchema.prefault({}),
  log: logConfigSchema.prefault({}),
});

/** The validated configuration. */
export type EventideConfig = z.infer<typeof eventideConfigSchema>;
