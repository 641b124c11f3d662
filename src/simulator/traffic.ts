import type { SimContext, Emit } from './context.js';
import { containerPath, containerStartSteps, eventStep, freeWorkloads, removePod } from './context.js';
import type { Step } from './scheduler.js';
import type { SimPod, SimRef, SimWorkload } from './cluster.js';
import { newPod, newReplicaSet, podObject, writeReplicaSet } from './cluster.js';
import { formatTime } from './store.js';
import { k8sSuffix } from './rng.js';

/** Kinds of normal (non-incident) activity. */
export type ActivityKind = 'rollout' | 'cronjob' | 'probe' | 'hpa' | 'provisioning' | 'ingress' | 'leader';

const WEIGHTS: ReadonlyArray<readonly [ActivityKind, number]> = [
  ['rollout', 1],
  ['cronjob', 3],
  ['probe', 10],
  ['hpa', 3],
  ['provisioning', 1],
  ['ingress', 3],
  ['leader', 1],
];

/**
 * Starts one normal activity chosen by weight and returns its steps (the first has delay 0;
 * each step writes one Event). Busy workloads are left alone.
 */
export function normalActivity(ctx: SimContext, emit: Emit): Step[] {
  const kind = ctx.rng.weighted(WEIGHTS);
  const steps =
    kind === 'rollout' ? rollout(ctx, emit)
    : kind === 'cronjob' ? cronJobRun(ctx, emit)
    : kind === 'hpa' ? hpaRescale(ctx, emit)
    : kind === 'provisioning' ? provisioning(ctx, emit)
    : kind === 'ingress' ? ingressSync(ctx, emit)
    : kind === 'leader' ? leaderElection(ctx, emit)
    : undefined;
  return steps ?? probeFlap(ctx, emit);
}

function allPods(ctx: SimContext): SimPod[] {
  return freeWorkloads(ctx).flatMap((w) => w.pods);
}

/** An occasional failed probe (some notes carry pod IPs, so redaction has something to do). */
function probeFlap(ctx: SimContext, emit: Emit): Step[] {
  const { rng } = ctx;
  const pods = allPods(ctx);
  const p = rng.pick(pods.length > 0 ? pods : ctx.cluster.workloads.flatMap((w) => w.pods));
  const probe = rng.chance(0.7) ? 'Readiness' : 'Liveness';
  const note = rng.pick([
    `${probe} probe failed: HTTP probe failed with statuscode: 503`,
    `${probe} probe failed: Get "http://${p.ip}:${p.port}/healthz": context deadline exceeded (Client.Timeout exceeded while awaiting headers)`,
    `${probe} probe failed: Get "http://${p.ip}:${p.port}/ready": dial tcp ${p.ip}:${p.port}: connect: connection refused`,
  ]);
  const spec = { regarding: p.ref, fieldPath: containerPath(p), reason: 'Unhealthy', note, type: 'Warning' as const, component: 'kubelet', host: p.node };
  const steps: Step[] = [eventStep(emit, 0, spec)];
  const repeats = rng.chance(0.3) ? rng.int(1, 3) : 0;
  for (let i = 0; i < repeats; i++) steps.push(eventStep(emit, 10_000, spec));
  return steps;
}

