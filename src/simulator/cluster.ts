import type { KubeObject } from './resources.js';
import type { ObjectStore } from './store.js';
import { formatTime } from './store.js';
import type { Rng } from './rng.js';
import { k8sSuffix } from './rng.js';

/** A reference to a simulated object (what an Event's `regarding` points at). */
export interface SimRef {
  kind: string;
  apiVersion: string;
  name: string;
  namespace: string;
  uid: string;
}

/** A simulated node. */
export interface SimNode {
  name: string;
  uid: string;
  ip: string;
}

/** A simulated pod. */
export interface SimPod {
  ref: SimRef;
  node: string;
  ip: string;
  container: string;
  image: string;
  port: number;
  labels: Record<string, string>;
  owner: SimRef;
  /** Names of the PVCs it mounts. */
  pvcs: string[];
  /** Workload it belongs to. */
  workload: SimWorkload;
}

/** Kinds of workloads in the model. */
export type WorkloadKind = 'Deployment' | 'StatefulSet' | 'DaemonSet' | 'CronJob';

/** A simulated workload with its pods. */
export interface SimWorkload {
  ref: SimRef;
  kind: WorkloadKind;
  app: string;
  replicas: number;
  image: string;
  port: number;
  /** Current ReplicaSet (Deployments). */
  replicaSet?: SimRef;
  /** Revision counter for rollouts. */
  revision: number;
  pods: SimPod[];
  /** Whether an HPA scales it (Deployments). */
  hpa: boolean;
  /** Whether it has PVCs (StatefulSets). */
  storage: boolean;
}

/** A PVC bound to a PV. */
export interface SimClaim {
  ref: SimRef;
  pv: SimRef;
  storageClass: string;
}

/** The whole simulated cluster. */
export interface SimCluster {
  nodes: SimNode[];
  namespaces: string[];
  workloads: SimWorkload[];
  claims: SimClaim[];
}

interface AppTemplate {
  ns: string;
  name: string;
  kind: WorkloadKind;
  replicas: number;
  image: string;
  port: number;
  hpa?: boolean;
  storage?: boolean;
}

