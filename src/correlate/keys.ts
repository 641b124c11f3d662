import type { EventRecord, ObjectRef } from '../model/event.js';
import type { CorrelateConfig } from './config.js';
import { isSignificant } from './severity.js';

/** Kinds whose regarding object is itself a workload (`workload:` key). */
const WORKLOAD_KINDS = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job', 'CronJob']);

/** Kinds of correlation keys, an index into {@link KEY_PREFIXES}. */
export const EVENT_KEY = 0;
export const OBJECT_KEY = 1;
export const NODE_KEY = 2;
export const ONNODE_KEY = 3;
export const PVC_KEY = 4;
export const PV_KEY = 5;
export const WORKLOAD_KEY = 6;

/**
 * Prefix of each kind in a key's text form (`evt:<uid>`, `obj:<uid>`, ...). No prefix starts
 * another, so keys of different kinds never meet: the correlator keeps one map per kind, keyed
 * by the text after the prefix (an Event's uid is its own `evt:` key, no string built).
 */
export const KEY_PREFIXES = ['evt:', 'obj:', 'node:', 'onnode:', 'pvc:', 'pv:', 'workload:'] as const;

/** The correlation keys of one record, split by how they link (see docs/correlation.md), as kind and key without prefix. */
export class RecordKeys {
  /** The Event's uid (`evt:` key): an in-place update (count going up) stays in its group. */
  eventKey: string | undefined = undefined;
  /** Identity of the regarding object (`obj:` key, see {@link objectKey}): joins within the window of the group's last event. */
  objectKey: string | undefined = undefined;
  /**
   * A node (`node:` key) whose group wins over every other match, for events a node causes
   * (`correlate.nodeCausedReasons`, e.g. `Evicted`), so an eviction joins its node's pressure
   * incident even when its pod has an incident of its own.
   */
  preferred: string | undefined = undefined;
  /** Affinity keys to look up (node, volume, workload, related): kinds and keys of the first `lookupCount`; none for routine events. */
  readonly lookupKinds: number[] = [];
  readonly lookupKeys: string[] = [];
  lookupCount = 0;
  /** Affinity keys to register for later events, like the lookup ones. */
  readonly registerKinds: number[] = [];
  readonly registerKeys: string[] = [];
  registerCount = 0;

  /** Empties the plan for the next record (the arrays keep their storage). */
  reset(): void {
    this.eventKey = undefined;
    this.objectKey = undefined;
    this.preferred = undefined;
    this.lookupCount = 0;
    this.registerCount = 0;
  }

  /** Adds a key to look up. */
  lookup(kind: number, key: string): void {
    this.lookupKinds[this.lookupCount] = kind;
    this.lookupKeys[this.lookupCount++] = key;
  }

  /** Adds a key to register. */
  register(kind: number, key: string): void {
    this.registerKinds[this.registerCount] = kind;
    this.registerKeys[this.registerCount++] = key;
  }

  /** Adds a key both to look up and to register. */
  both(kind: number, key: string): void {
    this.lookup(kind, key);
    this.register(kind, key);
  }
}

/**
 * Identity of an object, its `obj:` key without the prefix: the uid, else
 * `<kind>/<namespace>/<name>`. Nodes always use their name (`Node//<name>`): the kubelet reports
 * node events with the node name as uid, the node controller with the real uid, and both must meet.
 */
export function objectIdentity(ref: ObjectRef): string | undefined {
  if (ref.kind === 'Node' && ref.name) return `Node//${ref.name}`;
  if (ref.uid) return ref.uid;
  if (!ref.name) return undefined;
  return `${ref.kind}/${ref.namespace}/${ref.name}`;
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
 * Plans the keys of a record into `out` (reset first). Routine events (not Warning, severity
 * below `linkMinSeverity`) get only their own Event and object keys; significant ones also get
 * affinity keys:
 * - node: a Node-level event registers `node:<n>` and looks up `node:<n>` and `onnode:<n>`;
 *   any other event on node n looks up `node:<n>` and registers `onnode:<n>` (so pods on one
 *   node link through the node's incident only, never directly with each other);
 * - volume: `pvc:<ns>/<name>`, `pv:<name>` (of the pod's claims, or the regarding PVC/PV);
 * - workload: `workload:<kind>/<ns>/<name>` (owning workload, or the regarding workload);
 * - related: the identity key of `related`.
 */
export function planRecordKeys(record: EventRecord, config: CorrelateConfig, out: RecordKeys): RecordKeys {
  const { event, enrichment } = record;
  out.reset();
  out.eventKey = event.uid || undefined;
  out.objectKey = objectIdentity(event.regarding);
  if (!isSignificant(record, config.linkMinSeverity)) return out;

  const { regarding } = event;
  const { affinity } = config;

  if (affinity.node) {
    const node = nodeOf(record);
    if (node) {
      out.lookup(NODE_KEY, node);
      if (regarding.kind !== 'Node' && config.nodeCausedReasons.includes(event.reason)) out.preferred = node;
      if (regarding.kind === 'Node') {
        out.lookup(ONNODE_KEY, node);
        out.register(NODE_KEY, node);
      } else {
        out.register(ONNODE_KEY, node);
      }
    }
  }

  if (affinity.volume) {
    const ns = regarding.namespace;
    if (regarding.kind === 'PersistentVolumeClaim' && regarding.name) out.both(PVC_KEY, `${ns}/${regarding.name}`);
    if (regarding.kind === 'PersistentVolume' && regarding.name) out.both(PV_KEY, regarding.name);
    const claims = enrichment.pvcNames;
    if (claims) for (const claim of claims) out.both(PVC_KEY, `${ns}/${claim}`);
    const pvs = enrichment.pvNames;
    if (pvs) for (const pv of pvs) out.both(PV_KEY, pv);
  }

  if (affinity.workload) {
    const owner = enrichment.workload;
    let ownerKey: string | undefined;
    if (owner?.name) out.both(WORKLOAD_KEY, (ownerKey = `${owner.kind}/${regarding.namespace}/${owner.name}`));
    if (WORKLOAD_KINDS.has(regarding.kind) && regarding.name) {
      // the only other workload key so far is the owner's
      const self = `${regarding.kind}/${regarding.namespace}/${regarding.name}`;
      if (self !== ownerKey) out.both(WORKLOAD_KEY, self);
    }
  }

  if (affinity.related && event.related) {
    const rel = objectIdentity(event.related);
    if (rel && rel !== out.objectKey) out.both(OBJECT_KEY, rel);
  }
  return out;
}
