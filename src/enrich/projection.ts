/** Slim projections of the objects the enricher caches: only what enrichment reads. */

/** A controller (or first) owner reference. */
export interface OwnerRef {
  kind: string;
  name: string;
  uid?: string;
}

/** What is kept of a Pod. */
export interface SlimPod {
  name: string;
  namespace: string;
  uid: string;
  nodeName?: string;
  /** At most `podLabelLimit` labels, first by key order. */
  labels?: Record<string, string>;
  owner?: OwnerRef;
  /** Claims mounted through `spec.volumes[].persistentVolumeClaim.claimName`. */
  pvcNames?: string[];
}

/** What is kept of a ReplicaSet or Job: its owner. */
export interface SlimOwned {
  owner?: OwnerRef;
}

/** What is kept of a PersistentVolumeClaim: the bound volume. */
export interface SlimPvc {
  volumeName?: string;
}

/** What is kept of a Node. */
export interface SlimNode {
  name: string;
}

type Obj = Record<string, unknown>;

function asObj(v: unknown): Obj | undefined {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Obj) : undefined;
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

/** `namespace/name` of an object (cluster-scoped: `/name`); undefined without a name. */
export function keyOf(obj: Obj): string | undefined {
  const meta = asObj(obj.metadata);
  const name = str(meta?.name);
  return name === undefined ? undefined : `${str(meta?.namespace) ?? ''}/${name}`;
}

/** The controller owner reference, else the first one. */
export function ownerOf(obj: Obj): OwnerRef | undefined {
  const refs = asObj(obj.metadata)?.ownerReferences;
  if (!Array.isArray(refs)) return undefined;
  const list = refs.map(asObj).filter((r): r is Obj => r !== undefined);
  const ref = list.find((r) => r.controller === true) ?? list[0];
  const kind = str(ref?.kind);
  const name = str(ref?.name);
  if (kind === undefined || name === undefined) return undefined;
  const uid = str(ref?.uid);
  return uid === undefined ? { kind, name } : { kind, name, uid };
}

/** Slim Pod; `labelLimit` caps the labels kept. */
export function projectPod(obj: Obj, labelLimit: number): SlimPod {
  const meta = asObj(obj.metadata) ?? {};
  const spec = asObj(obj.spec);
  const pod: SlimPod = { name: str(meta.name) ?? '', namespace: str(meta.namespace) ?? '', uid: str(meta.uid) ?? '' };
  const nodeName = str(spec?.nodeName);
  if (nodeName !== undefined) pod.nodeName = nodeName;
  const labels = asObj(meta.labels);
  if (labels !== undefined && labelLimit > 0) {
    const keys = Object.keys(labels).filter((k) => typeof labels[k] === 'string').sort().slice(0, labelLimit);
    if (keys.length > 0) pod.labels = Object.fromEntries(keys.map((k) => [k, labels[k] as string]));
  }
  const owner = ownerOf(obj);
  if (owner !== undefined) pod.owner = owner;
  const volumes = Array.isArray(spec?.volumes) ? (spec.volumes as unknown[]) : [];
  const claims = volumes.map((v) => str(asObj(asObj(v)?.persistentVolumeClaim)?.claimName)).filter((c): c is string => c !== undefined);
  if (claims.length > 0) pod.pvcNames = claims;
  return pod;
}

/** Slim ReplicaSet / Job: the owner only. */
export function projectOwned(obj: Obj): SlimOwned {
  const owner = ownerOf(obj);
  return owner === undefined ? {} : { owner };
}

/** Slim PersistentVolumeClaim: `spec.volumeName`. */
export function projectPvc(obj: Obj): SlimPvc {
  const volumeName = str(asObj(obj.spec)?.volumeName);
  return volumeName === undefined ? {} : { volumeName };
}

/** Slim Node: its name. */
export function projectNode(obj: Obj): SlimNode {
  return { name: str(asObj(obj.metadata)?.name) ?? '' };
}