/** A Deployment rollout: new ReplicaSet scaled up pod by pod, old one scaled down. */
function rollout(ctx: SimContext, emit: Emit): Step[] | undefined {
  const { rng, store } = ctx;
  const candidates = freeWorkloads(ctx, (w) => w.kind === 'Deployment' && w.pods.length > 0);
  if (candidates.length === 0) return undefined;
  const w = rng.pick(candidates);
  ctx.busy.add(w.ref.uid);
  const oldRs = w.replicaSet!;
  const oldPods = [...w.pods];
  const total = oldPods.length;
  w.revision += 1;
  const rs = newReplicaSet(rng, w);
  const dc = { regarding: w.ref, type: 'Normal' as const, component: 'deployment-controller' };
  const steps: Step[] = [];
  for (let i = 0; i < total; i++) {
    const node = rng.pick(ctx.cluster.nodes);
    const pod = newPod(rng, w, node, i);
    const old = oldPods[i]!;
    steps.push(
      eventStep(emit, i === 0 ? 0 : 4_000, { ...dc, reason: 'ScalingReplicaSet', note: `Scaled up replica set ${rs.name} from ${i} to ${i + 1}` }, (at) => {
        if (i === 0) writeReplicaSet(store, w, rs, 1, at);
      }),
      eventStep(emit, 200, { regarding: rs, reason: 'SuccessfulCreate', note: `Created pod: ${pod.ref.name}`, type: 'Normal', component: 'replicaset-controller' }, (at) => {
        store.create('pods', podObject(pod, at, 'Pending'));
        w.pods.push(pod);
      }),
      eventStep(emit, 100, { regarding: pod.ref, reason: 'Scheduled', note: `Successfully assigned ${pod.ref.namespace}/${pod.ref.name} to ${pod.node}`, type: 'Normal', component: 'default-scheduler' }),
      ...containerStartSteps(emit, pod, i === 0, 800),
      eventStep(emit, 3_000, { ...dc, reason: 'ScalingReplicaSet', note: `Scaled down replica set ${oldRs.name} from ${total - i} to ${total - i - 1}` }),
      eventStep(emit, 200, { regarding: oldRs, reason: 'SuccessfulDelete', note: `Deleted pod: ${old.ref.name}`, type: 'Normal', component: 'replicaset-controller' }),
      eventStep(emit, 100, { regarding: old.ref, fieldPath: containerPath(old), reason: 'Killing', note: `Stopping container ${old.container}`, type: 'Normal', component: 'kubelet', host: old.node }, () => {
        if (store.get('pods', old.ref.namespace, old.ref.name)) store.delete('pods', old.ref.namespace, old.ref.name);
        removePod(w, old);
        if (i === total - 1) {
          ctx.busy.delete(w.ref.uid);
          pruneOwned(ctx, 'replicasets', w.ref.uid, HISTORY_LIMIT + 1);
        }
      }),
    );
  }
  return steps;
}

/** A CronJob run: Job, pod, completion, history cleanup. */
function cronJobRun(ctx: SimContext, emit: Emit): Step[] | undefined {
  const { rng, store } = ctx;
  const candidates = freeWorkloads(ctx, (w) => w.kind === 'CronJob');
  if (candidates.length === 0) return undefined;
  const w = rng.pick(candidates);
  ctx.busy.add(w.ref.uid);
  let job: SimRef | undefined;
  let pod: SimPod | undefined;
  const jobRef = (): SimRef => job!;
  const podRef = (): SimPod => pod!;
  const kubelet = (reason: string, note: string) => () => ({ regarding: podRef().ref, fieldPath: containerPath(podRef()), reason, note, type: 'Normal' as const, component: 'kubelet', host: podRef().node });
  return [
    eventStep(emit, 0, () => ({ regarding: w.ref, reason: 'SuccessfulCreate', note: `Created job ${jobRef().name}`, type: 'Normal', component: 'cronjob-controller' }), (at) => {
      job = { kind: 'Job', apiVersion: 'batch/v1', name: `${w.app}-${Math.floor(at / 60_000)}`, namespace: w.ref.namespace, uid: rng.uuid() };
      if (!store.get('jobs', job.namespace, job.name)) {
        store.create('jobs', { apiVersion: 'batch/v1', kind: 'Job', metadata: { name: job.name, namespace: job.namespace, uid: job.uid, labels: { app: w.app }, ownerReferences: [{ apiVersion: 'batch/v1', kind: 'CronJob', name: w.app, uid: w.ref.uid, controller: true }] }, spec: { template: {} }, status: { active: 1 } });
      }
      pod = newPod(rng, w, rng.pick(ctx.cluster.nodes), 0, job);
    }),
    eventStep(emit, 300, () => ({ regarding: jobRef(), reason: 'SuccessfulCreate', note: `Created pod: ${podRef().ref.name}`, type: 'Normal', component: 'job-controller' }), (at) => {
      store.create('pods', podObject(podRef(), at, 'Pending'));
    }),
    eventStep(emit, 200, () => ({ regarding: podRef().ref, reason: 'Scheduled', note: `Successfully assigned ${podRef().ref.namespace}/${podRef().ref.name} to ${podRef().node}`, type: 'Normal', component: 'default-scheduler' })),
    eventStep(emit, 500, kubelet('Pulled', `Container image "${w.image}" already present on machine`)),
    eventStep(emit, 400, kubelet('Created', `Created container: ${w.app}`)),
    eventStep(emit, 200, kubelet('Started', `Started container ${w.app}`)),
    eventStep(emit, 30_000 + rng.int(0, 60_000), () => ({ regarding: jobRef(), reason: 'Completed', note: 'Job completed', type: 'Normal', component: 'job-controller' }), () => {
      const p = podRef().ref;
      const cur = store.get('pods', p.namespace, p.name);
      if (cur) store.update('pods', { ...cur, status: { ...(cur['status'] as object), phase: 'Succeeded' } });
    }),
    eventStep(emit, 1_000, () => ({ regarding: w.ref, reason: 'SawCompletedJob', note: `Saw completed job: ${jobRef().name}, status: Complete`, type: 'Normal', component: 'cronjob-controller' }), () => {
      ctx.busy.delete(w.ref.uid);
      pruneOwned(ctx, 'jobs', w.ref.uid, HISTORY_LIMIT);
      const p = podRef().ref;
      if (store.get('pods', p.namespace, p.name)) store.delete('pods', p.namespace, p.name);
    }),
  ];
}

