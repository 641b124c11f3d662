import { z } from 'zod';

const namespacesSchema = z.object({
  /** Namespaces to watch; empty = all (one cluster-wide list/watch). When set, one list/watch per namespace, so namespaced RBAC is enough. Default []. */
  include: z.array(z.string().min(1)).default([]).describe('Namespaces to watch; empty means all. When set, one list/watch per namespace (namespaced RBAC is enough). Default [].'),
  /** Namespaces whose Events are dropped client-side (counted as skipped, reason `namespace_excluded`). Default []. */
  exclude: z.array(z.string().min(1)).default([]).describe('Namespaces whose Events are dropped (counted as skipped, reason namespace_excluded). Default [].'),
});

const backoffSchema = z.object({
  /** First retry delay cap, milliseconds (full jitter). Default 500. */
  initialMillis: z.number().int().positive().default(500).describe('First retry delay cap in milliseconds; doubles per failure, full jitter. Default 500.'),
  /** Largest retry delay, milliseconds. Default 30000. */
  maxMillis: z.number().int().positive().default(30_000).describe('Largest retry delay in milliseconds. Default 30000.'),
});

/** Configuration of the Kubernetes Event source. */
export const sourceConfigSchema = z.object({
  /** Which namespaces are watched and which are dropped. */
  namespaces: namespacesSchema.default(() => namespacesSchema.parse({})).describe('Namespaces to include (empty = all) and exclude.'),
  /** Server-side field selector on Events, e.g. `type=Warning` or `regarding.kind=Pod` (field names of either API; translated to the one in use). Default '' (none). */
  fieldSelector: z.string().default('').describe("Server-side field selector on Events, e.g. 'type=Warning' or 'regarding.kind=Pod' (either API's field names; translated to the API in use). Default '' (none)."),
  /** Server-side label selector on Events. Default '' (none). */
  labelSelector: z.string().default('').describe("Server-side label selector on Events. Default '' (none)."),
  /** Items per list page (`limit`). Default 500. */
  pageSize: z.number().int().min(1).max(10_000).default(500).describe('Items per list page (limit/continue). Default 500.'),
  /** List pages requested ahead of the pipeline. Default 2. */
  listPagesAhead: z.number().int().min(1).max(10).default(2).describe("List pages requested ahead of the pipeline while it works through a page (fetched or in flight; client-go's pager buffers 10), so the API server prepares them meanwhile. Each page waiting holds up to pageSize Events in memory. Default 2."),
  /** Server-side watch timeout (`timeoutSeconds`), seconds; the watch is then resumed. Default 300. */
  watchTimeoutSeconds: z.number().int().min(1).default(300).describe('Server-side watch timeout in seconds; the watch is resumed after it. Default 300.'),
  /** A watch with neither event nor bookmark for this long is restarted (reason idle), milliseconds. Default 120000. */
  watchIdleTimeoutMillis: z.number().int().min(100).default(120_000).describe('Restart a watch that saw no event and no bookmark for this long (checked every quarter of it, so the restart comes after 1 to 1.25 times this), milliseconds. Default 120000.'),
  /** Read batching while the watch trickles (see docs/performance.md). */
  readCoalesce: z
    .object({
      millis: z.number().int().min(0).max(1000).default(200).describe('Pause reading this long after handling what a trickling watch sent, so what arrives meanwhile is read and handled as one batch; 0 reads every event as it arrives. Default 200.'),
      belowPerSecond: z.number().int().min(1).default(1000).describe('The watch counts as trickling while lines came at less than this per second over the last window (the longer of 250 ms and twice millis); faster streams are not paused (their reads batch by themselves). Default 1000.'),
    })
    .prefault({})
    .describe('Batching of reads at low event rates: each wake-up of the process costs more than handling one Event, so at a few hundred Events per second reading in batches cuts CPU by about 2.5 times, at the price of up to millis of extra latency.'),
  /** Retry backoff after failures. */
  backoff: backoffSchema.default(() => backoffSchema.parse({})).describe('Capped exponential retry backoff with full jitter.'),
  /** `auto` (events.k8s.io/v1 when served, else core/v1), or force one API. Default auto. */
  api: z.enum(['auto', 'events.k8s.io/v1', 'v1']).default('auto').describe("Events API: 'auto' (events.k8s.io/v1 when served, else core/v1), 'events.k8s.io/v1' or 'v1'. Default auto."),
});

/** Source configuration (see {@link sourceConfigSchema}). */
export type SourceConfig = z.infer<typeof sourceConfigSchema>;

/** Configuration of the replay source (an NDJSON file of Events instead of a cluster). */
export const replayConfigSchema = z.object({
  /** NDJSON file to replay: watch events `{"type","object"}` or bare Event objects, one per line. Default '' (no replay). */
  path: z.string().default('').describe("NDJSON file of watch events or bare Events to replay instead of watching a cluster. Default '' (off)."),
  /** Replay speed-up: wall wait between events = event-time gap / speed (1 real time, 60 one minute per second); 0 = no waiting. Default 0. */
  speed: z.number().min(0).default(0).describe('Replay speed-up: wall wait = event-time gap / speed (1 = real time, 60 = one minute per second); 0 = as fast as possible. Default 0.'),
});

/** Replay configuration (see {@link replayConfigSchema}). */
export type ReplayConfig = z.infer<typeof replayConfigSchema>;
