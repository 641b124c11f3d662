import type { ObjectStore } from './store.js';
import type { Rng } from './rng.js';
import type { EventRecorder, EventSpec } from './recorder.js';
import type { SimCluster, SimNode, SimPod, SimRef, SimWorkload } from './cluster.js';
import type { Step } from './scheduler.js';

/** What scenarios (normal traffic and incidents) work on. */
export interface SimContext {
  store: ObjectStore;
  cluster: SimCluster;
  rng: Rng;
  recorder: EventRecorder;
  /** uids of workloads a scenario is changing now (others leave them alone). */
  busy: Set<string>;
  /** Incident targets (pod uids, `pressure:<node>`, `net:<namespace>`) → sim time until which no new incident picks them. */
  cooling: Map<string, number>;
  /** Current sim time, epoch ms. */
  now(): number;
}

/** Whether an incident target is still cooling down (so two incidents do not update the same Events). */
export function isCooling(ctx: SimContext, key: string): boolean {
  return (ctx.cooling.get(key) ?? Number.NEGATIVE_INFINITY) > ctx.now();
}

/** A function that records one Event occurrence for a scenario and returns its uid. */
export type Emit = (spec: EventSpec, atMs: number) => string;

/** The Node reference kubelet uses (its uid is the node name, as kubelet sets it). */
export function kubeletNodeRef(node: SimNode | string): SimRef {
  const name = typeof node === 'string' ? node : node.name;
  return { kind: 'Node', apiVersion: 'v1', name, namespace: '', uid: name };
}

/** A Node reference with the real uid (node-problem-detector, controllers). */
export function nodeRef(node: SimNode): SimRef {
  return { kind: 'Node', apiVersion: 'v1', name: node.name, namespace: '', uid: node.uid };
}

/** `spec.containers{name}` of a pod's main container. */
export function containerPath(p: SimPod): string {
  return `spec.containers{${p.container}}`;
}

/** A step that writes one Event. */
export function eventStep(emit: Emit, delayMs: number, spec: EventSpec | (() => EventSpec), effect?: (atMs: number) => void): Step {
  return {
    delayMs,
    run: (atMs) => {
      effect?.(atMs);
      emit(typeof spec === 'function' ? spec() : spec, atMs);
    },
  };
}

/** Workloads not busy, optionally filtered. */
export function freeWorkloads(ctx: SimContext, filter: (w: SimWorkload) => boolean = () => true): SimWorkload[] {
  return ctx.cluster.workloads.filter((w) => !ctx.busy.has(w.ref.uid) && filter(w));
}

/** The node of a pod. */
export function nodeOf(ctx: SimContext, p: SimPod): SimNode {
  return ctx.cluster.nodes.find((n) => n.name === p.node) ?? ctx.cluster.nodes[0]!;
}

/** The kubelet events of a container (re)start: optional pull, Created, Started. */
export function containerStartSteps(emit: Emit, p: SimPod, pull: boolean, gapMs: number): Step[] {
  const base = { regarding: p.ref, fieldPath: containerPath(p), type: 'Normal' as const, component: 'kubelet', host: p.node };
  const steps: Step[] = [];
  if (pull) {
    steps.push(eventStep(emit, gapMs, { ...base, reason: 'Pulling', note: `Pulling image "${p.image}"` }));
    const secs = (1 + (p.ref.uid.charCodeAt(0) % 9) + 0.123).toFixed(3);
    steps.push(eventStep(emit, gapMs * 3, { ...base, reason: 'Pulled', note: `Successfully pulled image "${p.image}" in ${secs}s (${secs}s including waiting). Image size: ${40_000_000 + p.ref.uid.charCodeAt(1) * 1_000_000} bytes.` }));
  } else {
    steps.push(eventStep(emit, gapMs, { ...base, reason: 'Pulled', note: `Container image "${p.image}" already present on machine` }));
  }
  steps.push(eventStep(emit, gapMs, { ...base, reason: 'Created', note: `Created container: ${p.container}` }));
  steps.push(eventStep(emit, gapMs / 2, { ...base, reason: 'Started', note: `Started container ${p.container}` }));
  return steps;
}

/** Removes a pod from its workload's model (no-op when already gone). */
export function removePod(w: SimWorkload, p: SimPod): void {
  const i = w.pods.indexOf(p);
  if (i >= 0) w.pods.splice(i, 1);
}

/** Records a container restart on the Pod object: restartCount+1, waiting in CrashLoopBackOff, last termination `reason`. */
export function markRestart(ctx: SimContext, p: SimPod, reason: 'Error' | 'OOMKilled'): void {
  const cur = ctx.store.get('pods', p.ref.namespace, p.ref.name);
  if (!cur) return;
  const status = (cur['status'] ?? {}) as { containerStatuses?: Array<Record<string, unknown>> };
  const prev = status.containerStatuses?.[0] ?? { name: p.container, image: p.image };
  const restartCount = (typeof prev['restartCount'] === 'number' ? prev['restartCount'] : 0) + 1;
  const cs = {
    ...prev,
    ready: false,
    restartCount,
    state: { waiting: { reason: 'CrashLoopBackOff', message: `back-off restarting failed container ${p.container} in pod ${p.ref.name}_${p.ref.namespace}(${p.ref.uid})` } },
    lastState: { terminated: { reason, exitCode: reason === 'OOMKilled' ? 137 : 1 } },
  };
  ctx.store.update('pods', { ...cur, status: { ...status, containerStatuses: [cs] } });
}
