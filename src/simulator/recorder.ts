import type { KubeObject } from './resources.js';
import type { ObjectStore } from './store.js';
import { StoreError, formatMicroTime, formatTime } from './store.js';
import type { Rng } from './rng.js';
import type { SimRef } from './cluster.js';

/** What a component reports: one occurrence of an Event. */
export interface EventSpec {
  /** The object the Event is about. */
  regarding: SimRef;
  /** Optional field path inside it, e.g. `spec.containers{web}`. */
  fieldPath?: string;
  /** Optional second object. */
  related?: SimRef;
  reason: string;
  note: string;
  type: 'Normal' | 'Warning';
  /** Reporting component (legacy `source.component`, new `reportingController`). */
  component: string;
  /** Node or instance (legacy `source.host`, new `reportingInstance`); kubelet: the node name. */
  host?: string;
  /** events.k8s.io `action`; default derived from the reason. */
  action?: string;
  /** Force the recording style; default chosen per Event by `newApiShare`. */
  style?: 'legacy' | 'new';
}

/** Result of recording one occurrence. */
export interface Recorded {
  /** uid of the Event written (the same for repeats). */
  uid: string;
  /** Whether this was a repeat (an update of an existing Event). */
  repeat: boolean;
}

interface Live {
  name: string;
  namespace: string;
  style: 'legacy' | 'new';
  lastWriteMs: number;
}

/**
 * Writes Events into the store the way Kubernetes components do: the legacy core/v1 recorder
 * (source, first/lastTimestamp, count; a repeat updates the same Event with count+1) or the
 * events.k8s.io recorder (eventTime, reportingController/Instance; repeats carry `series`).
 * Events expire after a TTL like kube-apiserver's `--event-ttl`.
 */
export class EventRecorder {
  private readonly live = new Map<string, Live>();
  private writes = 0;

  constructor(
    private readonly store: ObjectStore,
    private readonly rng: Rng,
    private readonly newApiShare: number,
    private readonly ttlMillis: number,
  ) {}

  /** Event writes so far (creates and updates). */
  written(): number {
    return this.writes;
  }

  /** Records one occurrence at sim time `atMs`; never throws (a refused write is counted as written and skipped). */
  record(spec: EventSpec, atMs: number): Recorded {
    const key = [spec.component, spec.host ?? '', spec.regarding.kind, spec.regarding.namespace, spec.regarding.name, spec.regarding.uid, spec.fieldPath ?? '', spec.reason, spec.note, spec.type].join('\u0000');
    this.writes += 1;
    const live = this.live.get(key);
    const current = live ? this.store.get('events', live.namespace, live.name) : undefined;
    if (live && current) {
      const updated = live.style === 'legacy' ? legacyRepeat(current, atMs) : seriesRepeat(current, atMs);
      this.live.delete(key);
      live.lastWriteMs = atMs;
      this.live.set(key, live);
      return { uid: uidOf(this.store.update('events', updated)), repeat: true };
    }
    const style = spec.style ?? (this.rng.chance(this.newApiShare) ? 'new' : 'legacy');
    const nanos = BigInt(Math.floor(atMs)) * 1_000_000n + BigInt(this.rng.int(0, 999_999));
    const name = `${spec.regarding.name}.${nanos.toString(16)}`;
    const namespace = spec.regarding.namespace === '' ? 'default' : spec.regarding.namespace;
    const obj = style === 'legacy' ? legacyEvent(spec, name, namespace, atMs) : newEvent(spec, name, namespace, atMs);
    try {
      const stored = this.store.create('events', obj);
      this.live.set(key, { name, namespace, style, lastWriteMs: atMs });
      return { uid: uidOf(stored), repeat: false };
    } catch (err) {
      if (err instanceof StoreError) return { uid: '', repeat: false };
      throw err;
    }
  }

  /** Deletes Events not updated for the TTL (sim time); returns how many were deleted. */
  expire(nowMs: number): number {
    let deleted = 0;
    for (const [key, live] of this.live) {
      if (live.lastWriteMs > nowMs - this.ttlMillis) break; // insertion order = last-write order
      this.live.delete(key);
      if (this.store.get('events', live.namespace, live.name)) {
        this.store.delete('events', live.namespace, live.name);
        deleted += 1;
      }
    }
    return deleted;
  }
}

function uidOf(obj: KubeObject): string {
  return String((obj['metadata'] as { uid?: string }).uid ?? '');
}

function involved(spec: EventSpec): Record<string, unknown> {
  const r = spec.regarding;
  return {
    kind: r.kind,
    ...(r.namespace !== '' ? { namespace: r.namespace } : {}),
    name: r.name,
    uid: r.uid,
    apiVersion: r.apiVersion,
    ...(spec.fieldPath ? { fieldPath: spec.fieldPath } : {}),
  };
}

function legacyEvent(spec: EventSpec, name: string, namespace: string, atMs: number): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: { name, namespace },
    involvedObject: involved(spec),
    reason: spec.reason,
    message: spec.note,
    source: { component: spec.component, ...(spec.host ? { host: spec.host } : {}) },
    firstTimestamp: formatTime(atMs),
    lastTimestamp: formatTime(atMs),
    count: 1,
    type: spec.type,
    eventTime: null,
    reportingComponent: '',
    reportingInstance: '',
  };
}

function newEvent(spec: EventSpec, name: string, namespace: string, atMs: number): KubeObject {
  const related = spec.related;
  return {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: { name, namespace },
    involvedObject: involved(spec),
    reason: spec.reason,
    message: spec.note,
    source: {},
    firstTimestamp: null,
    lastTimestamp: null,
    type: spec.type,
    eventTime: formatMicroTime(atMs),
    action: spec.action ?? actionFor(spec.reason),
    ...(related ? { related: { kind: related.kind, namespace: related.namespace, name: related.name, uid: related.uid, apiVersion: related.apiVersion } } : {}),
    reportingComponent: spec.component,
    reportingInstance: spec.host ?? `${spec.component}-control-plane-1`,
  };
}

function legacyRepeat(current: KubeObject, atMs: number): KubeObject {
  const count = typeof current['count'] === 'number' ? current['count'] : 1;
  return { ...current, count: count + 1, lastTimestamp: formatTime(atMs) };
}

function seriesRepeat(current: KubeObject, atMs: number): KubeObject {
  const series = current['series'] as { count?: number } | undefined;
  return { ...current, series: { count: (series?.count ?? 1) + 1, lastObservedTime: formatMicroTime(atMs) } };
}

const ACTIONS: Record<string, string> = {
  Scheduled: 'Binding',
  FailedScheduling: 'Scheduling',
  Pulling: 'Pulling',
  Pulled: 'Pulled',
  Created: 'Created',
  Started: 'Started',
  Killing: 'Killing',
  BackOff: 'BackOff',
  Unhealthy: 'ProbeWarning',
  ScalingReplicaSet: 'ScalingReplicaSet',
  SuccessfulCreate: 'Create',
  SuccessfulDelete: 'Delete',
};

function actionFor(reason: string): string {
  return ACTIONS[reason] ?? reason;
}
