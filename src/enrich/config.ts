import { z } from 'zod';

const kindsSchema = z.object({
  /** Watch Pods (node, labels, owner, claims of the regarding pod). Default true. */
  pods: z.boolean().default(true).describe('Watch Pods: node, labels, owner and claims of the regarding pod. Default true.'),
  /** Watch Nodes. Default true. */
  nodes: z.boolean().default(true).describe('Watch Nodes. Default true.'),
  /** Watch ReplicaSets (ReplicaSet → Deployment). Default true. */
  replicasets: z.boolean().default(true).describe('Watch ReplicaSets to resolve ReplicaSet → Deployment. Default true.'),
  /** Watch Jobs (Job → CronJob). Default true. */
  jobs: z.boolean().default(true).describe('Watch Jobs to resolve Job → CronJob. Default true.'),
  /** Watch PersistentVolumeClaims (claim → PersistentVolume). Default true. */
  persistentvolumeclaims: z.boolean().default(true).describe('Watch PersistentVolumeClaims to resolve claim → volume. Default true.'),
});

const backoffSchema = z.object({
  /** First retry delay cap, milliseconds (full jitter). Default 500. */
  initialMillis: z.number().int().positive().default(500).describe('First retry delay cap in milliseconds. Default 500.'),
  /** Largest retry delay, milliseconds. Default 30000. */
  maxMillis: z.number().int().positive().default(30_000).describe('Largest retry delay in milliseconds. Default 30000.'),
});

/** Configuration of the enrich stage (informer caches of pods, nodes, owners and claims). */
export const enrichConfigSchema = z.object({
  /** Enrich events at all. Default true. */
  enabled: z.boolean().default(true).describe('Enrich events from informer caches. Default true.'),
  /** Largest number of objects cached per kind (LRU). Default 50000. */
  maxObjects: z.number().int().min(1).default(50_000).describe('Largest number of objects cached per kind (least recently used evicted). Default 50000.'),
  /** Cached objects neither updated nor looked up for this long are dropped, milliseconds. Default 3600000. */
  ttlMillis: z.number().int().min(1000).default(3_600_000).describe('Drop cached objects neither updated nor looked up for this long, milliseconds. Default 3600000 (1 h).'),
  /** Most pod labels kept per pod (sorted by key). Default 20. */
  podLabelLimit: z.number().int().min(0).default(20).describe('Most pod labels kept per pod (first by key order). Default 20.'),
  /** Which kinds are watched; a disabled kind degrades enrichment, nothing else. */
  kinds: kindsSchema.default(() => kindsSchema.parse({})).describe('Kinds to watch (pods, nodes, replicasets, jobs, persistentvolumeclaims).'),
  /** Items per list page. Default 500. */
  pageSize: z.number().int().min(1).max(10_000).default(500).describe('Items per list page. Default 500.'),
  /** Server-side watch timeout, seconds. Default 300. */
  watchTimeoutSeconds: z.number().int().min(1).default(300).describe('Server-side watch timeout in seconds. Default 300.'),
  /** A watch with neither change nor bookmark for this long is restarted, milliseconds. Default 300000. */
  watchIdleTimeoutMillis: z.number().int().min(100).default(300_000).describe('Restart an informer watch quiet for this long, milliseconds. Default 300000.'),
  /** Retry backoff of the informers. */
  backoff: backoffSchema.default(() => backoffSchema.parse({})).describe('Capped exponential retry backoff with full jitter.'),
});

/** Enrich stage configuration (see {@link enrichConfigSchema}). */
export type EnrichConfig = z.infer<typeof enrichConfigSchema>;

/** A kind the enricher can watch. */
export type EnrichKind = keyof EnrichConfig['kinds'];
