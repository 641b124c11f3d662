import type { CoreV1Api } from '../kube/apis.js';
import { ApiException, type KubeConfig, type V1ConfigMap } from '../kube/client.js';
import type { Logger } from '../observe/logger.js';
import type { Checkpoint, CheckpointStore, PiecewiseCheckpoint } from './checkpoint.js';
import { CheckpointFormatError, compactCheckpoint, decodeCheckpoint, encodeCheckpoint, wholeCheckpoint } from './checkpoint-codec.js';

/** Key of the ConfigMap's `data` that holds the checkpoint JSON. */
export const CHECKPOINT_DATA_KEY = 'checkpoint.json';

/**
 * Most bytes of checkpoint JSON written to the ConfigMap: 1,000,000 of the 1 MiB (1,048,576)
 * a ConfigMap may hold, leaving room for metadata. About 20,000 exported (uid, count) entries
 * fit; beyond that the oldest are left out (the newest are the ones a restart can meet again).
 */
export const CONFIGMAP_MAX_CHECKPOINT_BYTES = 1_000_000;

/** Options of a {@link ConfigMapCheckpointStore}. */
export interface ConfigMapCheckpointStoreOptions {
  kubeConfig: KubeConfig;
  namespace: string;
  /** ConfigMap name. */
  name: string;
  logger?: Logger;
  /** Cap of the checkpoint JSON, bytes. Default {@link CONFIGMAP_MAX_CHECKPOINT_BYTES}. */
  maxBytes?: number;
}

/**
 * A checkpoint in a ConfigMap (key `checkpoint.json`), so it survives the pod being rescheduled.
 * Saves replace the ConfigMap with the resourceVersion last read (optimistic concurrency);
 * a missing ConfigMap is created; on a conflict (409) it is read again and the save retried once.
 * Needs get/update on that ConfigMap and create on configmaps in its namespace (deploy/rbac.yaml).
 */
export class ConfigMapCheckpointStore implements CheckpointStore {
  /** The API client, loaded on first use (the typed clients are only loaded in the modes that use them). */
  private api: Promise<CoreV1Api> | undefined;
  private readonly maxBytes: number;
  /** metadata.resourceVersion of the ConfigMap as last read or written; undefined when unknown or absent. */
  private version: string | undefined;
  private known = false;

  constructor(private readonly options: ConfigMapCheckpointStoreOptions) {
    this.maxBytes = options.maxBytes ?? CONFIGMAP_MAX_CHECKPOINT_BYTES;
  }

  /** The saved checkpoint; undefined when the ConfigMap or its key is absent, or not a valid checkpoint (warned). */
  async load(): Promise<Checkpoint | undefined> {
    const cm = await this.read();
    const text = cm?.data?.[CHECKPOINT_DATA_KEY];
    if (text === undefined) return undefined;
    try {
      return decodeCheckpoint(text);
    } catch (err) {
      if (!(err instanceof CheckpointFormatError)) throw err;
      this.options.logger?.warn(
        { namespace: this.options.namespace, name: this.options.name, problem: err.message },
        `ConfigMap ${this.where()} key ${CHECKPOINT_DATA_KEY} is not a valid eventide checkpoint (${err.message}); starting fresh, it will be overwritten`,
      );
      return undefined;
    }
  }

  /** Writes the checkpoint (compacted to the byte cap), creating the ConfigMap if needed. */
  async save(checkpoint: PiecewiseCheckpoint): Promise<void> {
    const json = encodeCheckpoint(compactCheckpoint(wholeCheckpoint(checkpoint), this.maxBytes));
    if (!this.known) await this.read();
    try {
      await this.write(json);
    } catch (err) {
      if (!(err instanceof ApiException) || err.code !== 409) throw this.explain(err);
      await this.read();
      await this.write(json).catch((again: unknown) => {
        throw this.explain(again);
      });
    }
  }

  private async read(): Promise<V1ConfigMap | undefined> {
    const { name, namespace } = this.options;
    try {
      const cm = await (await this.coreApi()).readNamespacedConfigMap({ name, namespace });
      this.version = cm.metadata?.resourceVersion;
      this.known = true;
      return cm;
    } catch (err) {
      if (err instanceof ApiException && err.code === 404) {
        this.version = undefined;
        this.known = true;
        return undefined;
      }
      throw this.explain(err);
    }
  }

  private async write(json: string): Promise<void> {
    const { name, namespace } = this.options;
    const body: V1ConfigMap = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: {
        name,
        namespace,
        labels: { 'app.kubernetes.io/name': 'eventide', 'app.kubernetes.io/component': 'checkpoint' },
        ...(this.version !== undefined ? { resourceVersion: this.version } : {}),
      },
      data: { [CHECKPOINT_DATA_KEY]: json },
    };
    const api = await this.coreApi();
    let written: V1ConfigMap;
    if (this.version === undefined) {
      written = await api.createNamespacedConfigMap({ namespace, body });
    } else {
      try {
        written = await api.replaceNamespacedConfigMap({ name, namespace, body });
      } catch (err) {
        if (!(err instanceof ApiException) || err.code !== 404) throw err;
        // deleted since it was read: create it again
        const { resourceVersion: _stale, ...metadata } = body.metadata ?? {};
        written = await api.createNamespacedConfigMap({ namespace, body: { ...body, metadata } });
      }
    }
    this.version = written.metadata?.resourceVersion;
  }

  private coreApi(): Promise<CoreV1Api> {
    this.api ??= import('../kube/apis.js').then(({ CoreV1Api }) => this.options.kubeConfig.makeApiClient(CoreV1Api));
    return this.api;
  }

  private where(): string {
    return `${this.options.namespace}/${this.options.name}`;
  }

  private explain(err: unknown): Error {
    if (err instanceof ApiException && (err.code === 401 || err.code === 403)) {
      return new Error(
        `checkpoint ConfigMap ${this.where()}: access denied (HTTP ${err.code}) (fix: grant get/update on this ConfigMap and create on configmaps in namespace ${this.options.namespace}, see deploy/rbac.yaml, or set delivery.checkpoint.type to file)`,
      );
    }
    if (err instanceof ApiException) {
      return new Error(`checkpoint ConfigMap ${this.where()}: HTTP ${err.code}: ${String(err.body).slice(0, 300)}`);
    }
    return err instanceof Error ? err : new Error(String(err));
  }
}
