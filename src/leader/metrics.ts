import { Counter, Gauge, type Registry } from 'prom-client';

/** Self-metrics of leader election, registered on the replica's registry. */
export interface LeaderMetrics {
  /** Shards (Leases) this replica holds now: 0 or 1 in active-standby mode. */
  shardsHeld: Gauge;
  /** Leadership changes of this replica, by shard and direction (`acquired`, `lost`, `released`). */
  transitions: Counter<'shard' | 'change'>;
  /** Events seen by a shard's watch but owned by another shard (not a loss: that shard exports them). */
  eventsOtherShard: Counter;
}

/** Declares the leader metrics on `registry`. */
export function createLeaderMetrics(registry: Registry): LeaderMetrics {
  const registers = [registry];
  return {
    shardsHeld: new Gauge({ name: 'eventide_leader_shards_held', help: 'Shards (Leases) this replica holds now.', registers }),
    transitions: new Counter({
      name: 'eventide_leader_transitions_total',
      help: 'Leadership changes of this replica, by shard and change (acquired, lost, released).',
      labelNames: ['shard', 'change'],
      registers,
    }),
    eventsOtherShard: new Counter({
      name: 'eventide_leader_events_other_shard_total',
      help: "Events a shard's watch received that belong to another shard (exported by that shard, not lost).",
      registers,
    }),
  };
}
