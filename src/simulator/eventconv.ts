import { formatMicroTime, formatTime } from './store.js';
import type { KubeObject } from './resources.js';

/**
 * The two schemas of one stored Event, converted as kube-apiserver does
 * (pkg/apis/events/v1 conversion.go): storage holds the core/v1 shape; the events.k8s.io/v1
 * view renames `message`→`note`, `involvedObject`→`regarding`, `source`→`deprecatedSource`,
 * `firstTimestamp`/`lastTimestamp`/`count`→`deprecated*`, `reportingComponent`→`reportingController`.
 * No fallback: `reportingController` is empty when the legacy recorder left `reportingComponent` empty.
 */

function isEmpty(v: unknown): boolean {
  return v === undefined || v === null || v === '' || v === 0;
}

const MICRO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/;
const SECONDS = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/;

/** Re-serializes a timestamp as kube-apiserver does: metav1.Time (seconds) or MicroTime (6 digits); null when absent. */
function asTime(v: unknown, micro: boolean): unknown {
  if (v === undefined || v === null || v === '') return null;
  if (typeof v !== 'string') return v;
  if (micro ? MICRO.test(v) : SECONDS.test(v)) return v;
  const ms = Date.parse(v);
  if (!Number.isFinite(ms)) return v;
  return micro ? formatMicroTime(ms) : formatTime(ms);
}

/** Converts a stored (core/v1-shaped) Event to its events.k8s.io/v1 view. */
export function coreEventToEventsV1(core: KubeObject): KubeObject {
  const out: KubeObject = { kind: 'Event', apiVersion: 'events.k8s.io/v1', metadata: core['metadata'] };
  // Go: eventTime is a non-omitempty MicroTime, so a zero value is serialized as null.
  out['eventTime'] = core['eventTime'] ?? null;
  if (!isEmpty(core['series'])) out['series'] = core['series'];
  if (!isEmpty(core['reportingComponent'])) out['reportingController'] = core['reportingComponent'];
  if (!isEmpty(core['reportingInstance'])) out['reportingInstance'] = core['reportingInstance'];
  for (const k of ['action', 'reason'] as const) if (!isEmpty(core[k])) out[k] = core[k];
  out['regarding'] = core['involvedObject'] ?? {};
  if (!isEmpty(core['related'])) out['related'] = core['related'];
  if (!isEmpty(core['message'])) out['note'] = core['message'];
  if (!isEmpty(core['type'])) out['type'] = core['type'];
  out['deprecatedSource'] = core['source'] ?? {};
  out['deprecatedFirstTimestamp'] = core['firstTimestamp'] ?? null;
  out['deprecatedLastTimestamp'] = core['lastTimestamp'] ?? null;
  if (!isEmpty(core['count'])) out['deprecatedCount'] = core['count'];
  return out;
}

/** Converts an events.k8s.io/v1 Event (as posted) to the stored core/v1 shape. */
export function eventsV1ToCoreEvent(v1: KubeObject): KubeObject {
  return normalizeCoreEvent({
    kind: 'Event',
    apiVersion: 'v1',
    metadata: v1['metadata'],
    involvedObject: v1['regarding'],
    reason: v1['reason'],
    message: v1['note'],
    source: v1['deprecatedSource'],
    firstTimestamp: v1['deprecatedFirstTimestamp'],
    lastTimestamp: v1['deprecatedLastTimestamp'],
    count: v1['deprecatedCount'],
    type: v1['type'],
    eventTime: v1['eventTime'],
    series: v1['series'],
    action: v1['action'],
    related: v1['related'],
    reportingComponent: v1['reportingController'],
    reportingInstance: v1['reportingInstance'],
  });
}

/**
 * A core/v1 Event as kube-apiserver serializes it: `involvedObject`, `source`, `reportingComponent`,
 * `reportingInstance` always present; zero timestamps as null; empty optional fields omitted.
 */
export function normalizeCoreEvent(core: KubeObject): KubeObject {
  const out: KubeObject = { kind: 'Event', apiVersion: 'v1', metadata: core['metadata'] ?? {} };
  out['involvedObject'] = core['involvedObject'] ?? {};
  for (const k of ['reason', 'message'] as const) if (!isEmpty(core[k])) out[k] = core[k];
  out['source'] = core['source'] ?? {};
  out['firstTimestamp'] = asTime(core['firstTimestamp'], false);
  out['lastTimestamp'] = asTime(core['lastTimestamp'], false);
  if (!isEmpty(core['count'])) out['count'] = core['count'];
  if (!isEmpty(core['type'])) out['type'] = core['type'];
  out['eventTime'] = asTime(core['eventTime'], true);
  const series = core['series'];
  if (series !== null && typeof series === 'object') {
    const s = series as Record<string, unknown>;
    out['series'] = { ...s, lastObservedTime: asTime(s['lastObservedTime'], true) };
  }
  for (const k of ['action', 'related'] as const) if (!isEmpty(core[k])) out[k] = core[k];
  out['reportingComponent'] = typeof core['reportingComponent'] === 'string' ? core['reportingComponent'] : '';
  out['reportingInstance'] = typeof core['reportingInstance'] === 'string' ? core['reportingInstance'] : '';
  return out;
}
