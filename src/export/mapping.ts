import type { Enrichment, EventRecord, Finding, KEvent, Severity } from '../model/event.js';
import { eventRecordUid } from './record-uid.js';

/** A log record attribute value as eventide sends it. */
export type AttributeValue = string | number | boolean;

/** The OTLP log record of one event or finding, before it is batched. Pure data. */
export interface MappedRecord {
  /** Timestamp: event time, epoch milliseconds. */
  timestampMs: number;
  /** ObservedTimestamp: when eventide received the delivery, epoch milliseconds. */
  observedTimestampMs: number;
  /** OTLP SeverityNumber (9 INFO, 13 WARN, 17 ERROR, 21 FATAL). */
  severityNumber: number;
  severityText: string;
  body: string;
  /** OTLP LogRecord.event_name, set for anomaly records. */
  eventName?: string;
  attributes: Record<string, AttributeValue>;
  /** Resource attribute k8s.namespace.name; '' for cluster-scoped objects (then left out of the resource). */
  namespace: string;
}

/** Options of {@link eventToLogRecord} and {@link findingToLogRecord}. */
export interface MappingOptions {
  /** Unused by the record itself (k8s.cluster.name is a resource attribute); kept for symmetry with the exporter config. */
  clusterName?: string;
  /** ObservedTimestamp of a finding, epoch ms. Default: the finding's timeMs. */
  observedTimeMs?: number;
}

/** OTLP SeverityNumber of each eventide severity class. */
export const SEVERITY_NUMBERS: Readonly<Record<Severity, number>> = { Info: 9, Medium: 13, High: 17, Critical: 21 };

/** EventName of anomaly records. */
export const ANOMALY_EVENT_NAME = 'eventide.anomaly';

/** Stores the `k8s.<workload>.name` and `.uid` attributes of a top-level workload, per kind (enrichment). */
type WorkloadStore = (attributes: Record<string, AttributeValue>, name: string, uid: string | undefined) => void;

// Every attribute is stored with a literal key (a named store), never `attributes[key]`: V8
// turns an object that gets more than 12 out-of-object properties through keyed stores into a
// slow dictionary (profile: 70% of the records were, and the encoder's for-in over them was
// half its time). One store site per key also keeps each site monomorphic.
const WORKLOAD_STORES: ReadonlyMap<string, WorkloadStore> = new Map<string, WorkloadStore>([
  [
    'Deployment',
    (a, name, uid) => {
      if (name) a['k8s.deployment.name'] = name;
      if (uid) a['k8s.deployment.uid'] = uid;
    },
  ],
  [
    'StatefulSet',
    (a, name, uid) => {
      if (name) a['k8s.statefulset.name'] = name;
      if (uid) a['k8s.statefulset.uid'] = uid;
    },
  ],
  [
    'DaemonSet',
    (a, name, uid) => {
      if (name) a['k8s.daemonset.name'] = name;
      if (uid) a['k8s.daemonset.uid'] = uid;
    },
  ],
  [
    'Job',
    (a, name, uid) => {
      if (name) a['k8s.job.name'] = name;
      if (uid) a['k8s.job.uid'] = uid;
    },
  ],
  [
    'CronJob',
    (a, name, uid) => {
      if (name) a['k8s.cronjob.name'] = name;
      if (uid) a['k8s.cronjob.uid'] = uid;
    },
  ],
  [
    'ReplicaSet',
    (a, name, uid) => {
      if (name) a['k8s.replicaset.name'] = name;
      if (uid) a['k8s.replicaset.uid'] = uid;
    },
  ],
]);

/**
 * A plain empty object (prototype `Object.prototype`) made by `new`, so that V8 gives it room
 * for ~10 properties inside the object instead of the 4 of a `{}` literal: fewer and smaller
 * property-array reallocations while ~25 attributes are added (profile: garbage per record).
 */
const PlainObject = function PlainObject(): void {} as unknown as new () => Record<string, AttributeValue>;
PlainObject.prototype = Object.prototype;

/** An empty attributes object; see {@link PlainObject}. */
function newAttributes(): Record<string, AttributeValue> {
  return new PlainObject();
}

/** The ISO second (`YYYY-MM-DDTHH:MM:SS`) last formatted: events of one burst share their seconds. */
let isoSecond = Number.NaN;
let isoSecondText = '';
/** The whole text of that second (`.000Z`): Event start times mostly have whole seconds (core/v1 firstTimestamp). */
let isoSecondWhole = '';

/** `new Date(ms).toISOString()` for ms > 0, else undefined; formats each second once (profile: toISOString was 19% of the mapping). */
function isoTime(ms: number): string | undefined {
  if (!(Number.isFinite(ms) && ms > 0)) return undefined;
  const whole = Math.floor(ms); // Date truncates fractional milliseconds
  const second = Math.floor(whole / 1000);
  if (second !== isoSecond) {
    const text = new Date(second * 1000).toISOString();
    isoSecondText = text.slice(0, text.length - 5); // drop ".000Z"
    isoSecondWhole = text;
    isoSecond = second;
  }
  const milli = whole - second * 1000;
  if (milli === 0) return isoSecondWhole; // one string shared, not a new one per record
  return `${isoSecondText}.${milli < 10 ? '00' : milli < 100 ? '0' : ''}${milli}Z`;
}

/** The severity used when the classify stage did not run: Warning events are Medium, others Info. */
function fallbackSeverity(event: KEvent): Severity {
  return event.type === 'Warning' ? 'Medium' : 'Info';
}

