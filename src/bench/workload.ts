import type { EventRecord } from '../model/event.js';
import type { NormalizeConfig } from '../normalize/config.js';
import { normalizeEvent } from '../normalize/normalize.js';
import { formatMicroTime, formatTime } from '../simulator/store.js';
import { formatStamp } from './stamp.js';

/** A Kubernetes object as plain JSON. */
export type JsonObject = Record<string, unknown>;

/** Namespaces the benchmark's objects are spread over. */
export const BENCH_NAMESPACES = ['shop', 'payments', 'search', 'auth', 'batch', 'monitoring', 'ingress', 'data'];

/** Nodes the benchmark's pods run on. */
const NODE_COUNT = 50;

interface Template {
  reason: string;
  type: 'Normal' | 'Warning';
  component: string;
  note: (pod: string) => string;
}

/** A mix like a busy cluster's: lifecycle chatter with a share of warnings. */
const TEMPLATES: readonly Template[] = [
  { reason: 'Scheduled', type: 'Normal', component: 'default-scheduler', note: (pod) => `Successfully assigned ${pod} to node` },
  { reason: 'Pulled', type: 'Normal', component: 'kubelet', note: () => 'Container image "registry.example.com/app:1.4.2" already present on machine' },
  { reason: 'Created', type: 'Normal', component: 'kubelet', note: () => 'Created container app' },
  { reason: 'Started', type: 'Normal', component: 'kubelet', note: () => 'Started container app' },
  { reason: 'BackOff', type: 'Warning', component: 'kubelet', note: (pod) => `Back-off restarting failed container app in pod ${pod}` },
  { reason: 'Unhealthy', type: 'Warning', component: 'kubelet', note: () => 'Readiness probe failed: Get "http://10.1.2.3:8080/ready": context deadline exceeded' },
  { reason: 'Killing', type: 'Normal', component: 'kubelet', note: () => 'Stopping container app' },
  { reason: 'FailedMount', type: 'Warning', component: 'kubelet', note: () => 'MountVolume.SetUp failed for volume "data" : timed out waiting for the condition' },
];

/** Name, namespace and uid of the benchmark's pod number `index`. Pure. */
export function benchPod(index: number): { name: string; namespace: string; uid: string; node: string } {
  const namespace = BENCH_NAMESPACES[index % BENCH_NAMESPACES.length]!;
  const hex = index.toString(16).padStart(12, '0');
  return { name: `app-${index}`, namespace, uid: `00000000-0000-4000-8000-${hex}`, node: `node-${index % NODE_COUNT}` };
}

/** The Pod object of {@link benchPod} `index`, as stored by the API server. Pure. */
export function benchPodObject(index: number): JsonObject {
  const pod = benchPod(index);
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: pod.name, namespace: pod.namespace, uid: pod.uid, labels: { app: `app-${index % 200}`, tier: 'web' } },
    spec: { nodeName: pod.node, containers: [{ name: 'app', image: 'registry.example.com/app:1.4.2' }] },
    status: { phase: 'Running' },
  };
}

/** The Node objects the benchmark's pods run on. Pure. */
export function benchNodeObjects(): JsonObject[] {
  return Array.from({ length: NODE_COUNT }, (_, i) => ({ apiVersion: 'v1', kind: 'Node', metadata: { name: `node-${i}`, uid: `node-uid-${i}` } }));
}

/**
 * Event number `seq` of a run, about pod `seq % objects`, stamped with its send time so the
 * receiver can measure latency. 70% are written as the legacy core/v1 recorder does, 30% as the
 * events.k8s.io/v1 recorder. Stored in the core/v1 shape (the simulator converts on read). Pure.
 */
export function benchEvent(seq: number, objects: number, sentMicros: number, atMillis: number): JsonObject {
  return stampBenchEvent(benchEventTemplate(seq, objects), sentMicros, atMillis);
}

