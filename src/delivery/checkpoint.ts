import { readFileSync } from 'node:fs';
import type { KubeConfig } from '@kubernetes/client-node';
import type { SourceApi } from '../model/event.js';
import type { Logger } from '../observe/logger.js';
import type { CheckpointConfig } from './config.js';
import { ConfigMapCheckpointStore } from './configmap-store.js';
import { wholeCheckpoint } from './checkpoint-codec.js';
import { FileCheckpointStore } from './file-store.js';

export { FileCheckpointStore } from './file-store.js';
export { ConfigMapCheckpointStore, CONFIGMAP_MAX_CHECKPOINT_BYTES } from './configmap-store.js';

/**
 * Where a restarted eventide resumes: the watch resumes from `resourceVersion` (opaque, never
 * compared as a number), and the gate is seeded with `exported` so Events listed again (after a
 * 410 or a restart past the resume point) are not exported twice.
 */
export interface Checkpoint {
  /** Format version; only 1 exists. */
  version: 1;
  /** The API the resourceVersion was read from; a source on another API may ignore it. */
  api?: SourceApi;
  /** resourceVersion to resume the watch from: everything up to it was acknowledged by the collector. */
  resourceVersion: string;
  /** (Event uid, count) of acknowledged records, oldest first; bounded, the newest kept. */
  exported: Array<[string, number]>;
  /** Wall-clock time of the save, epoch ms. */
  savedAtMs: number;
}

/** `exported` pairs read a piece at a time: an array of pairs, or {@link PairColumns}. */
export interface PairSource {
  readonly length: number;
  /** Pairs `from` to `to` (exclusive), oldest first. */
  slice(from: number, to: number): Array<[string, number]>;
}

/**
 * `exported` as two columns (uids, counts), turned into pairs only a piece at a time: a whole
 * save of 200,000 pairs as pair arrays held ~26 MiB of them for as long as the file was written.
 */
export class PairColumns implements PairSource {
  constructor(
    private readonly uids: readonly string[],
    private readonly counts: readonly number[],
  ) {}

  get length(): number {
    return this.uids.length;
  }

  slice(from: number, to: number): Array<[string, number]> {
    const end = Math.min(to, this.uids.length);
    const out: Array<[string, number]> = [];
    for (let i = Math.max(0, from); i < end; i++) out.push([this.uids[i] as string, this.counts[i] as number]);
    return out;
  }
}

/** A {@link Checkpoint} whose `exported` is read a piece at a time (what the checkpointer hands a store). */
export type PiecewiseCheckpoint = Omit<Checkpoint, 'exported'> & { exported: PairSource };

/** Loads and saves the {@link Checkpoint}. Implementations: file, ConfigMap, no-op. */
export interface CheckpointStore {
  /** The last saved checkpoint, or undefined when there is none (first start). */
  load(): Promise<Checkpoint | undefined>;
  /**
   * Replaces the saved checkpoint. `exported` may be read a piece at a time (the file store
   * does); a store that needs the whole list takes `wholeCheckpoint` of it (checkpoint-codec.ts).
   */
  save(checkpoint: PiecewiseCheckpoint): Promise<void>;
  /**
   * Adds to the saved checkpoint instead of replacing it: `changes` holds the new resume point
   * and only the (uid, count) pairs acknowledged since the last save or append. Resolves false,
   * having written nothing, when the store wants a whole {@link save} instead (none written by
   * this process yet, or its additions have grown as large as the checkpoint). Stores without
   * it are always saved whole.
   */
  append?(changes: PiecewiseCheckpoint): Promise<boolean>;
}

/** Keeps nothing (`delivery.checkpoint.type: none`): every start lists everything again. */
export class NoopCheckpointStore implements CheckpointStore {
  /** Always undefined. */
  async load(): Promise<Checkpoint | undefined> {
    return undefined;
  }
  /** Does nothing. */
  async save(_checkpoint: PiecewiseCheckpoint): Promise<void> {}
}

/** Keeps the checkpoint in memory (tests, demos): a "restart" that reuses the instance resumes. */
export class MemoryCheckpointStore implements CheckpointStore {
  /** Every checkpoint saved, oldest first. */
  readonly saved: Checkpoint[] = [];

  constructor(private current?: Checkpoint) {}

  /** The last saved (or initial) checkpoint. */
  async load(): Promise<Checkpoint | undefined> {
    return this.current;
  }

  /** Keeps `checkpoint` (a copy) as the current one. */
  async save(checkpoint: PiecewiseCheckpoint): Promise<void> {
    const copy = structuredClone(wholeCheckpoint(checkpoint));
    this.current = copy;
    this.saved.push(copy);
  }
}

/** Services {@link createCheckpointStore} may need. */
export interface CheckpointStoreDeps {
  /** Needed for `type: configmap`. */
  kubeConfig?: KubeConfig;
  logger?: Logger;
  /** Path of the service-account namespace file (tests override it). */
  namespaceFile?: string;
}

const SERVICE_ACCOUNT_NAMESPACE_FILE = '/var/run/secrets/kubernetes.io/serviceaccount/namespace';

/** Builds the store `config.type` names; throws a message naming the field and the fix when it cannot. */
export function createCheckpointStore(config: CheckpointConfig, deps: CheckpointStoreDeps = {}): CheckpointStore {
  switch (config.type) {
    case 'none':
      return new NoopCheckpointStore();
    case 'file':
      return new FileCheckpointStore(config.path, deps.logger ? { logger: deps.logger } : {});
    case 'configmap': {
      if (!deps.kubeConfig) {
        throw new Error('delivery.checkpoint.type is configmap but no cluster connection is configured (fix: run against a cluster, or set delivery.checkpoint.type to file)');
      }
      const namespace = config.namespace || ownNamespace(deps.kubeConfig, deps.namespaceFile ?? SERVICE_ACCOUNT_NAMESPACE_FILE);
      return new ConfigMapCheckpointStore({ kubeConfig: deps.kubeConfig, namespace, name: config.name, logger: deps.logger });
    }
  }
}

/** The pod's namespace (service account), else the kubeconfig context's, else `default`. */
function ownNamespace(kubeConfig: KubeConfig, namespaceFile: string): string {
  try {
    const ns = readFileSync(namespaceFile, 'utf8').trim();
    if (ns) return ns;
  } catch {
    // not in a pod
  }
  const context = kubeConfig.getContextObject(kubeConfig.getCurrentContext());
  return context?.namespace || 'default';
}
