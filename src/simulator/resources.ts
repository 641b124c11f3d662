/** A Kubernetes object as the simulator stores and serves it: plain JSON. */
export type KubeObject = Record<string, unknown>;

/** One served API resource (a group/version/resource with its kind). */
export interface ResourceInfo {
  /** API group; '' for the core group. */
  group: string;
  /** API version, e.g. `v1`. */
  version: string;
  /** Plural resource name, e.g. `events`. */
  resource: string;
  /** Singular name for discovery. */
  singular: string;
  /** Kind, e.g. `Event`. */
  kind: string;
  /** Whether objects live in a namespace. */
  namespaced: boolean;
  /** Key of the storage shared by every view of the same objects (events: both APIs share `events`). */
  storage: string;
  /** Short names for discovery. */
  shortNames: string[];
}

function res(
  group: string,
  version: string,
  resource: string,
  kind: string,
  namespaced: boolean,
  shortNames: string[] = [],
  storage = resource,
): ResourceInfo {
  return { group, version, resource, singular: kind.toLowerCase(), kind, namespaced, storage, shortNames };
}

/** Every resource the simulator serves. Events are one storage seen through two schemas. */
export const RESOURCES: readonly ResourceInfo[] = [
  res('', 'v1', 'namespaces', 'Namespace', false, ['ns']),
  res('', 'v1', 'nodes', 'Node', false, ['no']),
  res('', 'v1', 'pods', 'Pod', true, ['po']),
  res('', 'v1', 'events', 'Event', true, ['ev']),
  res('', 'v1', 'configmaps', 'ConfigMap', true, ['cm']),
  res('', 'v1', 'persistentvolumeclaims', 'PersistentVolumeClaim', true, ['pvc']),
  res('', 'v1', 'persistentvolumes', 'PersistentVolume', false, ['pv']),
  res('', 'v1', 'services', 'Service', true, ['svc']),
  res('apps', 'v1', 'deployments', 'Deployment', true, ['deploy']),
  res('apps', 'v1', 'replicasets', 'ReplicaSet', true, ['rs']),
  res('apps', 'v1', 'statefulsets', 'StatefulSet', true, ['sts']),
  res('apps', 'v1', 'daemonsets', 'DaemonSet', true, ['ds']),
  res('batch', 'v1', 'jobs', 'Job', true),
  res('batch', 'v1', 'cronjobs', 'CronJob', true, ['cj']),
  res('events.k8s.io', 'v1', 'events', 'Event', true, ['ev']),
  res('coordination.k8s.io', 'v1', 'leases', 'Lease', true),
];

/** `apiVersion` string of a resource (`v1`, `apps/v1`). */
export function apiVersionOf(info: ResourceInfo): string {
  return info.group === '' ? info.version : `${info.group}/${info.version}`;
}

/** Finds a served resource by group, version and plural name. */
export function findResource(
  resources: readonly ResourceInfo[],
  group: string,
  version: string,
  resource: string,
): ResourceInfo | undefined {
  return resources.find((r) => r.group === group && r.version === version && r.resource === resource);
}

/** The core-group resource info for a storage key (used by generators and `putRaw`). */
export function storageKind(storage: string): ResourceInfo | undefined {
  return RESOURCES.find((r) => r.storage === storage && r.group === '') ?? RESOURCES.find((r) => r.storage === storage);
}

/** Reads `obj.metadata` as a record (empty when absent). */
export function metaOf(obj: KubeObject): Record<string, unknown> {
  const m = obj['metadata'];
  return m !== null && typeof m === 'object' ? (m as Record<string, unknown>) : {};
}

/** `metadata.namespace` or ''. */
export function namespaceOf(obj: KubeObject): string {
  const ns = metaOf(obj)['namespace'];
  return typeof ns === 'string' ? ns : '';
}

/** `metadata.name` or ''. */
export function nameOf(obj: KubeObject): string {
  const n = metaOf(obj)['name'];
  return typeof n === 'string' ? n : '';
}