const APPS: AppTemplate[] = [
  { ns: 'kube-system', name: 'coredns', kind: 'Deployment', replicas: 2, image: 'registry.k8s.io/coredns/coredns:v1.11.3', port: 8181 },
  { ns: 'kube-system', name: 'kube-proxy', kind: 'DaemonSet', replicas: 0, image: 'registry.k8s.io/kube-proxy:v1.33.0', port: 10256 },
  { ns: 'kube-system', name: 'calico-node', kind: 'DaemonSet', replicas: 0, image: 'docker.io/calico/node:v3.29.1', port: 9099 },
  { ns: 'kube-system', name: 'metrics-server', kind: 'Deployment', replicas: 1, image: 'registry.k8s.io/metrics-server/metrics-server:v0.7.2', port: 10250 },
  { ns: 'kube-system', name: 'cluster-autoscaler', kind: 'Deployment', replicas: 1, image: 'registry.k8s.io/autoscaling/cluster-autoscaler:v1.33.0', port: 8085 },
  { ns: 'monitoring', name: 'prometheus', kind: 'StatefulSet', replicas: 2, image: 'quay.io/prometheus/prometheus:v3.2.1', port: 9090, storage: true },
  { ns: 'monitoring', name: 'grafana', kind: 'Deployment', replicas: 1, image: 'docker.io/grafana/grafana:11.5.2', port: 3000 },
  { ns: 'monitoring', name: 'node-exporter', kind: 'DaemonSet', replicas: 0, image: 'quay.io/prometheus/node-exporter:v1.9.0', port: 9100 },
  { ns: 'payments', name: 'payments-api', kind: 'Deployment', replicas: 3, image: 'registry.example.com/payments/payments-api:1.8.3', port: 8080, hpa: true },
  { ns: 'payments', name: 'ledger-db', kind: 'StatefulSet', replicas: 3, image: 'docker.io/library/postgres:16.6', port: 5432, storage: true },
  { ns: 'payments', name: 'settlement', kind: 'CronJob', replicas: 1, image: 'registry.example.com/payments/settlement:2.1.0', port: 8080 },
  { ns: 'checkout', name: 'checkout-web', kind: 'Deployment', replicas: 4, image: 'registry.example.com/checkout/web:4.12.0', port: 8080, hpa: true },
  { ns: 'checkout', name: 'cart', kind: 'Deployment', replicas: 3, image: 'registry.example.com/checkout/cart:2.3.1', port: 8080 },
  { ns: 'checkout', name: 'redis-cart', kind: 'StatefulSet', replicas: 1, image: 'docker.io/library/redis:7.4.2', port: 6379, storage: true },
  { ns: 'search', name: 'search-api', kind: 'Deployment', replicas: 3, image: 'registry.example.com/search/api:3.0.7', port: 8080, hpa: true },
  { ns: 'search', name: 'elasticsearch', kind: 'StatefulSet', replicas: 3, image: 'docker.elastic.co/elasticsearch/elasticsearch:8.17.2', port: 9200, storage: true },
  { ns: 'search', name: 'indexer', kind: 'CronJob', replicas: 1, image: 'registry.example.com/search/indexer:3.0.7', port: 8080 },
  { ns: 'data', name: 'kafka', kind: 'StatefulSet', replicas: 3, image: 'docker.io/bitnami/kafka:3.9.0', port: 9092, storage: true },
  { ns: 'data', name: 'etl', kind: 'CronJob', replicas: 1, image: 'registry.example.com/data/etl:0.9.4', port: 8080 },
  { ns: 'frontend', name: 'web', kind: 'Deployment', replicas: 4, image: 'registry.example.com/frontend/web:7.2.0', port: 8080, hpa: true },
  { ns: 'identity', name: 'auth', kind: 'Deployment', replicas: 2, image: 'registry.example.com/identity/auth:5.4.1', port: 8443 },
  { ns: 'identity', name: 'keycloak-db', kind: 'StatefulSet', replicas: 1, image: 'docker.io/library/postgres:16.6', port: 5432, storage: true },
  { ns: 'logging', name: 'fluent-bit', kind: 'DaemonSet', replicas: 0, image: 'cr.fluentbit.io/fluent/fluent-bit:3.2.6', port: 2020 },
  { ns: 'logging', name: 'loki', kind: 'StatefulSet', replicas: 1, image: 'docker.io/grafana/loki:3.4.2', port: 3100, storage: true },
  { ns: 'ingress', name: 'ingress-nginx-controller', kind: 'Deployment', replicas: 2, image: 'registry.k8s.io/ingress-nginx/controller:v1.12.0', port: 10254 },
  { ns: 'batch', name: 'report-builder', kind: 'CronJob', replicas: 1, image: 'registry.example.com/batch/reports:1.0.2', port: 8080 },
  { ns: 'ml', name: 'feature-store', kind: 'Deployment', replicas: 2, image: 'registry.example.com/ml/feature-store:0.4.0', port: 8080 },
  { ns: 'ml', name: 'model-server', kind: 'Deployment', replicas: 2, image: 'registry.example.com/ml/model-server:1.3.0', port: 8501, hpa: true },
];

/** Namespaces in the order they are taken (the `namespaces` count picks a prefix). */
export const NAMESPACE_ORDER = ['kube-system', 'monitoring', 'payments', 'checkout', 'search', 'data', 'frontend', 'identity', 'logging', 'ingress', 'batch', 'ml'];

/** Options of {@link buildCluster}. */
export interface ClusterOptions {
  /** Worker nodes. */
  nodes: number;
  /** Namespaces with workloads (prefix of {@link NAMESPACE_ORDER}). */
  namespaces: number;
}

