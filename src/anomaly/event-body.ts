import type { Finding, ObjectRef } from '../model/event.js';
import { truncateUtf8 } from '../normalize/strings.js';
import { SELF_REPORTING_CONTROLLER } from '../pipeline/pipeline.js';

/** `reportingController` of every Event eventide writes; the pipeline never scores Events carrying it. */
export const ANOMALY_REPORTING_CONTROLLER = SELF_REPORTING_CONTROLLER;
/** kube-apiserver rejects an events.k8s.io/v1 `note` longer than this, UTF-8 bytes. */
export const MAX_NOTE_BYTES = 1024;

/** Where a finding's Event goes and what it is about. */
export interface EventTarget {
  namespace: string;
  regarding: { kind: string; name: string; namespace?: string; uid?: string; apiVersion: string; fieldPath?: string };
}

/**
 * The namespace and `regarding` object of a finding's Event: the subject Event's regarding object,
 * else the finding's namespace itself. Cluster-scoped subjects (a Node) are recorded in
 * `clusterNamespace` (`default`, as kubelet does); undefined when there is no namespace at all.
 */
export function targetOf(finding: Finding, clusterNamespace = 'default'): EventTarget | undefined {
  const subject = finding.subject?.event;
  if (subject) {
    const r: ObjectRef = subject.regarding;
    const namespace = r.namespace || subject.namespace || finding.namespace || clusterNamespace;
    const regarding: EventTarget['regarding'] = { kind: r.kind, name: r.name, apiVersion: r.apiVersion || 'v1' };
    if (r.namespace) regarding.namespace = r.namespace;
    if (r.uid) regarding.uid = r.uid;
    if (r.fieldPath) regarding.fieldPath = r.fieldPath;
    return { namespace, regarding };
  }
  if (finding.namespace) return { namespace: finding.namespace, regarding: { kind: 'Namespace', name: finding.namespace, apiVersion: 'v1' } };
  return undefined;
}

/** `reason` of a finding's Event: `PatternDetected` for the pattern detector, else `AnomalyDetected`. */
export function reasonOf(finding: Finding): string {
  return finding.detector === 'pattern' ? 'PatternDetected' : 'AnomalyDetected';
}

/** Kubernetes MicroTime: RFC 3339 with six fractional digits. */
export function microTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

/** What identifies repeats of one finding: the same detector, key and regarding object. */
export function seriesKey(finding: Finding, target: EventTarget): string {
  const r = target.regarding;
  return `${target.namespace}\u0000${finding.detector}\u0000${finding.kind}\u0000${finding.key}\u0000${r.kind}/${r.name}`;
}

/** Options of {@link eventsV1Body} and {@link coreV1Body}. */
export interface BodyOptions {
  /** metadata.name of the Event. */
  name: string;
  /** `reportingInstance` (the pod name). */
  reportingInstance: string;
  /** First write, epoch ms (eventTime). */
  firstMs: number;
  /** Latest repeat, epoch ms (series.lastObservedTime); equal to firstMs for the first write. */
  lastMs: number;
  /** Occurrences so far; a `series` is written from 2 on. */
  count: number;
}

function note(finding: Finding): string {
  return truncateUtf8(finding.body, MAX_NOTE_BYTES).text;
}

/** An `events.k8s.io/v1` Event for a finding (its body is already redacted by the pipeline). Pure. */
export function eventsV1Body(finding: Finding, target: EventTarget, o: BodyOptions): Record<string, unknown> {
  return {
    apiVersion: 'events.k8s.io/v1',
    kind: 'Event',
    metadata: { name: o.name, namespace: target.namespace, labels: { 'app.kubernetes.io/managed-by': 'eventide' } },
    eventTime: microTime(o.firstMs),
    reportingController: ANOMALY_REPORTING_CONTROLLER,
    reportingInstance: o.reportingInstance,
    action: 'Detected',
    reason: reasonOf(finding),
    note: note(finding),
    type: 'Warning',
    regarding: target.regarding,
    ...(o.count >= 2 ? { series: { count: o.count, lastObservedTime: microTime(o.lastMs) } } : {}),
  };
}

/** The same Event in the `core/v1` shape, for clusters that do not serve events.k8s.io/v1. Pure. */
export function coreV1Body(finding: Finding, target: EventTarget, o: BodyOptions): Record<string, unknown> {
  return {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: { name: o.name, namespace: target.namespace, labels: { 'app.kubernetes.io/managed-by': 'eventide' } },
    involvedObject: target.regarding,
    reason: reasonOf(finding),
    message: note(finding),
    type: 'Warning',
    action: 'Detected',
    source: { component: ANOMALY_REPORTING_CONTROLLER, host: o.reportingInstance },
    reportingComponent: ANOMALY_REPORTING_CONTROLLER,
    reportingInstance: o.reportingInstance,
    firstTimestamp: new Date(o.firstMs).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    lastTimestamp: new Date(o.lastMs).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    count: o.count,
  };
}
