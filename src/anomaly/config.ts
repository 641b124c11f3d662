import { z } from 'zod';

/** Configuration of the Kubernetes Event writer for findings (`anomaly.events` in the config file). */
export const anomalyEventsConfigSchema = z.object({
  /** Write each finding as a Kubernetes Event (`reportingController: eventide.io/anomaly-detector`). Default true. */
  enabled: z.boolean().default(true).describe('Write each finding as a Kubernetes Event (reportingController eventide.io/anomaly-detector, type Warning). Default true.'),
  /** Steady rate of new Events (and series updates) written, per minute (token bucket refill). Default 30. */
  ratePerMinute: z.number().positive().default(30).describe('New Events and series updates written per minute (token bucket refill rate). Default 30.'),
  /** Largest burst of writes above the steady rate (token bucket size). Default 10. */
  burst: z.number().int().min(1).default(10).describe('Largest burst of writes above the steady rate (token bucket size). Default 10.'),
  /** Writes waiting for the API server, at most; past it findings are dropped (counted, reason queue_full). Default 100. */
  maxQueue: z.number().int().min(1).default(100).describe('Writes waiting for the API server, at most; further findings are dropped and counted (queue_full). Default 100.'),
  /** A repeat of the same finding key within this long updates the existing Event's series count instead of creating one, milliseconds. Default 600000 (10 min). */
  seriesWindowMillis: z
    .number()
    .int()
    .min(1000)
    .default(600_000)
    .describe('A repeat of the same finding key within this long updates the existing Event (series count) instead of creating a new one, milliseconds. Default 600000.'),
});

/** Anomaly Event writer configuration (see {@link anomalyEventsConfigSchema}). */
export type AnomalyEventsConfig = z.infer<typeof anomalyEventsConfigSchema>;