const hpaUids = new WeakMap<SimWorkload, string>();

/** HPA rescale of a Deployment, with the pod it adds or removes. */
function hpaRescale(ctx: SimContext, emit: Emit): Step[] | undefined {
  const { rng, store } = ctx;
  const candidates = freeWorkloads(ctx, (w) => w.hpa && w.pods.length > 0);
  if (candidates.length === 0) return undefined;
  const w = rng.pick(candidates);
  let hpaUid = hpaUids.get(w);
  if (!hpaUid) {
    hpaUid = rng.uuid();
    hpaUids.set(w, hpaUid);
  }
  const hpa: SimRef = { kind: 'HorizontalPodAutoscaler', apiVersion: 'autoscaling/v2', name: w.app, namespace: w.ref.namespace, uid: hpaUid };
  const n = w.pods.length;
  const up = n < w.replicas || (n < w.replicas + 3 && rng.chance(0.5));
  const rs = w.replicaSet!;
  ctx.busy.add(w.ref.uid);
  if (up) {
    const pod = newPod(rng, w, rng.pick(ctx.cluster.nodes), n);
    return [
      eventStep(emit, 0, { regarding: hpa, reason: 'SuccessfulRescale', note: `New size: ${n + 1}; reason: cpu resource utilization (percentage of request) above target`, type: 'Normal', component: 'horizontal-pod-autoscaler' }),
      eventStep(emit, 100, { regarding: w.ref, reason: 'ScalingReplicaSet', note: `Scaled up replica set ${rs.name} from ${n} to ${n + 1}`, type: 'Normal', component: 'deployment-controller' }),
      eventStep(emit, 200, { regarding: rs, reason: 'SuccessfulCreate', note: `Created pod: ${pod.ref.name}`, type: 'Normal', component: 'replicaset-controller' }, (at) => {
        store.create('pods', podObject(pod, at, 'Pending'));
        w.pods.push(pod);
      }),
      eventStep(emit, 100, { regarding: pod.ref, reason: 'Scheduled', note: `Successfully assigned ${pod.ref.namespace}/${pod.ref.name} to ${pod.node}`, type: 'Normal', component: 'default-scheduler' }),
      ...containerStartSteps(emit, pod, false, 700).map((s, i, all) => (i === all.length - 1 ? { ...s, run: (at: number) => { s.run(at); ctx.busy.delete(w.ref.uid); } } : s)),
    ];
  }
  const victim = w.pods[w.pods.length - 1]!;
  return [
    eventStep(emit, 0, { regarding: hpa, reason: 'SuccessfulRescale', note: `New size: ${n - 1}; reason: All metrics below target`, type: 'Normal', component: 'horizontal-pod-autoscaler' }),
    eventStep(emit, 100, { regarding: w.ref, reason: 'ScalingReplicaSet', note: `Scaled down replica set ${rs.name} from ${n} to ${n - 1}`, type: 'Normal', component: 'deployment-controller' }),
    eventStep(emit, 200, { regarding: rs, reason: 'SuccessfulDelete', note: `Deleted pod: ${victim.ref.name}`, type: 'Normal', component: 'replicaset-controller' }),
    eventStep(emit, 100, { regarding: victim.ref, fieldPath: containerPath(victim), reason: 'Killing', note: `Stopping container ${victim.container}`, type: 'Normal', component: 'kubelet', host: victim.node }, () => {
      if (store.get('pods', victim.ref.namespace, victim.ref.name)) store.delete('pods', victim.ref.namespace, victim.ref.name);
      removePod(w, victim);
      ctx.busy.delete(w.ref.uid);
    }),
  ];
}

