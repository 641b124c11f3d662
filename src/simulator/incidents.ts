import type { Emit, SimContext } from './context.js';
import { containerPath, containerStartSteps, eventStep, freeWorkloads, isCooling, kubeletNodeRef, markRestart, removePod } from './context.js';
import type { IncidentKind } from './config.js';
import type { SimNode, SimPod, SimRef, SimWorkload } from './cluster.js';
import { newPod, newReplicaSet, podObject, writeReplicaSet } from './cluster.js';
import type { Step } from './scheduler.js';

/** A ground-truth object reference. */
export interface GroundTruthObject {
  kind: string;
  name: string;
  namespace: string;
  uid: string;
}

/** One injected incident, as written to the ground-truth NDJSON file. */
export interface GroundTruthIncident {
  /** Stable id, e.g. `inc-0003-CrashLoopBackOff`. */
  id: string;
  kind: IncidentKind;
  /** Namespace of the main object ('' for node-only incidents). */
  namespace: string;
  /** Node involved, where there is one. */
  node?: string;
  /** Objects the incident is about. */
  objects: GroundTruthObject[];
  /** Sim time of its first Event, epoch ms. */
  startMs: number;
  /** Sim time of its last Event, epoch ms. */
  endMs: number;
  /** uids of every Event written for this incident (an updated Event counts once). */
  eventUids: string[];
}

/** An incident ready to run: its ground-truth header and its steps (each writes one Event). */
export interface IncidentPlan {
  kind: IncidentKind;
  namespace: string;
  node?: string;
  objects: SimRef[];
  steps: Step[];
  /** Targets no other incident may pick until this one is over plus the Event TTL (pod uids, `pressure:<node>`, `net:<ns>`). */
  coolKeys: string[];
  /** Runs after the last step at its sim time (release busy workloads, repair the model). */
  cleanup?: (atMs: number) => void;
}

/** Builds one incident's plan; `emit` records an Event into that incident's ground truth. Undefined when no target fits. */
export type IncidentBuilder = (ctx: SimContext, emit: Emit) => IncidentPlan | undefined;

const kubelet = (p: SimPod, reason: string, note: string, type: 'Normal' | 'Warning' = 'Warning') => ({
  regarding: p.ref,
  fieldPath: containerPath(p),
  reason,
  note,
  type,
  component: 'kubelet',
  host: p.node,
});

function busy(ctx: SimContext, ...ws: SimWorkload[]): () => void {
  for (const w of ws) ctx.busy.add(w.ref.uid);
  return () => {
    for (const w of ws) ctx.busy.delete(w.ref.uid);
  };
}

function podOf(ctx: SimContext, filter: (w: SimWorkload) => boolean): SimPod | undefined {
  const pods = freeWorkloads(ctx, filter).flatMap((w) => w.pods.filter((p) => !isCooling(ctx, p.ref.uid)));
  return pods.length > 0 ? ctx.rng.pick(pods) : undefined;
}

const crashLoop: IncidentBuilder = (ctx, emit) => {
  const p = podOf(ctx, (w) => w.kind === 'Deployment' || w.kind === 'StatefulSet');
  if (!p) return undefined;
  const restarts = ctx.rng.int(5, 9);
  const steps: Step[] = [];
  const backOff = kubelet(p, 'BackOff', `Back-off restarting failed container ${p.container} in pod ${p.ref.name}_${p.ref.namespace}(${p.ref.uid})`);
  for (let r = 0; r < restarts; r++) {
    const start = containerStartSteps(emit, p, false, 500);
    start[0] = { ...start[0]!, delayMs: r === 0 ? 0 : Math.min(300_000, 10_000 * 2 ** (r - 1)) };
    steps.push(...start, eventStep(emit, 5_000, backOff, () => markRestart(ctx, p, 'Error')), eventStep(emit, 8_000, backOff));
  }
  return { kind: 'CrashLoopBackOff', coolKeys: [p.ref.uid], namespace: p.ref.namespace, node: p.node, objects: [p.ref, p.workload.ref], steps, cleanup: busy(ctx, p.workload) };
};