/** Adds the `k8s.event.*`, `log.record.uid` (when `withRecordUid`) and `k8s.object.*` attributes of `event`. */
function putEventAttributes(attributes: Record<string, AttributeValue>, event: KEvent, withRecordUid: boolean): void {
  const a = attributes; // named stores only (see WORKLOAD_STORES)
  if (event.reason) a['k8s.event.reason'] = event.reason;
  if (event.action) a['k8s.event.action'] = event.action;
  if (event.name) a['k8s.event.name'] = event.name;
  if (event.uid) a['k8s.event.uid'] = event.uid;
  if (event.type) a['k8s.event.type'] = event.type;
  const startTime = isoTime(event.startTimeMs);
  if (startTime) a['k8s.event.start_time'] = startTime;
  if (event.reportingController) a['k8s.event.reporting_controller'] = event.reportingController;
  if (event.reportingInstance) a['k8s.event.reporting_instance'] = event.reportingInstance;
  const count = Number.isInteger(event.count) && event.count > 0 ? event.count : 1;
  a['k8s.event.count'] = count;
  if (withRecordUid) a['log.record.uid'] = eventRecordUid(event.uid, count, event.namespace, event.name);
  const object = event.regarding;
  if (object.kind) a['k8s.object.kind'] = object.kind;
  if (object.name) a['k8s.object.name'] = object.name;
  if (object.uid) a['k8s.object.uid'] = object.uid;
  if (object.apiVersion) a['k8s.object.api_version'] = object.apiVersion;
  if (object.fieldPath) a['k8s.object.fieldpath'] = object.fieldPath;
  if (object.resourceVersion) a['k8s.object.resource_version'] = object.resourceVersion;
}

/** Adds the enrichment attributes (`k8s.node.name`, `k8s.pod.*`, `k8s.<workload>.name`/`.uid`) that are known. */
function putEnrichment(attributes: Record<string, AttributeValue>, enrichment: Enrichment): void {
  const a = attributes;
  if (enrichment.nodeName) a['k8s.node.name'] = enrichment.nodeName;
  if (enrichment.podName) a['k8s.pod.name'] = enrichment.podName;
  if (enrichment.podUid) a['k8s.pod.uid'] = enrichment.podUid;
  const workload = enrichment.workload;
  if (workload) WORKLOAD_STORES.get(workload.kind)?.(a, workload.name, workload.uid);
}

/**
 * Maps an event record to its OTLP log record, per DESIGN.md "OTLP log record for an Event".
 * Attributes whose value is unknown or empty are left out (never sent as ''). Pure.
 */
export function eventToLogRecord(record: EventRecord, _options: MappingOptions = {}): MappedRecord {
  const event = record.event;
  const severity = record.classification?.severity ?? fallbackSeverity(event);
  const attributes = newAttributes();
  putEventAttributes(attributes, event, true);
  putEnrichment(attributes, record.enrichment);
  const category = record.classification?.category;
  if (category) attributes['eventide.category'] = category;
  attributes['eventide.severity'] = severity;
  if (record.correlationId) attributes['eventide.correlation.id'] = record.correlationId;
  if (record.patternId) attributes['eventide.pattern.id'] = record.patternId;
  return {
    timestampMs: event.timeMs,
    observedTimestampMs: event.observedTimeMs,
    severityNumber: SEVERITY_NUMBERS[severity],
    severityText: severity,
    body: event.note,
    attributes,
    namespace: event.regarding.namespace,
  };
}

/** SeverityNumber and text of an anomaly score: ERROR at 2 and above, WARN at 1 and above, else INFO. */
export function anomalySeverity(score: number): { severityNumber: number; severityText: string } {
  if (score >= 2) return { severityNumber: 17, severityText: 'ERROR' };
  if (score >= 1) return { severityNumber: 13, severityText: 'WARN' };
  return { severityNumber: 9, severityText: 'INFO' };
}

/**
 * Maps a detector finding to its anomaly record (DESIGN.md "Anomaly record"): EventName
 * `eventide.anomaly`, the `eventide.anomaly.*` attributes, and the subject's `k8s.*` and
 * correlation id when there is a subject. Pure.
 */
export function findingToLogRecord(finding: Finding, options: MappingOptions = {}): MappedRecord {
  const attributes = newAttributes();
  const subject = finding.subject;
  if (subject) {
    // without the subject's log.record.uid: the anomaly is not a duplicate of the event record
    putEventAttributes(attributes, subject.event, false);
    putEnrichment(attributes, subject.enrichment);
    if (subject.correlationId) attributes['eventide.correlation.id'] = subject.correlationId;
  }
  if (finding.attributes) Object.assign(attributes, finding.attributes);
  attributes['eventide.anomaly.detector'] = finding.detector;
  attributes['eventide.anomaly.kind'] = finding.kind;
  attributes['eventide.anomaly.score'] = finding.score;
  attributes['eventide.anomaly.key'] = finding.key;
  const windowStart = isoTime(finding.windowStartMs);
  if (windowStart) attributes['eventide.anomaly.window.start'] = windowStart;
  const windowEnd = isoTime(finding.windowEndMs);
  if (windowEnd) attributes['eventide.anomaly.window.end'] = windowEnd;
  if (finding.modelVersion) attributes['eventide.model.version'] = finding.modelVersion;
  return {
    timestampMs: finding.timeMs,
    observedTimestampMs: options.observedTimeMs ?? finding.timeMs,
    ...anomalySeverity(finding.score),
    body: finding.body,
    eventName: ANOMALY_EVENT_NAME,
    attributes,
    namespace: finding.namespace ?? subject?.event.regarding.namespace ?? '',
  };
}