/** Old ReplicaSets / finished Jobs kept per owner (revisionHistoryLimit, successfulJobsHistoryLimit). */
const HISTORY_LIMIT = 3;
/** Scratch claims kept per namespace before the oldest is deleted. */
const SCRATCH_CLAIMS_LIMIT = 3;

/** Keeps the newest `keep` objects of `resource` controlled by `ownerUid`, deleting older ones silently (garbage collection). */
function pruneOwned(ctx: SimContext, resource: string, ownerUid: string, keep: number): void {
  const owned = ctx.store.list(resource).filter((o) => ((o['metadata'] as { ownerReferences?: Array<{ uid: string }> }).ownerReferences ?? []).some((r) => r.uid === ownerUid));
  const byAge = owned.sort((a, b) => Number((a['metadata'] as { resourceVersion: string }).resourceVersion) - Number((b['metadata'] as { resourceVersion: string }).resourceVersion));
  for (const o of byAge.slice(0, Math.max(0, byAge.length - keep))) {
    const m = o['metadata'] as { name: string; namespace: string };
    ctx.store.delete(resource, m.namespace, m.name);
  }
}

/** Dynamic provisioning of a new claim by the CSI external provisioner. */
function provisioning(ctx: SimContext, emit: Emit): Step[] {
  const { rng, store } = ctx;
  const ns = rng.pick(ctx.cluster.namespaces);
  const claim: SimRef = { kind: 'PersistentVolumeClaim', apiVersion: 'v1', name: `scratch-${k8sSuffix(rng, 5)}`, namespace: ns, uid: rng.uuid() };
  const pvName = `pvc-${claim.uid}`;
  const provisioner = 'pd.csi.storage.gke.io';
  const instance = `${provisioner}_csi-controller-0_${rng.hex(8)}`;
  return [
    eventStep(emit, 0, { regarding: claim, reason: 'ExternalProvisioning', note: `Waiting for a volume to be created either by the external provisioner '${provisioner}' or manually by the system administrator. If volume creation is delayed, please verify that your external provisioner is running and correctly registered.`, type: 'Normal', component: 'persistentvolume-controller' }, (at) => {
      store.create('persistentvolumeclaims', { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: claim.name, namespace: ns, uid: claim.uid, creationTimestamp: formatTime(at) }, spec: { storageClassName: 'standard-rwo', resources: { requests: { storage: '10Gi' } } }, status: { phase: 'Pending' } });
    }),
    eventStep(emit, 500, { regarding: claim, reason: 'Provisioning', note: `External provisioner is provisioning volume for claim "${ns}/${claim.name}"`, type: 'Normal', component: instance }),
    eventStep(emit, 4_000, { regarding: claim, reason: 'ProvisioningSucceeded', note: `Successfully provisioned volume ${pvName}`, type: 'Normal', component: instance }, (at) => {
      store.create('persistentvolumes', { apiVersion: 'v1', kind: 'PersistentVolume', metadata: { name: pvName, creationTimestamp: formatTime(at) }, spec: { storageClassName: 'standard-rwo', claimRef: { name: claim.name, namespace: ns, uid: claim.uid } }, status: { phase: 'Bound' } });
      const cur = store.get('persistentvolumeclaims', ns, claim.name);
      if (cur) store.update('persistentvolumeclaims', { ...cur, spec: { ...(cur['spec'] as object), volumeName: pvName }, status: { phase: 'Bound' } });
      const scratch = store.list('persistentvolumeclaims', ns).filter((c) => (c['metadata'] as { name: string }).name.startsWith('scratch-') && (c['spec'] as { volumeName?: string }).volumeName !== undefined);
      for (const old of scratch.slice(0, Math.max(0, scratch.length - SCRATCH_CLAIMS_LIMIT))) {
        const m = old['metadata'] as { name: string };
        const pv = (old['spec'] as { volumeName?: string }).volumeName;
        store.delete('persistentvolumeclaims', ns, m.name);
        if (pv && store.get('persistentvolumes', '', pv)) store.delete('persistentvolumes', '', pv);
      }
    }),
  ];
}

