import type { CheckpointConfig } from '../delivery/config.js';
import type { LeaderConfig } from './config.js';

/** One unit of work guarded by one Lease: in sharded mode, the namespaces hashing to `index`. */
export interface Shard {
  /** 0-based shard number; 0 in active-standby mode. */
  index: number;
  /** Number of shards (1 in active-standby mode). */
  count: number;
  /** Name of the Lease that guards this shard. */
  leaseName: string;
  /** Whether Events of `namespace` belong to this shard. */
  owns(namespace: string): boolean;
}

const FNV_OFFSET_BASIS = 0x811c9dc5;
const FNV_PRIME = 0x01000193;
const utf8 = new TextEncoder();

/** 32-bit FNV-1a over the UTF-8 bytes of `text`: the same on every replica, release and platform. */
export function fnv1a32(text: string): number {
  let hash = FNV_OFFSET_BASIS;
  for (const byte of utf8.encode(text)) {
    hash ^= byte;
    hash = Math.imul(hash, FNV_PRIME) >>> 0;
  }
  return hash >>> 0;
}

/** The shard that owns `namespace` among `count` shards. */
export function shardOfNamespace(namespace: string, count: number): number {
  return fnv1a32(namespace) % count;
}

/**
 * The shards of a leader config: none in mode `none`; one (every namespace, Lease `leaseName`)
 * in `active-standby`; `shards` in `sharded`, shard i guarded by Lease `<leaseName>-shard-<i>`.
 */
export function shardsOf(config: LeaderConfig): Shard[] {
  if (config.mode === 'none') return [];
  if (config.mode === 'active-standby') return [{ index: 0, count: 1, leaseName: config.leaseName, owns: () => true }];
  const count = config.shards;
  return Array.from({ length: count }, (_, index) => ({
    index,
    count,
    leaseName: `${config.leaseName}-shard-${index}`,
    owns: (namespace: string) => shardOfNamespace(namespace, count) === index,
  }));
}

/**
 * The checkpoint settings of one shard: in sharded mode ConfigMap `<name>-shard-<i>` and file
 * `<path without .json>-shard-<i>.json`, so whichever replica takes the shard over resumes from
 * where that shard's last holder got. Active-standby keeps one checkpoint, as a single replica would.
 */
export function shardCheckpoint(checkpoint: CheckpointConfig, shard: Shard): CheckpointConfig {
  if (shard.count === 1) return checkpoint;
  const suffix = `-shard-${shard.index}`;
  const dot = checkpoint.path.endsWith('.json') ? checkpoint.path.length - '.json'.length : checkpoint.path.length;
  return {
    ...checkpoint,
    name: `${checkpoint.name}${suffix}`,
    path: `${checkpoint.path.slice(0, dot)}${suffix}${checkpoint.path.slice(dot)}`,
  };
}
