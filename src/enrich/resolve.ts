import type { Enrichment, KEvent } from '../model/event.js';
import type { OwnerRef, SlimNode, SlimOwned, SlimPod, SlimPvc } from './projection.js';

/** Cache lookups the resolver reads (each undefined when unknown or the kind is not watched). */
export interface EnrichLookup {
  pod(namespace: string, name: string): SlimPod | undefined;
  replicaSet(namespace: string, name: string): SlimOwned | undefined;
  job(namespace: string, name: string): SlimOwned | undefined;
  pvc(namespace: string, name: string): SlimPvc | undefined;
  node(name: string): SlimNode | undefined;
}

/** Outcome of a lookup: the regarding object was found (`hit`), not found (`miss`), or is of a kind not looked up (`none`). */
export type LookupResult = 'hit' | 'miss' | 'none';

const WORKLOAD_KINDS = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'CronJob']);

/**
 * The top-level workload above `owner`: ReplicaSet → Deployment, Job → CronJob, others as they
 * are. Without the ReplicaSet in cache, a pod's `pod-template-hash` label still names the Deployment.
 */
export function workloadOf(owner: OwnerRef, namespace: string, lookup: EnrichLookup, templateHash?: string): { kind: string; name: string; uid?: string } {
  if (owner.kind === 'ReplicaSet') {
    const rs = lookup.replicaSet(namespace, owner.name);
    if (rs?.owner !== undefined) return { ...rs.owner };
    if (rs === undefined && templateHash !== undefined && owner.name.endsWith(`-${templateHash}`)) {
      return { kind: 'Deployment', name: owner.name.slice(0, -templateHash.length - 1) };
    }
  } else if (owner.kind === 'Job') {
    const job = lookup.job(namespace, owner.name);
    if (job?.owner !== undefined && job.owner.kind === 'CronJob') return { ...job.owner };
  }
  return { ...owner };
}

function addClaims(out: Enrichment, namespace: string, claims: string[], lookup: EnrichLookup): void {
  out.pvcNames = [...claims];
  const pvs = claims.map((c) => lookup.pvc(namespace, c)?.volumeName).filter((v): v is string => v !== undefined);
  if (pvs.length > 0) out.pvNames = pvs;
}

/**
 * Enrichment of one event from cached objects. Pure: reads only `event` and `lookup`.
 * Node name: the regarding pod's node, the regarding node itself, else (kubelet events) the
 * reporting instance, which the kubelet sets to its node name.
 */
export function resolveEnrichment(event: KEvent, lookup: EnrichLookup): { enrichment: Enrichment; result: LookupResult } {
  const out: Enrichment = {};
  const ref = event.regarding;
  const ns = ref.namespace || event.namespace;
  let result: LookupResult = 'none';
  switch (ref.kind) {
    case 'Pod': {
      out.podName = ref.name;
      if (ref.uid !== '') out.podUid = ref.uid;
      const pod = lookup.pod(ns, ref.name);
      result = pod ? 'hit' : 'miss';
      if (pod) {
        // A pod recreated under the same name (StatefulSet, eviction) is another incarnation: its
        // node is not where this Event happened. Owner, labels and claims carry over.
        const sameIncarnation = ref.uid === '' || pod.uid === '' || pod.uid === ref.uid;
        if (pod.uid !== '' && sameIncarnation) out.podUid = pod.uid;
        if (pod.nodeName !== undefined && sameIncarnation) out.nodeName = pod.nodeName;
        if (pod.labels !== undefined) out.podLabels = { ...pod.labels };
        if (pod.owner !== undefined) out.workload = workloadOf(pod.owner, ns, lookup, pod.labels?.['pod-template-hash']);
        if (pod.pvcNames !== undefined) addClaims(out, ns, pod.pvcNames, lookup);
      }
      break;
    }
    case 'Node':
      out.nodeName = ref.name;
      result = lookup.node(ref.name) ? 'hit' : 'miss';
      break;
    case 'PersistentVolumeClaim': {
      const pvc = lookup.pvc(ns, ref.name);
      result = pvc ? 'hit' : 'miss';
      out.pvcNames = [ref.name];
      if (pvc?.volumeName !== undefined) out.pvNames = [pvc.volumeName];
      break;
    }
    case 'PersistentVolume':
      out.pvNames = [ref.name];
      break;
    case 'ReplicaSet': {
      const rs = lookup.replicaSet(ns, ref.name);
      result = rs ? 'hit' : 'miss';
      out.workload = workloadOf({ kind: 'ReplicaSet', name: ref.name, ...(ref.uid ? { uid: ref.uid } : {}) }, ns, lookup);
      break;
    }
    case 'Job': {
      const job = lookup.job(ns, ref.name);
      result = job ? 'hit' : 'miss';
      out.workload = workloadOf({ kind: 'Job', name: ref.name, ...(ref.uid ? { uid: ref.uid } : {}) }, ns, lookup);
      break;
    }
    default:
      if (WORKLOAD_KINDS.has(ref.kind)) out.workload = { kind: ref.kind, name: ref.name, ...(ref.uid ? { uid: ref.uid } : {}) };
  }
  if (out.nodeName === undefined && event.reportingController === 'kubelet' && event.reportingInstance !== '') {
    out.nodeName = event.reportingInstance;
  }
  return { enrichment: out, result };
}