const failedMount: IncidentBuilder = (ctx, emit) => {
  const p = podOf(ctx, (w) => w.storage && w.pods.some((x) => x.pvcs.length > 0));
  if (!p || p.pvcs.length === 0) return undefined;
  const claim = ctx.cluster.claims.find((c) => c.ref.name === p.pvcs[0] && c.ref.namespace === p.ref.namespace);
  if (!claim) return undefined;
  const vol = claim.pv.name;
  const attach = { regarding: p.ref, reason: 'FailedAttachVolume', note: `AttachVolume.Attach failed for volume "${vol}" : rpc error: code = DeadlineExceeded desc = context deadline exceeded`, type: 'Warning' as const, component: 'attachdetach-controller' };
  const mount = kubelet(p, 'FailedMount', `Unable to attach or mount volumes: unmounted volumes=[data], unattached volumes=[data kube-api-access-${ctx.rng.chars(5, 'bcdfghjklmnpqrstvwxz2456789')}]: timed out waiting for the condition`);
  delete (mount as { fieldPath?: string }).fieldPath;
  const steps: Step[] = [
    eventStep(emit, 0, { regarding: p.ref, reason: 'Scheduled', note: `Successfully assigned ${p.ref.namespace}/${p.ref.name} to ${p.node}`, type: 'Normal', component: 'default-scheduler' }),
  ];
  const rounds = ctx.rng.int(3, 5);
  for (let i = 0; i < rounds; i++) steps.push(eventStep(emit, 15_000, attach), eventStep(emit, 45_000, attach), eventStep(emit, 60_000, mount));
  steps.push(
    eventStep(emit, 20_000, { regarding: p.ref, reason: 'SuccessfulAttachVolume', note: `AttachVolume.Attach succeeded for volume "${vol}"`, type: 'Normal', component: 'attachdetach-controller' }),
    ...containerStartSteps(emit, p, false, 1_000),
    eventStep(emit, 10_000, kubelet(p, 'BackOff', `Back-off restarting failed container ${p.container} in pod ${p.ref.name}_${p.ref.namespace}(${p.ref.uid})`)),
    eventStep(emit, 20_000, kubelet(p, 'BackOff', `Back-off restarting failed container ${p.container} in pod ${p.ref.name}_${p.ref.namespace}(${p.ref.uid})`)),
  );
  return { kind: 'FailedMount', coolKeys: [p.ref.uid], namespace: p.ref.namespace, node: p.node, objects: [p.ref, claim.ref, claim.pv], steps, cleanup: busy(ctx, p.workload) };
};

