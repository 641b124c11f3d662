import type { KEvent, ObjectRef, SourceApi } from '../model/event.js';
import { toEpochMs } from '../model/time.js';
import type { NormalizeConfig } from './config.js';
import { truncateUtf8, wellFormed } from './strings.js';

/** Outcome of {@link normalizeEvent}: the event, or a short stable reason token (`not_object`, `unknown_api_version`, `missing_uid`, `missing_regarding`: no regarding/involvedObject, or one with neither kind nor name). */
export type NormalizeResult = { ok: true; event: KEvent } | { ok: false; reason: string };

type Obj = Record<string, unknown>;

function asObj(value: unknown): Obj | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Obj) : undefined;
}

function objectRef(o: Obj): ObjectRef {
  return {
    kind: wellFormed(o.kind),
    name: wellFormed(o.name),
    namespace: wellFormed(o.namespace),
    uid: wellFormed(o.uid),
    apiVersion: wellFormed(o.apiVersion),
    fieldPath: wellFormed(o.fieldPath),
    resourceVersion: wellFormed(o.resourceVersion),
  };
}

function positiveInt(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) && value >= 1 ? Math.floor(value) : undefined;
}

function labelsOf(meta: Obj): Record<string, string> | undefined {
  const raw = asObj(meta.labels);
  if (raw === undefined) return undefined;
  let out: Record<string, string> | undefined;
  for (const key in raw) {
    const v = raw[key];
    if (typeof v !== 'string') continue;
    (out ??= {})[wellFormed(key)] = wellFormed(v);
  }
  return out;
}

/** apiVersions whose Event schema the normalizer reads (v1beta1 has the v1 fields). */
const KNOWN_API_VERSIONS: ReadonlySet<string> = new Set(['events.k8s.io/v1', 'events.k8s.io/v1beta1', 'v1']);

/**
 * Turns one Event as read from the API (`events.k8s.io/v1` or `core/v1`, plain JSON or
 * client-node's deserialized object with Date fields) into a {@link KEvent}. Pure; never throws.
 * Field names of both schemas are accepted whatever `api` says, the `api` one first.
 *
 * Times per DESIGN.md: `timeMs` = series.lastObservedTime, eventTime, deprecatedLastTimestamp
 * (lastTimestamp), deprecatedFirstTimestamp (firstTimestamp), metadata.creationTimestamp;
 * `startTimeMs` = eventTime, deprecatedFirstTimestamp, creationTimestamp. When an Event carries
 * no time at all, both fall back to `observedTimeMs`.
 */
export function normalizeEvent(raw: unknown, api: SourceApi, observedTimeMs: number, options: NormalizeConfig): NormalizeResult {
  const ev = asObj(raw);
  if (ev === undefined) return { ok: false, reason: 'not_object' };
  // List items carry no apiVersion; one that names another API is not an Event we can read.
  // Not String(apiVersion): an object without a prototype (or with a throwing toString) would throw.
  if (ev.apiVersion !== undefined && ev.apiVersion !== '' && (typeof ev.apiVersion !== 'string' || !KNOWN_API_VERSIONS.has(ev.apiVersion))) {
    return { ok: false, reason: 'unknown_api_version' };
  }
  const meta = asObj(ev.metadata);
  if (meta === undefined || typeof meta.uid !== 'string' || meta.uid === '') return { ok: false, reason: 'missing_uid' };
  const isNew = api === 'events.k8s.io/v1';
  const regardingRaw = asObj(isNew ? (ev.regarding ?? ev.involvedObject) : (ev.involvedObject ?? ev.regarding));
  if (regardingRaw === undefined) return { ok: false, reason: 'missing_regarding' };
  const regarding = objectRef(regardingRaw);
  // The events.k8s.io view of a core Event with no involvedObject is `regarding: {}`.
  if (regarding.kind === '' && regarding.name === '') return { ok: false, reason: 'missing_regarding' };
  const relatedRaw = asObj(ev.related);

  const series = asObj(ev.series);
  const source = asObj(isNew ? (ev.deprecatedSource ?? ev.source) : (ev.source ?? ev.deprecatedSource));
  // Each time is parsed only when those before it in its chain are absent (no closures: this runs per Event).
  const eventTime = toEpochMs(ev.eventTime);
  let firstTs: number | undefined;
  let firstRead = false;
  let created: number | undefined;
  let createdRead = false;
  let timeMs = toEpochMs(series?.lastObservedTime) ?? eventTime;
  if (timeMs === undefined) timeMs = toEpochMs(isNew ? (ev.deprecatedLastTimestamp ?? ev.lastTimestamp) : (ev.lastTimestamp ?? ev.deprecatedLastTimestamp));
  if (timeMs === undefined) {
    firstTs = toEpochMs(isNew ? (ev.deprecatedFirstTimestamp ?? ev.firstTimestamp) : (ev.firstTimestamp ?? ev.deprecatedFirstTimestamp));
    firstRead = true;
    timeMs = firstTs;
  }
  if (timeMs === undefined) {
    created = toEpochMs(meta.creationTimestamp);
    createdRead = true;
    timeMs = created ?? observedTimeMs;
  }
  let startTimeMs = eventTime;
  if (startTimeMs === undefined) {
    if (!firstRead) firstTs = toEpochMs(isNew ? (ev.deprecatedFirstTimestamp ?? ev.firstTimestamp) : (ev.firstTimestamp ?? ev.deprecatedFirstTimestamp));
    startTimeMs = firstTs;
  }
  if (startTimeMs === undefined) {
    if (!createdRead) created = toEpochMs(meta.creationTimestamp);
    startTimeMs = created ?? timeMs;
  }

  const count =
    positiveInt(series?.count) ?? positiveInt(isNew ? (ev.deprecatedCount ?? ev.count) : (ev.count ?? ev.deprecatedCount)) ?? 1;

  const reportingController =
    wellFormed(isNew ? (ev.reportingController ?? ev.reportingComponent) : (ev.reportingComponent ?? ev.reportingController)) ||
    wellFormed(source?.component);
  const reportingInstance = wellFormed(ev.reportingInstance) || wellFormed(source?.host);

  const note = truncateUtf8(wellFormed(isNew ? (ev.note ?? ev.message) : (ev.message ?? ev.note)), options.maxNoteBytes);

  const event: KEvent = {
    uid: wellFormed(meta.uid),
    name: wellFormed(meta.name),
    namespace: wellFormed(meta.namespace) || regarding.namespace,
    resourceVersion: wellFormed(meta.resourceVersion),
    sourceApi: api,
    reason: wellFormed(ev.reason),
    note: note.text,
    type: wellFormed(ev.type),
    action: wellFormed(ev.action),
    reportingController,
    reportingInstance,
    regarding,
    count,
    timeMs,
    startTimeMs,
    observedTimeMs,
    truncated: note.truncated,
  };
  if (relatedRaw !== undefined) event.related = objectRef(relatedRaw);
  const labels = labelsOf(meta);
  if (labels !== undefined) event.labels = labels;
  return { ok: true, event };
}

/** The API an Event object says it belongs to (`apiVersion`), or undefined when it names neither. */
export function apiOfObject(raw: unknown): SourceApi | undefined {
  const v = asObj(raw)?.apiVersion;
  if (v === 'events.k8s.io/v1' || v === 'events.k8s.io/v1beta1') return 'events.k8s.io/v1';
  if (v === 'v1') return 'v1';
  return undefined;
}