/** Builds a cluster model from a seeded source: nodes, workloads and their pods, claims. Pure. */
export function buildCluster(rng: Rng, options: ClusterOptions): SimCluster {
  const nodes: SimNode[] = [];
  for (let i = 0; i < options.nodes; i++) {
    const pool = i % 3 === 2 ? 'pool-b' : 'pool-a';
    nodes.push({ name: `gke-prod-${pool}-${rng.hex(8)}-${k8sSuffix(rng, 4)}`, uid: rng.uuid(), ip: `10.0.${1 + (i >> 6)}.${10 + (i % 64)}` });
  }
  const namespaces = NAMESPACE_ORDER.slice(0, Math.max(1, Math.min(options.namespaces, NAMESPACE_ORDER.length)));
  const cluster: SimCluster = { nodes, namespaces, workloads: [], claims: [] };
  for (const t of APPS.filter((a) => namespaces.includes(a.ns))) {
    const kind = t.kind;
    const apiVersion = kind === 'CronJob' ? 'batch/v1' : 'apps/v1';
    const w: SimWorkload = {
      ref: { kind, apiVersion, name: t.name, namespace: t.ns, uid: rng.uuid() },
      kind,
      app: t.name,
      replicas: kind === 'DaemonSet' ? nodes.length : t.replicas,
      image: t.image,
      port: t.port,
      revision: 1,
      pods: [],
      hpa: t.hpa ?? false,
      storage: t.storage ?? false,
    };
    if (kind === 'Deployment') newReplicaSet(rng, w);
    if (kind !== 'CronJob') {
      for (let i = 0; i < w.replicas; i++) {
        const node = kind === 'DaemonSet' ? nodes[i]! : rng.pick(nodes);
        const pod = newPod(rng, w, node, i);
        if (w.storage) {
          const claimName = `data-${pod.ref.name}`;
          const pvUid = rng.uuid();
          const claim: SimClaim = {
            ref: { kind: 'PersistentVolumeClaim', apiVersion: 'v1', name: claimName, namespace: t.ns, uid: pvUid },
            pv: { kind: 'PersistentVolume', apiVersion: 'v1', name: `pvc-${pvUid}`, namespace: '', uid: rng.uuid() },
            storageClass: 'standard-rwo',
          };
          cluster.claims.push(claim);
          pod.pvcs.push(claimName);
        }
        w.pods.push(pod);
      }
    }
    cluster.workloads.push(w);
  }
  return cluster;
}

/** Gives a Deployment a new current ReplicaSet (a rollout). */
export function newReplicaSet(rng: Rng, w: SimWorkload): SimRef {
  const rs: SimRef = { kind: 'ReplicaSet', apiVersion: 'apps/v1', name: `${w.app}-${k8sSuffix(rng, 10)}`, namespace: w.ref.namespace, uid: rng.uuid() };
  w.replicaSet = rs;
  return rs;
}

/** Makes a pod of a workload on a node (not yet added to `w.pods`). */
export function newPod(rng: Rng, w: SimWorkload, node: SimNode, ordinal: number, owner?: SimRef): SimPod {
  let name: string;
  if (w.kind === 'Deployment') name = `${w.replicaSet!.name}-${k8sSuffix(rng, 5)}`;
  else if (w.kind === 'StatefulSet') name = `${w.app}-${ordinal}`;
  else name = `${owner?.name ?? w.app}-${k8sSuffix(rng, 5)}`;
  const container = w.app.replace(/-(api|web|controller)$/, '') || w.app;
  return {
    ref: { kind: 'Pod', apiVersion: 'v1', name, namespace: w.ref.namespace, uid: rng.uuid() },
    node: node.name,
    ip: `10.${rng.int(8, 11)}.${rng.int(0, 255)}.${rng.int(2, 254)}`,
    container,
    image: w.image,
    port: w.port,
    labels: { app: w.app, 'app.kubernetes.io/name': w.app, ...(w.kind === 'Deployment' ? { 'pod-template-hash': w.replicaSet!.name.slice(w.app.length + 1) } : {}) },
    owner: owner ?? (w.kind === 'Deployment' ? w.replicaSet! : w.ref),
    pvcs: [],
    workload: w,
  };
}

function meta(ref: SimRef, createdMs: number, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name: ref.name,
    ...(ref.namespace !== '' ? { namespace: ref.namespace } : {}),
    uid: ref.uid,
    creationTimestamp: formatTime(createdMs),
    ...extra,
  };
}

function ownerRef(ref: SimRef): Record<string, unknown> {
  return { apiVersion: ref.apiVersion, kind: ref.kind, name: ref.name, uid: ref.uid, controller: true, blockOwnerDeletion: true };
}