const imagePull: IncidentBuilder = (ctx, emit) => {
  const { rng, store } = ctx;
  const ws = freeWorkloads(ctx, (w) => w.kind === 'Deployment' && w.replicaSet !== undefined);
  if (ws.length === 0) return undefined;
  const w = rng.pick(ws);
  const release = busy(ctx, w);
  const oldRs = w.replicaSet!;
  const oldImage = w.image;
  const badImage = `${w.image.replace(/:[^:/]+$/, '')}:${rng.pick(['v2.0.0-rc1', 'latest-fix', 'sha-' + rng.hex(7)])}`;
  w.image = badImage;
  w.revision += 1;
  const rs = newReplicaSet(rng, w);
  const pod = newPod(rng, w, rng.pick(ctx.cluster.nodes), 0);
  w.replicaSet = oldRs;
  w.image = oldImage;
  const registry = badImage.split('/')[0]!;
  const reason = rng.chance(0.3)
    ? `failed to resolve reference "${badImage}": pulling from host ${registry} failed with status code [manifests ${badImage.split(':').pop()}]: 401 Unauthorized (request header Authorization: Bearer ghp_${rng.hex(36)})`
    : `failed to resolve reference "${badImage}": ${badImage}: not found`;
  const steps: Step[] = [
    eventStep(emit, 0, { regarding: w.ref, reason: 'ScalingReplicaSet', note: `Scaled up replica set ${rs.name} from 0 to 1`, type: 'Normal', component: 'deployment-controller' }, (at) => writeReplicaSet(store, w, rs, 1, at)),
    eventStep(emit, 200, { regarding: rs, reason: 'SuccessfulCreate', note: `Created pod: ${pod.ref.name}`, type: 'Normal', component: 'replicaset-controller' }, (at) => {
      store.create('pods', podObject(pod, at, 'Pending'));
    }),
    eventStep(emit, 100, { regarding: pod.ref, reason: 'Scheduled', note: `Successfully assigned ${pod.ref.namespace}/${pod.ref.name} to ${pod.node}`, type: 'Normal', component: 'default-scheduler' }),
  ];
  const rounds = rng.int(4, 7);
  for (let i = 0; i < rounds; i++) {
    steps.push(
      eventStep(emit, i === 0 ? 500 : Math.min(300_000, 10_000 * 2 ** i), kubelet(pod, 'Pulling', `Pulling image "${badImage}"`, 'Normal')),
      eventStep(emit, 1_500, kubelet(pod, 'Failed', `Failed to pull image "${badImage}": rpc error: code = NotFound desc = failed to pull and unpack image "${badImage}": ${reason}`)),
      eventStep(emit, 10, kubelet(pod, 'Failed', 'Error: ErrImagePull')),
      eventStep(emit, 2_000, kubelet(pod, 'BackOff', `Back-off pulling image "${badImage}"`, 'Normal')),
      eventStep(emit, 10, kubelet(pod, 'Failed', 'Error: ImagePullBackOff')),
    );
  }
  steps.push(
    eventStep(emit, 60_000, { regarding: w.ref, reason: 'ScalingReplicaSet', note: `Scaled down replica set ${rs.name} from 1 to 0`, type: 'Normal', component: 'deployment-controller' }),
    eventStep(emit, 200, { regarding: rs, reason: 'SuccessfulDelete', note: `Deleted pod: ${pod.ref.name}`, type: 'Normal', component: 'replicaset-controller' }, () => {
      if (store.get('pods', pod.ref.namespace, pod.ref.name)) store.delete('pods', pod.ref.namespace, pod.ref.name);
    }),
  );
  return { kind: 'ImagePullFailure', coolKeys: [pod.ref.uid], namespace: w.ref.namespace, node: pod.node, objects: [w.ref, rs, pod.ref], steps, cleanup: release };
};

function podsOnNode(ctx: SimContext, node: SimNode): SimPod[] {
  return freeWorkloads(ctx, (w) => w.kind === 'Deployment' || w.kind === 'StatefulSet').flatMap((w) => w.pods.filter((p) => p.node === node.name && !isCooling(ctx, p.ref.uid)));
}

function setNodeCondition(ctx: SimContext, node: SimNode, type: string, status: string): void {
  const cur = ctx.store.get('nodes', '', node.name);
  if (!cur) return;
  const st = (cur['status'] ?? {}) as { conditions?: Array<{ type: string; status: string }> };
  const conditions = (st.conditions ?? []).map((c) => (c.type === type ? { ...c, status } : c));
  ctx.store.update('nodes', { ...cur, status: { ...st, conditions } });
}

/** Failed (evicted) pods kept before the oldest are garbage-collected (kube-controller-manager's terminated-pod GC, scaled down). */
const FAILED_PODS_LIMIT = 20;

function pruneFailedPods(ctx: SimContext): void {
  const failed = ctx.store.list('pods').filter((p) => (p['status'] as { phase?: string } | undefined)?.phase === 'Failed');
  failed.sort((a, b) => Number((a['metadata'] as { resourceVersion: string }).resourceVersion) - Number((b['metadata'] as { resourceVersion: string }).resourceVersion));
  for (const p of failed.slice(0, Math.max(0, failed.length - FAILED_PODS_LIMIT))) {
    const m = p['metadata'] as { name: string; namespace: string };
    ctx.store.delete('pods', m.namespace, m.name);
  }
}

const pressureTurns = new WeakMap<object, Map<string, number>>();