/** A {@link benchEvent} built ahead of its write: {@link stampBenchEvent} sets its note and times. */
export interface BenchEventTemplate {
  /** Sequence number. */
  seq: number;
  /** The Event, note and times not yet set. */
  event: JsonObject;
  /** The note up to its stamp. */
  notePrefix: string;
  /** Written as the events.k8s.io/v1 recorder does (eventTime) rather than the core/v1 one (first/lastTimestamp). */
  eventsV1: boolean;
}

/** Event `seq` of {@link benchEvent} without its stamp and times, to build before the timed writes. Pure. */
export function benchEventTemplate(seq: number, objects: number): BenchEventTemplate {
  const pod = benchPod(seq % objects);
  const template = TEMPLATES[seq % TEMPLATES.length]!;
  const eventsV1 = seq % 10 >= 7;
  const base = {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: { name: `${pod.name}.${seq.toString(16)}`, namespace: pod.namespace },
    involvedObject: { kind: 'Pod', namespace: pod.namespace, name: pod.name, uid: pod.uid, apiVersion: 'v1', fieldPath: 'spec.containers{app}' },
    reason: template.reason,
    message: '',
    type: template.type,
  };
  const event = eventsV1
    ? {
        ...base,
        source: {},
        firstTimestamp: null,
        lastTimestamp: null,
        eventTime: '',
        action: template.type === 'Warning' ? 'Failed' : 'Updated',
        reportingComponent: template.component,
        reportingInstance: pod.node,
      }
    : {
        ...base,
        source: { component: template.component, host: pod.node },
        firstTimestamp: '',
        lastTimestamp: '',
        count: 1,
        eventTime: null,
        reportingComponent: '',
        reportingInstance: '',
      };
  return { seq, event, notePrefix: `${template.note(pod.name)} (`, eventsV1 };
}

/** Sets the note (with the send stamp) and the times of a template's Event, and returns the Event. */
export function stampBenchEvent(template: BenchEventTemplate, sentMicros: number, atMillis: number): JsonObject {
  const { event } = template;
  event['message'] = `${template.notePrefix}${formatStamp(template.seq, sentMicros)})`;
  if (template.eventsV1) event['eventTime'] = formatMicroTime(atMillis);
  else event['firstTimestamp'] = event['lastTimestamp'] = formatTime(atMillis);
  return event;
}

/** Times of a {@link benchRecord}. */
export interface BenchRecordTimes {
  /** Send stamp written into the note, epoch µs. */
  sentMicros: number;
  /** Event time, epoch ms. */
  atMillis: number;
  /** Observed (receipt) time given to the normalizer, epoch ms. */
  observedMillis: number;
}

/**
 * Event number `seq` as the sidecar's pipeline hands it to the exporter: {@link benchEvent}
 * normalized (uid `uid-<seq>`), enriched with its pod, classified and correlated with fixed
 * values. The records the ceiling and the export micro-benchmarks map and send. Pure.
 */
export function benchRecord(seq: number, objects: number, times: BenchRecordTimes, normalize: NormalizeConfig): EventRecord {
  const raw = benchEvent(seq, objects, times.sentMicros, times.atMillis);
  const normalized = normalizeEvent({ ...raw, metadata: { ...(raw['metadata'] as object), uid: `uid-${seq}`, resourceVersion: String(seq + 1) } }, 'v1', times.observedMillis, normalize);
  if (!normalized.ok) throw new Error(`benchmark event ${seq} did not normalize: ${normalized.reason}`);
  const pod = benchPod(seq % objects);
  return {
    event: normalized.event,
    seq,
    enrichment: { nodeName: pod.node, podName: pod.name, podUid: pod.uid },
    classification: { category: 'Pod.Lifecycle', severity: normalized.event.type === 'Warning' ? 'Medium' : 'Info', ruleId: 'bench', escalated: false },
    correlationId: `c-${(seq % objects).toString(16).padStart(16, '0')}`,
  };
}
