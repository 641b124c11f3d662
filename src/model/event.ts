/**
 * The one normalized event type that flows through every stage, whatever the source
 * (`events.k8s.io/v1`, `core/v1`, a replay file, the simulator). See DESIGN.md.
 */

/** The object an Event is about (`regarding`, core/v1 `involvedObject`) or `related`. */
export interface ObjectRef {
  kind: string;
  name: string;
  /** Empty for cluster-scoped objects (Node, PersistentVolume). */
  namespace: string;
  uid: string;
  apiVersion: string;
  fieldPath: string;
  resourceVersion: string;
}

/** Which API the Event was read from. */
export type SourceApi = 'events.k8s.io/v1' | 'v1';

/** A Kubernetes Event, normalized. All times are epoch milliseconds. */
export interface KEvent {
  /** metadata.uid: identifies the Event across updates (series count going up). */
  uid: string;
  /** metadata.name */
  name: string;
  /** metadata.namespace */
  namespace: string;
  /** metadata.resourceVersion: opaque, never compared as a number. */
  resourceVersion: string;
  sourceApi: SourceApi;
  /** `reason`, e.g. `BackOff`. */
  reason: string;
  /** `note` (core/v1 `message`); may carry a truncation marker, see `truncated`. */
  note: string;
  /** `Normal` or `Warning` (any other value is kept as is). */
  type: string;
  /** `action` (core/v1 has none: empty). */
  action: string;
  /** `reportingController`, else `deprecatedSource.component` (core/v1 `source.component`). */
  reportingController: string;
  /** `reportingInstance`, else `deprecatedSource.host` (core/v1 `source.host`). */
  reportingInstance: string;
  regarding: ObjectRef;
  related?: ObjectRef;
  /** `series.count`, else `deprecatedCount`, else 1. */
  count: number;
  /** Event time per DESIGN.md: series.lastObservedTime, eventTime, deprecatedLastTimestamp, deprecatedFirstTimestamp, creationTimestamp. */
  timeMs: number;
  /** First occurrence: eventTime, else deprecatedFirstTimestamp, else creationTimestamp (`k8s.event.start_time`). */
  startTimeMs: number;
  /** When eventide received this delivery (wall clock; ObservedTimestamp). */
  observedTimeMs: number;
  /** True when the note was cut to the configured maximum (a marker is appended to it). */
  truncated: boolean;
  /** metadata.labels of the Event, when it has any. */
  labels?: Record<string, string>;
}

/** What the enrich stage learned about the regarding object; every field optional. */
export interface Enrichment {
  /** Node the regarding pod runs on, or the regarding node itself. */
  nodeName?: string;
  podName?: string;
  podUid?: string;
  /** Labels of the regarding pod (bounded in count by the enricher). */
  podLabels?: Record<string, string>;
  /** Top-level owning workload: Deployment, StatefulSet, DaemonSet, Job, CronJob, ReplicaSet (orphan). */
  workload?: { kind: string; name: string; uid?: string };
  /** PersistentVolumeClaims the pod mounts (names in the pod's namespace). */
  pvcNames?: string[];
  /** PersistentVolumes bound to those claims (or the regarding PV). */
  pvNames?: string[];
}

/** Derived severity classes, lowest first. */
export const SEVERITIES = ['Info', 'Medium', 'High', 'Critical'] as const;
/** A derived severity class. */
export type Severity = (typeof SEVERITIES)[number];

/** Result of the classify stage. */
export interface Classification {
  /** e.g. `Storage.Timeout`, `Pod.Restart`; `Unknown` when no rule matched. */
  category: string;
  severity: Severity;
  /** id of the rule that matched (`unknown` when none). */
  ruleId: string;
  /** True when severity was raised by frequency within the escalation window. */
  escalated: boolean;
}

/** An event as it moves down the pipeline: each stage fills in its part. */
export interface EventRecord {
  event: KEvent;
  /** Sequence number given by the pipeline, increasing in delivery order. */
  seq: number;
  enrichment: Enrichment;
  classification?: Classification;
  /** Incident group id from the correlate stage. */
  correlationId?: string;
  /** Pattern id when the pattern detector matched. */
  patternId?: string;
  /**
   * The highest count delivered of this Event's uid before this record, from the delivery gate's
   * memory: NaN for a uid new to it (or forgotten). Frequency escalation and the pattern detector
   * turn `event.count` into the occurrences this record adds with it; absent (a record built
   * outside the pipeline), each keeps its own memory of uids.
   */
  priorCount?: number;
  /** Event time of that earlier delivery; NaN when new, -Infinity when unknown (a uid seeded from a checkpoint). */
  priorTimeMs?: number;
}

/** A finding of a detector (pattern, isolation forest, LSTM, drift): the anomaly record of DESIGN.md. */
export interface Finding {
  /** `isolation_forest`, `sequence_lstm`, `drift`, `pattern`, ... */
  detector: string;
  /** `frequency`, `sequence`, `drift`, `new_pattern`, ... */
  kind: string;
  /** Below 1 normal, 1 and above anomalous (WARN), 2 and above ERROR. */
  score: number;
  /** What was scored, e.g. `namespace/reason`. */
  key: string;
  windowStartMs: number;
  windowEndMs: number;
  modelVersion: string;
  /** One-line human summary. */
  body: string;
  /** Event time of the finding (usually windowEndMs). */
  timeMs: number;
  /** The subject where there is one: an event it was derived from. */
  subject?: { event: KEvent; enrichment: Enrichment; correlationId?: string };
  /** Namespace the finding belongs to (resource attribute), when there is one. */
  namespace?: string;
  /** Extra attributes (e.g. `eventide.pattern.id`). */
  attributes?: Record<string, string | number | boolean>;
}