const nodePressure: IncidentBuilder = (ctx, emit) => {
  const { rng, store } = ctx;
  const nodes = ctx.cluster.nodes.filter((n) => !isCooling(ctx, `pressure:${n.name}`) && podsOnNode(ctx, n).length >= 2);
  if (nodes.length === 0) return undefined;
  // Least recently pressured node first, so two incidents rarely update the same node Events.
  const turn = pressureTurns.get(ctx.cluster) ?? new Map<string, number>();
  pressureTurns.set(ctx.cluster, turn);
  const seq = Math.max(0, ...turn.values()) + 1;
  const node = [...nodes].sort((a, b) => (turn.get(a.name) ?? 0) - (turn.get(b.name) ?? 0))[0]!;
  turn.set(node.name, seq);
  const victims = podsOnNode(ctx, node).slice(0, rng.int(2, 4));
  const release = busy(ctx, ...new Set(victims.map((v) => v.workload)));
  const nref = kubeletNodeRef(node);
  const nodeEv = (reason: string, note: string, type: 'Normal' | 'Warning') => ({ regarding: nref, reason, note, type, component: 'kubelet', host: node.name });
  const steps: Step[] = [
    eventStep(emit, 0, nodeEv('NodeHasDiskPressure', `Node ${node.name} status is now: NodeHasDiskPressure`, 'Normal'), () => setNodeCondition(ctx, node, 'DiskPressure', 'True')),
    eventStep(emit, 2_000, nodeEv('EvictionThresholdMet', 'Attempting to reclaim ephemeral-storage', 'Warning')),
  ];
  for (const v of victims) {
    const avail = rng.int(3, 9);
    steps.push(
      eventStep(emit, 3_000, kubelet(v, 'Evicted', `The node was low on resource: ephemeral-storage. Threshold quantity: 10%, available: ${avail}%. Container ${v.container} was using ${rng.int(4, 20)}Gi, request is 0, has larger consumption of ephemeral-storage. `)),
      eventStep(emit, 100, kubelet(v, 'Killing', `Stopping container ${v.container}`, 'Normal'), (at) => {
        const cur = store.get('pods', v.ref.namespace, v.ref.name);
        if (cur) store.update('pods', { ...cur, status: { phase: 'Failed', reason: 'Evicted', message: 'The node was low on resource: ephemeral-storage.' } });
        void at;
      }),
    );
  }
  steps.push(eventStep(emit, 60_000, nodeEv('EvictionThresholdMet', 'Attempting to reclaim ephemeral-storage', 'Warning')));
  steps.push(eventStep(emit, 120_000, nodeEv('NodeHasNoDiskPressure', `Node ${node.name} status is now: NodeHasNoDiskPressure`, 'Normal'), () => setNodeCondition(ctx, node, 'DiskPressure', 'False')));
  const cleanup = (atMs: number): void => {
    // Replace evicted pods in the model (their controllers would); StatefulSet pods keep their names.
    for (const v of victims) {
      const w = v.workload;
      const other = ctx.cluster.nodes.find((n) => n.name !== node.name) ?? node;
      removePod(w, v);
      // Evicted pods stay (Failed) like in a real cluster, except StatefulSet pods whose names are reused.
      if (w.kind === 'StatefulSet' && store.get('pods', v.ref.namespace, v.ref.name)) store.delete('pods', v.ref.namespace, v.ref.name);
      const ordinal = w.kind === 'StatefulSet' ? Number(v.ref.name.split('-').pop()) : 0;
      const fresh = newPod(rng, w, other, ordinal);
      fresh.pvcs = v.pvcs;
      if (!store.get('pods', fresh.ref.namespace, fresh.ref.name)) store.create('pods', podObject(fresh, atMs));
      w.pods.push(fresh);
    }
    pruneFailedPods(ctx);
    release();
  };
  return { kind: 'NodePressure', coolKeys: [`pressure:${node.name}`, ...victims.map((v) => v.ref.uid)], namespace: victims[0]!.ref.namespace, node: node.name, objects: [nref, ...victims.map((v) => v.ref)], steps, cleanup };
};

