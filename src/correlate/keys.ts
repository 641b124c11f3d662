import type { EventRecord, ObjectRef } from '../model/event.js';
import type { CorrelateConfig } from './config.js';
import { isSignificant } from './severity.js';

/** Kinds whose regarding object is itself a workload (`workload:` key). */
const WORKLOAD_KINDS = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job', 'CronJob']);

/** The correlation keys of one record, split by how they link (see docs/correlation.md). */
export interface KeyPlan {
  /** `evt:<uid>`: the Event itself, so an in-place update (count going up) stays in its group. */
  eventKey: string | undefined;
  /** `obj:...` of the regarding object: joins within the window of the group's last event. */
  objectKey: string | undefined;
  /** Affinity keys to look up (node, volume, workload, related); empty for routine events. */
  lookup: string[];
  /** Affinity keys to register for later events; empty for routine events. */
  register: string[];
  /**
   * A lookup key whose group wins over every other match: `node:<n>` for events a node causes
   * (`correlate.nodeCausedReasons`, e.g. `Evicted`), so an eviction joins its node's pressure
   * incident even when its pod has an incident of its own.
   */
  preferred?: string;
}

/**
 * Identity key of an object: `obj:<uid>`, else `obj:<kind>/<namespace>/<name>`. Nodes always use
 * their name (`obj:Node//<name>`): the kubelet reports node events with the node name as uid,
 * the node controller with the real uid, and both must meet.
 */
export function objectKey(ref: ObjectRef): string | undefined {
  if (ref.kind === 'Node' && ref.name) return `obj:Node//${ref.name}`;
  if (ref.uid) return `obj:${ref.uid}`;
  if (!ref.name) return undefined;
  return `obj:${ref.kind}/${ref.namespace}/${ref.name}`;
}

/**
 * Node the record is about: the regarding Node itself, else the enriched node of the pod, else
 * (kubelet events, e.g. `Evicted` after the pod is gone) the reporting kubelet's instance.
 */
export function nodeOf(record: EventRecord): string | undefined {
  const { event, enrichment } = record;
  if (event.regarding.kind === 'Node') return event.regarding.name || undefined;
  if (enrichment.nodeName) return enrichment.nodeName;
  if (event.reportingController === 'kubelet' && event.reportingInstance) return event.reportingInstance;
  return undefined;
}

/**
 * Plans the keys of a record. Routine events (not Warning, severity below `linkMinSeverity`)
 * get only their own Event and object keys; significant ones also get affinity keys:
 * - node: a Node-level event registers `node:<n>` and looks up `node:<n>` and `onnode:<n>`;
 *   any other event on node n looks up `node:<n>` and registers `onnode:<n>` (so pods on one
 *   node link through the node's incident only, never directly with each other);
 * - volume: `pvc:<ns>/<name>`, `pv:<name>` (of the pod's claims, or the regarding PVC/PV);
 * - workload: `workload:<kind>/<ns>/<name>` (owning workload, or the regarding workload);
 * - related: the identity key of `related`.
 */
export function planKeys(record: EventRecord, config: CorrelateConfig): KeyPlan {
  const { event, enrichment } = record;
  const plan: KeyPlan = {
    eventKey: event.uid ? `evt:${event.uid}` : undefined,
    objectKey: objectKey(event.regarding),
    lookup: [],
    register: [],
  };
  if (!isSignificant(record, config.linkMinSeverity)) return plan;

  const { regarding } = event;
  const both = (key: string): void => {
    plan.lookup.push(key);
    plan.register.push(key);
  };
  const { affinity } = config;

  if (affinity.node) {
    const node = nodeOf(record);
    if (node) {
      plan.lookup.push(`node:${node}`);
      if (regarding.kind !== 'Node' && config.nodeCausedReasons.includes(event.reason)) plan.preferred = `node:${node}`;
      if (regarding.kind === 'Node') {
        plan.lookup.push(`onnode:${node}`);
        plan.register.push(`node:${node}`);
      } else {
        plan.register.push(`onnode:${node}`);
      }
    }
  }

  if (affinity.volume) {
    const ns = regarding.namespace;
    if (regarding.kind === 'PersistentVolumeClaim' && regarding.name) both(`pvc:${ns}/${regarding.name}`);
    if (regarding.kind === 'PersistentVolume' && regarding.name) both(`pv:${regarding.name}`);
    for (const claim of enrichment.pvcNames ?? []) both(`pvc:${ns}/${claim}`);
    for (const pv of enrichment.pvNames ?? []) both(`pv:${pv}`);
  }

  if (affinity.workload) {
    const owner = enrichment.workload;
    if (owner?.name) both(`workload:${owner.kind}/${regarding.namespace}/${owner.name}`);
    if (WORKLOAD_KINDS.has(regarding.kind) && regarding.name) {
      const self = `workload:${regarding.kind}/${regarding.namespace}/${regarding.name}`;
      if (!plan.lookup.includes(self)) both(self);
    }
  }

  if (affinity.related && event.related) {
    const rel = objectKey(event.related);
    if (rel && rel !== plan.objectKey) both(rel);
  }
  return plan;
}
