/**
 * Shared test builders: a normalized Event and a pipeline record with sensible defaults.
 * Keep this generic; every stage's tests use it.
 */
import type { EventRecord, KEvent, ObjectRef } from '../../src/model/event.js';

let nextId = 0;

/** Fixed default event time (2024-01-01T00:00:00Z) so tests read absolute times easily. */
export const BASE_TIME_MS = Date.UTC(2024, 0, 1);

/** An object reference (defaults: Pod `default/app-1`, uid `pod-app-1`). */
export function buildRef(overrides: Partial<ObjectRef> = {}): ObjectRef {
  const kind = overrides.kind ?? 'Pod';
  const name = overrides.name ?? 'app-1';
  const namespace = overrides.namespace ?? (kind === 'Node' || kind === 'PersistentVolume' ? '' : 'default');
  return {
    kind,
    name,
    namespace,
    uid: overrides.uid ?? `${kind.toLowerCase()}-${name}`,
    apiVersion: overrides.apiVersion ?? 'v1',
    fieldPath: overrides.fieldPath ?? '',
    resourceVersion: overrides.resourceVersion ?? '1',
  };
}

/**
 * A normalized Event. Unset fields get defaults: a Warning `BackOff` from `kubelet` about
 * Pod `default/app-1`, count 1, at {@link BASE_TIME_MS}. Each call without `uid` gets a fresh uid.
 */
export function buildEvent(overrides: Partial<KEvent> = {}): KEvent {
  const n = ++nextId;
  const regarding = overrides.regarding ?? buildRef();
  const timeMs = overrides.timeMs ?? BASE_TIME_MS;
  return {
    uid: `evt-${n}`,
    name: `${regarding.name}.${n.toString(16)}`,
    namespace: regarding.namespace || 'default',
    resourceVersion: String(n),
    sourceApi: 'events.k8s.io/v1',
    reason: 'BackOff',
    note: 'Back-off restarting failed container',
    type: 'Warning',
    action: '',
    reportingController: 'kubelet',
    reportingInstance: 'node-1',
    count: 1,
    startTimeMs: timeMs,
    observedTimeMs: timeMs,
    truncated: false,
    ...overrides,
    regarding,
    timeMs,
  };
}

/** A pipeline record around `event`; `extras` sets enrichment, classification, seq, ids. */
export function buildRecord(event: KEvent, extras: Partial<Omit<EventRecord, 'event'>> = {}): EventRecord {
  return { seq: 0, enrichment: {}, ...extras, event };
}