const schedulingFailure: IncidentBuilder = (ctx, emit) => {
  const { rng, store } = ctx;
  const ws = freeWorkloads(ctx, (w) => w.kind === 'Deployment' && w.replicaSet !== undefined && w.pods.length > 0 && !isCooling(ctx, w.ref.uid));
  if (ws.length === 0) return undefined;
  const w = rng.pick(ws);
  const release = busy(ctx, w);
  const rs = w.replicaSet!;
  const n = w.pods.length;
  const pod = newPod(rng, w, rng.pick(ctx.cluster.nodes), n);
  const total = ctx.cluster.nodes.length;
  const cpu = Math.max(1, Math.floor(total / 2));
  const note = `0/${total} nodes are available: ${cpu} Insufficient cpu, ${total - cpu} Insufficient memory. preemption: 0/${total} nodes are available: ${total} No preemption victims found for incoming pod.`;
  const failed = { regarding: pod.ref, reason: 'FailedScheduling', note, type: 'Warning' as const, component: 'default-scheduler', action: 'Scheduling' };
  const scaleUp = rng.chance(0.6);
  const ca = scaleUp
    ? { regarding: pod.ref, reason: 'TriggeredScaleUp', note: `pod triggered scale-up: [{https://www.googleapis.com/compute/v1/projects/prod/zones/europe-west1-b/instanceGroups/gke-prod-pool-b-grp ${total}->${total + 1} (max: 12)}]`, type: 'Normal' as const, component: 'cluster-autoscaler' }
    : { regarding: pod.ref, reason: 'NotTriggerScaleUp', note: `pod didn't trigger scale-up: 1 max node group size reached, ${cpu} Insufficient cpu`, type: 'Normal' as const, component: 'cluster-autoscaler' };
  const steps: Step[] = [
    eventStep(emit, 0, { regarding: w.ref, reason: 'ScalingReplicaSet', note: `Scaled up replica set ${rs.name} from ${n} to ${n + 1}`, type: 'Normal', component: 'deployment-controller' }),
    eventStep(emit, 200, { regarding: rs, reason: 'SuccessfulCreate', note: `Created pod: ${pod.ref.name}`, type: 'Normal', component: 'replicaset-controller' }, (at) => {
      const obj = podObject(pod, at, 'Pending');
      (obj['spec'] as Record<string, unknown>)['nodeName'] = undefined;
      store.create('pods', obj);
    }),
  ];
  const rounds = rng.int(4, 8);
  for (let i = 0; i < rounds; i++) steps.push(eventStep(emit, i === 0 ? 100 : 30_000, failed), eventStep(emit, 10_000, ca));
  if (scaleUp) {
    steps.push(
      eventStep(emit, 90_000, { regarding: pod.ref, reason: 'Scheduled', note: `Successfully assigned ${pod.ref.namespace}/${pod.ref.name} to ${pod.node}`, type: 'Normal', component: 'default-scheduler' }, (at) => {
        const cur = store.get('pods', pod.ref.namespace, pod.ref.name);
        if (cur) store.update('pods', podObject(pod, at));
        w.pods.push(pod);
      }),
      ...containerStartSteps(emit, pod, true, 800),
    );
  } else {
    steps.push(
      eventStep(emit, 60_000, { regarding: w.ref, reason: 'ScalingReplicaSet', note: `Scaled down replica set ${rs.name} from ${n + 1} to ${n}`, type: 'Normal', component: 'deployment-controller' }),
      eventStep(emit, 200, { regarding: rs, reason: 'SuccessfulDelete', note: `Deleted pod: ${pod.ref.name}`, type: 'Normal', component: 'replicaset-controller' }, () => {
        if (store.get('pods', pod.ref.namespace, pod.ref.name)) store.delete('pods', pod.ref.namespace, pod.ref.name);
      }),
    );
  }
  return { kind: 'SchedulingFailure', coolKeys: [pod.ref.uid, w.ref.uid], namespace: w.ref.namespace, objects: [pod.ref, rs, w.ref], steps, cleanup: release };
};

const oomKill: IncidentBuilder = (ctx, emit) => {
  const { rng } = ctx;
  const p = podOf(ctx, (w) => w.kind === 'Deployment' || w.kind === 'StatefulSet');
  if (!p) return undefined;
  const nref = kubeletNodeRef(p.node);
  const procName = rng.pick(['java', 'python3', 'node', 'postgres', 'envoy']);
  const pid = rng.int(2000, 60000);
  const oom = {
    regarding: nref,
    reason: 'OOMKilling',
    note: `Memory cgroup out of memory: Killed process ${pid} (${procName}) total-vm:${rng.int(2, 9) * 1048576}kB, anon-rss:${rng.int(1, 4) * 1048576}kB, file-rss:0kB, shmem-rss:0kB, UID:1000 pgtables:${rng.int(2000, 9000)}kB oom_score_adj:${rng.int(900, 999)}`,
    type: 'Warning' as const,
    component: 'kernel-monitor',
    host: p.node,
  };
  const steps: Step[] = [];
  const cycles = rng.int(2, 4);
  for (let c = 0; c < cycles; c++) {
    steps.push(eventStep(emit, c === 0 ? 0 : Math.min(300_000, 20_000 * 2 ** c), oom));
    steps.push(...containerStartSteps(emit, p, false, 1_000));
    steps.push(eventStep(emit, 5_000, kubelet(p, 'BackOff', `Back-off restarting failed container ${p.container} in pod ${p.ref.name}_${p.ref.namespace}(${p.ref.uid})`), () => markRestart(ctx, p, 'OOMKilled')));
  }
  return { kind: 'OOMKill', coolKeys: [p.ref.uid], namespace: p.ref.namespace, node: p.node, objects: [nref, p.ref], steps, cleanup: busy(ctx, p.workload) };
};

