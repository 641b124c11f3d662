import { z } from 'zod';

/**
 * `leader`: whether several replicas coordinate through `coordination.k8s.io/v1` Leases, and how
 * (docs/leader-election.md). Timing follows client-go's leaderelection: a holder renews every
 * `retryPeriodMillis` and gives up (stops exporting) once it could not renew for
 * `renewDeadlineMillis`, before the lease expires for the others after `leaseDurationMillis`.
 */
export const leaderConfigSchema = z.object({
  mode: z
    .enum(['none', 'active-standby', 'sharded'])
    .default('none')
    .describe(
      'none: one replica, no Lease. active-standby: the holder of the Lease `leaseName` runs the pipeline, the others wait. sharded: namespaces are split by a stable hash into `shards` shards, each with its own Lease `<leaseName>-shard-<i>` and checkpoint; every replica runs the shards it holds. Default none.',
    ),
  shards: z
    .number()
    .int()
    .min(1)
    .max(64)
    .default(1)
    .describe('Number of shards in `sharded` mode: shard i owns the namespaces whose FNV-1a hash modulo `shards` is i. Every replica must use the same value. Default 1.'),
  leaseNamespace: z
    .string()
    .default('')
    .describe("Namespace of the Lease(s). Empty (default): the pod's own namespace (service account), else the kubeconfig context's namespace, else `default`."),
  leaseName: z
    .string()
    .regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, 'must be a DNS subdomain name (lower case, digits, - and .)')
    .max(200)
    .default('eventide')
    .describe('Name of the Lease in active-standby mode, and prefix of the shard Leases (`<leaseName>-shard-<i>`) in sharded mode. Default eventide.'),
  identity: z
    .string()
    .default('')
    .describe("This replica's holderIdentity in the Lease. Empty (default): the host name (the pod name) plus a random suffix, so a restarted pod is a new holder."),
  leaseDurationMillis: z
    .number()
    .int()
    .min(1000)
    .multipleOf(1000)
    .default(15_000)
    .describe(
      'How long a Lease stays held after its last renewal, milliseconds (whole seconds: the Lease stores leaseDurationSeconds). A dead holder\'s shard moves to another replica within about this plus `retryPeriodMillis`. Default 15000.',
    ),
  renewDeadlineMillis: z
    .number()
    .int()
    .min(1)
    .default(10_000)
    .describe('A holder that could not renew for this long stops its pipeline and gives the Lease up, milliseconds; must be below `leaseDurationMillis`. Default 10000.'),
  retryPeriodMillis: z
    .number()
    .int()
    .min(1)
    .default(2000)
    .describe('Interval between two rounds of renewing held Leases and trying to acquire free or expired ones, milliseconds; must be below `renewDeadlineMillis`. Default 2000.'),
  maxShardsPerReplica: z
    .number()
    .int()
    .min(0)
    .default(0)
    .describe(
      'Most shards one replica holds at a time; 0 (default): no limit. To spread N shards over R replicas and still let R-1 survivors take a dead replica\'s shards, use ceil(N / (R - 1)).',
    ),
});

/** The validated `leader` section. */
export type LeaderConfig = z.infer<typeof leaderConfigSchema>;

/**
 * Problems between `leader` and other sections that one field's schema cannot see, each as
 * `field: what is wrong (fix: ...)`; empty when the combination is valid.
 */
export function leaderConfigProblems(leader: LeaderConfig, checkpointType: 'file' | 'configmap' | 'none'): string[] {
  const problems: string[] = [];
  if (leader.mode === 'none') return problems;
  if (leader.renewDeadlineMillis >= leader.leaseDurationMillis) {
    problems.push(
      `leader.renewDeadlineMillis: ${leader.renewDeadlineMillis} is not below leader.leaseDurationMillis ${leader.leaseDurationMillis}, so two replicas could export at once (fix: lower renewDeadlineMillis, e.g. to two thirds of the lease duration)`,
    );
  }
  if (leader.retryPeriodMillis >= leader.renewDeadlineMillis) {
    problems.push(
      `leader.retryPeriodMillis: ${leader.retryPeriodMillis} is not below leader.renewDeadlineMillis ${leader.renewDeadlineMillis}, so one failed renewal loses the Lease (fix: lower retryPeriodMillis, e.g. to a fifth of the renew deadline)`,
    );
  }
  if (checkpointType === 'file') {
    problems.push(
      `delivery.checkpoint.type: file cannot be read by the replica that takes over a Lease in leader.mode ${leader.mode}, so it would export everything again (fix: set delivery.checkpoint.type to configmap, or leader.mode to none)`,
    );
  }
  return problems;
}
