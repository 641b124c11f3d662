import type { KubeConfig } from '@kubernetes/client-node';
import type { Clock } from '../model/time.js';
import type { Logger } from '../observe/logger.js';
import type { Metrics } from '../observe/metrics.js';
import { type Checkpoint, type CheckpointStore, createCheckpointStore } from './checkpoint.js';
import { Checkpointer } from './checkpointer.js';
import type { DeliveryConfig } from './config.js';
import { DeliveryGate } from './gate.js';
import { CheckpointTracker } from './tracker.js';

/** Services of {@link createDelivery}. */
export interface DeliveryDeps {
  clock: Clock;
  logger: Logger;
  metrics?: Metrics;
  /** Needed for `checkpoint.type: configmap`. */
  kubeConfig?: KubeConfig;
  /** Overrides the store built from config (tests). */
  store?: CheckpointStore;
}

/** The delivery parts, wired together. */
export interface Delivery {
  gate: DeliveryGate;
  tracker: CheckpointTracker;
  store: CheckpointStore;
  checkpointer: Checkpointer;
  /** The checkpoint loaded at start: the source resumes its watch from `checkpoint.resourceVersion`. */
  checkpoint: Checkpoint | undefined;
}

/**
 * Loads the checkpoint, seeds the gate with what was exported, and wires the gate's holds into the
 * tracker. The caller starts `checkpointer` after the source started, and on shutdown drains the
 * gate through the pipeline before `checkpointer.stop()`.
 */
export async function createDelivery(config: DeliveryConfig, deps: DeliveryDeps): Promise<Delivery> {
  const store = deps.store ?? createCheckpointStore(config.checkpoint, { kubeConfig: deps.kubeConfig, logger: deps.logger });
  const checkpoint = await store.load();
  const tracker = new CheckpointTracker({
    clock: deps.clock,
    logger: deps.logger,
    maxExported: config.dedupeMaxEntries,
    exportedTtlMillis: config.dedupeTtlMillis,
    ...(checkpoint ? { initial: checkpoint } : {}),
  });
  const gate = new DeliveryGate(config, {
    clock: deps.clock,
    ...(deps.metrics ? { metrics: deps.metrics } : {}),
    onHeld: (event) => tracker.held(event),
  });
  if (checkpoint) gate.seed(checkpoint.exported);
  const checkpointer = new Checkpointer(tracker, store, {
    intervalMillis: config.checkpoint.intervalMillis,
    clock: deps.clock,
    logger: deps.logger,
    ...(deps.metrics ? { metrics: deps.metrics } : {}),
  });
  if (checkpoint) {
    deps.logger.info(
      { resourceVersion: checkpoint.resourceVersion, exported: checkpoint.exported.length, savedAtMs: checkpoint.savedAtMs },
      'resuming from checkpoint',
    );
  }
  return { gate, tracker, store, checkpointer, checkpoint };
}