const networkDegradation: IncidentBuilder = (ctx, emit) => {
  const { rng } = ctx;
  const namespaces = ctx.cluster.namespaces.filter((ns) => !isCooling(ctx, `net:${ns}`) && ctx.cluster.workloads.some((w) => w.ref.namespace === ns && w.pods.length > 0 && w.kind !== 'DaemonSet'));
  if (namespaces.length === 0) return undefined;
  const ns = rng.pick(namespaces);
  const workloads = ctx.cluster.workloads.filter((w) => w.ref.namespace === ns && w.kind !== 'DaemonSet' && w.kind !== 'CronJob');
  const durationMs = rng.int(2, 4) * 3_600_000;
  const n = rng.int(40, 80);
  // Rising intensity: the k-th of n events at duration·sqrt(k/n) (rate grows linearly in time).
  const times = Array.from({ length: n }, (_, k) => Math.round(durationMs * Math.sqrt((k + 1) / n)));
  const steps: Step[] = [];
  let prev = 0;
  for (const t of times) {
    steps.push({
      delayMs: steps.length === 0 ? 0 : t - prev,
      run: (atMs) => {
        const pods = workloads.flatMap((w) => w.pods);
        const p = pods.length > 0 ? rng.pick(pods) : undefined;
        if (!p) return;
        const roll = rng.next();
        const spec =
          roll < 0.6
            ? kubelet(p, 'Unhealthy', rng.chance(0.5)
                ? `Readiness probe failed: Get "http://${p.ip}:${p.port}/healthz": dial tcp ${p.ip}:${p.port}: i/o timeout`
                : `Liveness probe failed: Get "http://${p.ip}:${p.port}/healthz": dial tcp ${p.ip}:${p.port}: connect: connection refused`)
            : roll < 0.85
              ? { ...kubelet(p, 'FailedCreatePodSandBox', `Failed to create pod sandbox: rpc error: code = Unknown desc = failed to setup network for sandbox "${rng.hex(64)}": plugin type="calico" failed (add): error getting ClusterInformation: Get "https://10.96.0.1:443/apis/crd.projectcalico.org/v1/clusterinformations/default": dial tcp 10.96.0.1:443: i/o timeout`), fieldPath: undefined }
              : { ...kubelet(p, 'NetworkNotReady', 'network is not ready: container runtime network not ready: NetworkReady=false reason:NetworkPluginNotReady message:Network plugin returns error: cni plugin not initialized'), fieldPath: undefined };
        emit(spec, atMs);
      },
    });
    prev = t;
  }
  return { kind: 'NetworkDegradation', coolKeys: [`net:${ns}`], namespace: ns, objects: workloads.map((w) => w.ref), steps };
};

/** Builders of every incident kind. */
export const INCIDENT_BUILDERS: Readonly<Record<IncidentKind, IncidentBuilder>> = {
  CrashLoopBackOff: crashLoop,
  FailedMount: failedMount,
  ImagePullFailure: imagePull,
  NodePressure: nodePressure,
  SchedulingFailure: schedulingFailure,
  OOMKill: oomKill,
  NetworkDegradation: networkDegradation,
};

/** Ground-truth object of a reference. */
export function groundTruthObject(r: SimRef): GroundTruthObject {
  return { kind: r.kind, name: r.name, namespace: r.namespace, uid: r.uid };
}