/** The Pod object for a simulated pod. */
export function podObject(p: SimPod, createdMs: number, phase = 'Running'): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: meta(p.ref, createdMs, { labels: p.labels, ownerReferences: [ownerRef(p.owner)] }),
    spec: {
      nodeName: p.node,
      containers: [{ name: p.container, image: p.image, ports: [{ containerPort: p.port, protocol: 'TCP' }] }],
      volumes: p.pvcs.map((c, i) => ({ name: i === 0 ? 'data' : `data-${i}`, persistentVolumeClaim: { claimName: c } })),
      restartPolicy: p.workload.kind === 'CronJob' ? 'OnFailure' : 'Always',
    },
    status: { phase, podIP: p.ip, hostIP: '', containerStatuses: [{ name: p.container, image: p.image, ready: phase === 'Running', restartCount: 0 }] },
  };
}

/** Writes the whole cluster (namespaces, nodes, workloads, ReplicaSets, pods, PVCs, PVs, services) to the store. */
export function writeCluster(store: ObjectStore, c: SimCluster, nowMs: number): void {
  const created = nowMs - 86_400_000;
  for (const ns of [...new Set(['default', ...c.namespaces])]) {
    store.create('namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns, labels: { 'kubernetes.io/metadata.name': ns } }, status: { phase: 'Active' } });
  }
  for (const n of c.nodes) {
    store.create('nodes', {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: meta({ kind: 'Node', apiVersion: 'v1', name: n.name, namespace: '', uid: n.uid }, created, {
        labels: { 'kubernetes.io/hostname': n.name, 'cloud.google.com/gke-nodepool': n.name.includes('pool-b') ? 'pool-b' : 'pool-a' },
      }),
      spec: { podCIDR: `10.8.${c.nodes.indexOf(n)}.0/24` },
      status: {
        addresses: [{ type: 'InternalIP', address: n.ip }, { type: 'Hostname', address: n.name }],
        conditions: ['MemoryPressure', 'DiskPressure', 'PIDPressure'].map((t) => ({ type: t, status: 'False' })).concat([{ type: 'Ready', status: 'True' }]),
      },
    });
  }
  for (const cl of c.claims) {
    store.create('persistentvolumes', {
      apiVersion: 'v1',
      kind: 'PersistentVolume',
      metadata: meta(cl.pv, created),
      spec: { capacity: { storage: '50Gi' }, storageClassName: cl.storageClass, claimRef: { kind: 'PersistentVolumeClaim', name: cl.ref.name, namespace: cl.ref.namespace, uid: cl.ref.uid } },
      status: { phase: 'Bound' },
    });
    store.create('persistentvolumeclaims', {
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: meta(cl.ref, created),
      spec: { storageClassName: cl.storageClass, volumeName: cl.pv.name, resources: { requests: { storage: '50Gi' } }, accessModes: ['ReadWriteOnce'] },
      status: { phase: 'Bound' },
    });
  }
  for (const w of c.workloads) {
    const resource = { Deployment: 'deployments', StatefulSet: 'statefulsets', DaemonSet: 'daemonsets', CronJob: 'cronjobs' }[w.kind];
    const template = { metadata: { labels: { app: w.app } }, spec: { containers: [{ name: w.app, image: w.image }] } };
    const spec =
      w.kind === 'CronJob'
        ? { schedule: '*/15 * * * *', jobTemplate: { spec: { template } } }
        : { replicas: w.replicas, selector: { matchLabels: { app: w.app } }, template };
    store.create(resource, { apiVersion: w.ref.apiVersion, kind: w.kind, metadata: meta(w.ref, created, { labels: { app: w.app } }), spec });
    if (w.replicaSet) writeReplicaSet(store, w, w.replicaSet, w.replicas, created);
    for (const p of w.pods) store.create('pods', podObject(p, created));
    if (w.kind !== 'CronJob') {
      store.create('services', {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: w.app, namespace: w.ref.namespace },
        spec: { selector: { app: w.app }, ports: [{ port: w.port, targetPort: w.port }] },
      });
    }
  }
}

/** Writes a ReplicaSet object owned by its Deployment. */
export function writeReplicaSet(store: ObjectStore, w: SimWorkload, rs: SimRef, replicas: number, createdMs: number): void {
  store.create('replicasets', {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: meta(rs, createdMs, {
      labels: { app: w.app, 'pod-template-hash': rs.name.slice(w.app.length + 1) },
      ownerReferences: [ownerRef(w.ref)],
      annotations: { 'deployment.kubernetes.io/revision': String(w.revision) },
    }),
    spec: { replicas, selector: { matchLabels: { app: w.app } } },
    status: { replicas },
  });
}