/** ingress-nginx and cert-manager chatter (some notes carry e-mail addresses and tokens). */
function ingressSync(ctx: SimContext, emit: Emit): Step[] {
  const { rng } = ctx;
  const ns = rng.pick(ctx.cluster.namespaces.filter((n) => n !== 'kube-system').concat(['default']));
  const ing: SimRef = { kind: 'Ingress', apiVersion: 'networking.k8s.io/v1', name: `${ns}-public`, namespace: ns, uid: `ing-${ns}` };
  const ctrl = ctx.cluster.workloads.find((w) => w.app === 'ingress-nginx-controller')?.pods[0];
  const host = ctrl ? `ingress-nginx-controller-${ctrl.ref.name.slice(-5)}` : undefined;
  const pick = rng.int(0, 2);
  if (pick === 0) return [eventStep(emit, 0, { regarding: ing, reason: 'Sync', note: 'Scheduled for sync', type: 'Normal', component: 'nginx-ingress-controller', ...(host ? { host } : {}) })];
  const cert: SimRef = { kind: 'Certificate', apiVersion: 'cert-manager.io/v1', name: `${ns}-tls`, namespace: ns, uid: `cert-${ns}` };
  if (pick === 1) {
    return [eventStep(emit, 0, { regarding: cert, reason: 'Issuing', note: `Renewing certificate as renewal was scheduled at ${formatTime(Date.UTC(2026, 0, 1))}; ACME account contact: platform-team@example.com`, type: 'Normal', component: 'cert-manager-certificates-trigger' })];
  }
  return [
    eventStep(emit, 0, { regarding: ing, reason: 'AddedOrUpdated', note: `Configuration for ${ns}/${ing.name} was added or updated; webhook call with header "Authorization: Bearer eyJhbGciOiJSUzI1NiIsImtpZCI6IjEyMyJ9.eyJzdWIiOiJzeXN0ZW06c2EifQ.c2lnbmF0dXJl" failed with 401`, type: 'Warning', component: 'nginx-ingress-controller', ...(host ? { host } : {}) }),
  ];
}

/** A leader election (new-style events from the scheduler and controller manager). */
function leaderElection(ctx: SimContext, emit: Emit): Step[] {
  const { rng } = ctx;
  const which = rng.pick(['kube-scheduler', 'kube-controller-manager']);
  const lease: SimRef = { kind: 'Lease', apiVersion: 'coordination.k8s.io/v1', name: which, namespace: 'kube-system', uid: `lease-${which}` };
  return [eventStep(emit, 0, { regarding: lease, reason: 'LeaderElection', note: `control-plane-${rng.int(1, 3)}_${rng.uuid()} became leader`, type: 'Normal', component: which === 'kube-scheduler' ? 'default-scheduler' : 'kube-controller-manager', style: 'new' })];
}
