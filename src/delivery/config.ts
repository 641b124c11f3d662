import { z } from 'zod';

/** Where the checkpoint (resume resourceVersion and exported series counts) is kept. */
export const checkpointConfigSchema = z.object({
  type: z
    .enum(['file', 'configmap', 'none'])
    .default('file')
    .describe(
      'Checkpoint store: `file` (a JSON file, atomically replaced), `configmap` (a ConfigMap in the cluster; survives rescheduling), `none` (every start lists everything again). Default file.',
    ),
  path: z
    .string()
    .min(1)
    .default('.eventide/checkpoint.json')
    .describe('Snapshot file of the `file` store, relative to the working directory unless absolute; its journal is `<path>.journal` beside it. Default .eventide/checkpoint.json.'),
  namespace: z
    .string()
    .default('')
    .describe(
      "Namespace of the `configmap` store. Empty (default): the pod's own namespace (service account), else the kubeconfig context's namespace, else `default`.",
    ),
  name: z
    .string()
    .regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, 'must be a DNS subdomain name (lower case, digits, - and .)')
    .max(253)
    .default('eventide-checkpoint')
    .describe('Name of the ConfigMap of the `configmap` store. Default eventide-checkpoint.'),
  intervalMillis: z
    .number()
    .int()
    .min(100)
    .default(5000)
    .describe('How often the checkpoint is saved when it changed, milliseconds (a final save happens at shutdown). Default 5000.'),
});

/** Delivery guarantees: relist/restart-aware dedupe, per-Event series throttling, checkpoints. */
export const deliveryConfigSchema = z.object({
  seriesThrottleMillis: z
    .number()
    .int()
    .min(0)
    .default(30_000)
    .describe(
      'Minimum event-time interval between two exported updates of the same Event (series count going up), milliseconds; updates in between are held and the latest is exported when the interval has passed, carrying the whole count. 0 turns throttling off. Default 30000.',
    ),
  dedupeMaxEntries: z
    .number()
    .int()
    .min(1)
    .default(100_000)
    .describe(
      'Most Events (uids) remembered for deduplication (and kept in the checkpoint); the least recently seen is forgotten first. The same memory tells frequency escalation and the pattern detector how much an update\'s count went up. Raise it with the memory limit (docs/scaling.md, per-Event state). Default 100000.',
    ),
  dedupeTtlMillis: z
    .number()
    .int()
    .min(1)
    .default(7_200_000)
    .describe(
      'An Event not seen for this long (wall clock) is forgotten, milliseconds. Keep it above the API server event TTL (--event-ttl, default 1 h). Default 7200000 (2 h).',
    ),
  checkpoint: checkpointConfigSchema.prefault({}).describe('Where the resume point is kept.'),
});

/** Checkpoint store settings. */
export type CheckpointConfig = z.infer<typeof checkpointConfigSchema>;
/** The validated `delivery` section. */
export type DeliveryConfig = z.infer<typeof deliveryConfigSchema>;
