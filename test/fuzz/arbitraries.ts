import fc from 'fast-check';

/**
 * Generators for the fuzz tests: Kubernetes Events of both APIs as they come off the wire,
 * mutations of them (fields removed, retyped, huge, odd Unicode), notes with planted secrets,
 * and oracles for what must never leave eventide. Deterministic by default; FC_SEED / FC_RUNS
 * explore further.
 */

/** fast-check run parameters: `runs` by default, more with FC_RUNS, another seed with FC_SEED. */
export function runs(numRuns: number): { numRuns: number; seed: number } {
  return { numRuns: Number(process.env.FC_RUNS ?? numRuns), seed: Number(process.env.FC_SEED ?? 20261123) };
}

const chars = (alphabet: string, min: number, max: number): fc.Arbitrary<string> =>
  fc.array(fc.constantFrom(...alphabet.split('')), { minLength: min, maxLength: max }).map((a) => a.join(''));
const LOWER = 'abcdefghijklmnopqrstuvwxyz';
const ALNUM = `${LOWER}ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789`;

const dnsLabel = chars(`${LOWER}0123456789`, 1, 12).map((s) => `x${s}`);
const isoTime = fc.integer({ min: Date.UTC(2020, 0, 1), max: Date.UTC(2030, 0, 1) }).map((ms) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z'));
const microTime = fc.integer({ min: Date.UTC(2020, 0, 1), max: Date.UTC(2030, 0, 1) }).map((ms) => new Date(ms).toISOString().replace(/Z$/, '000Z'));
const reason = fc.constantFrom('BackOff', 'FailedMount', 'Killing', 'Pulled', 'FailedScheduling', 'Evicted', 'OOMKilling', 'NodeNotReady', 'Unhealthy', 'SomethingNew');
const kind = fc.constantFrom('Pod', 'Node', 'Deployment', 'ReplicaSet', 'PersistentVolumeClaim', 'Job', 'Widget');

/** A secret as it is written in a note. */
const planted = fc.oneof(
  fc.ipV4(),
  fc.tuple(chars(`${ALNUM}._%+-`, 1, 12), dnsLabel, chars(LOWER, 2, 5)).map(([l, d, t]) => `${l}@${d}.${t}`),
  fc.tuple(chars(`${ALNUM}-_`, 5, 30), chars(`${ALNUM}-_`, 5, 40), chars(`${ALNUM}-_`, 0, 43)).map(([h, p, s]) => `eyJ${h}.eyJ${p}.${s}`),
  chars('ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789', 16, 16).map((s) => `AKIA${s}`),
  chars(`${ALNUM}._~+/-`, 8, 40)
    .filter((s) => /[0-9]/.test(s))
    .map((t) => `Authorization: Bearer ${t}`),
);

/** A note of plain words with secrets planted between them. */
export const noteWithSecrets: fc.Arbitrary<string> = fc
  .array(fc.tuple(chars(`${LOWER} `, 0, 16), fc.constantFrom(' ', ': ', ' (', ') ', ', '), fc.option(planted, { nil: '' })), { minLength: 1, maxLength: 4 })
  .map((parts) => parts.map(([w, s, p]) => `${w}${s}${p}`).join(' '));

const objectRef = fc.record(
  { kind, name: dnsLabel, namespace: dnsLabel, uid: fc.uuid(), apiVersion: fc.constantFrom('v1', 'apps/v1'), fieldPath: fc.constantFrom('', 'spec.containers{app}') },
  { requiredKeys: ['kind', 'name'] },
);

/** A core/v1 Event as served by the API (list item shape, apiVersion set). */
export const coreEvent: fc.Arbitrary<Record<string, unknown>> = fc
  .record({
    name: dnsLabel,
    namespace: dnsLabel,
    uid: fc.uuid(),
    ref: objectRef,
    reason,
    message: noteWithSecrets,
    type: fc.constantFrom('Normal', 'Warning'),
    component: fc.constantFrom('kubelet', 'default-scheduler', 'eventide.io/anomaly-detector'),
    host: dnsLabel,
    first: isoTime,
    last: isoTime,
    count: fc.integer({ min: 1, max: 500 }),
  })
  .map((e) => ({
    apiVersion: 'v1',
    kind: 'Event',
    metadata: { name: e.name, namespace: e.namespace, uid: e.uid, creationTimestamp: e.first },
    involvedObject: e.ref,
    reason: e.reason,
    message: e.message,
    type: e.type,
    source: { component: e.component, host: e.host },
    firstTimestamp: e.first,
    lastTimestamp: e.last,
    count: e.count,
  }));

/** An events.k8s.io/v1 Event as served by the API, with or without series. */
export const eventsV1Event: fc.Arbitrary<Record<string, unknown>> = fc
  .record({
    name: dnsLabel,
    namespace: dnsLabel,
    uid: fc.uuid(),
    regarding: objectRef,
    related: fc.option(objectRef, { nil: undefined }),
    reason,
    note: noteWithSecrets,
    type: fc.constantFrom('Normal', 'Warning'),
    action: fc.constantFrom('Pulling', 'Binding', 'Killing', 'Detected'),
    controller: fc.constantFrom('kubelet', 'default-scheduler', 'eventide.io/anomaly-detector'),
    instance: dnsLabel,
    eventTime: microTime,
    series: fc.option(fc.record({ count: fc.integer({ min: 2, max: 500 }), lastObservedTime: microTime }), { nil: undefined }),
  })
  .map((e) => ({
    apiVersion: 'events.k8s.io/v1',
    kind: 'Event',
    metadata: { name: e.name, namespace: e.namespace, uid: e.uid, creationTimestamp: e.eventTime.slice(0, 19) + 'Z' },
    regarding: e.regarding,
    ...(e.related ? { related: e.related } : {}),
    reason: e.reason,
    note: e.note,
    type: e.type,
    action: e.action,
    reportingController: e.controller,
    reportingInstance: e.instance,
    eventTime: e.eventTime,
    ...(e.series ? { series: e.series } : {}),
  }));

/** A value of the wrong kind for any field: null, numbers, booleans, arrays, objects, odd and huge strings. */
export const oddValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constant(null),
  fc.constant(undefined),
  fc.integer(),
  fc.double(),
  fc.constantFrom(Number.NaN, Infinity, -1, 0, 1e308, '', '0', '-5', 'NaN', 'not-a-date', '0001-01-01T00:00:00Z', '\ud800', '\u0000\u001b[31m', '𝔘𝔫𝔦𝔠𝔬𝔡𝔢'),
  fc.boolean(),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.array(fc.string({ maxLength: 5 }), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 5 }), fc.string({ maxLength: 5 }), { maxKeys: 3 }),
  fc.integer({ min: 5_000, max: 70_000 }).map((n) => 'x'.repeat(n)),
  noteWithSecrets,
);

/** Paths a mutation may touch (top level and nested objects of both schemas). */
const PATHS = [
  'apiVersion', 'kind', 'metadata', 'metadata.uid', 'metadata.name', 'metadata.namespace', 'metadata.resourceVersion', 'metadata.creationTimestamp', 'metadata.labels',
  'involvedObject', 'involvedObject.kind', 'involvedObject.name', 'involvedObject.namespace', 'involvedObject.uid',
  'regarding', 'regarding.kind', 'regarding.name', 'regarding.namespace', 'related',
  'reason', 'message', 'note', 'type', 'action', 'reportingController', 'reportingComponent', 'reportingInstance',
  'source', 'source.component', 'deprecatedSource', 'firstTimestamp', 'lastTimestamp', 'eventTime', 'count', 'deprecatedCount',
  'series', 'series.count', 'series.lastObservedTime',
] as const;

/** One mutation: remove the field at `path` or set it to `value`. */
export interface Mutation {
  path: string;
  remove: boolean;
  value: unknown;
}

/** Mutations to apply to an Event. */
export const mutations: fc.Arbitrary<Mutation[]> = fc.array(fc.record({ path: fc.constantFrom(...PATHS), remove: fc.boolean(), value: oddValue }), { maxLength: 4 });

/** A deep copy of `event` with `muts` applied; `keep` lists paths left alone (e.g. those a store needs). */
export function mutate(event: Record<string, unknown>, muts: readonly Mutation[], keep: readonly string[] = []): Record<string, unknown> {
  const out = structuredClone(event);
  for (const m of muts) {
    if (keep.some((k) => m.path === k || k.startsWith(`${m.path}.`))) continue;
    const parts = m.path.split('.');
    let target: Record<string, unknown> = out;
    for (const p of parts.slice(0, -1)) {
      const next = target[p];
      if (typeof next !== 'object' || next === null || Array.isArray(next)) {
        target = {};
        break;
      }
      target = next as Record<string, unknown>;
    }
    const last = parts[parts.length - 1]!;
    if (m.remove) delete target[last];
    else target[last] = m.value;
  }
  return out;
}

/** A generated Event of either API, possibly mutated. */
export const anyEvent: fc.Arbitrary<Record<string, unknown>> = fc
  .tuple(fc.oneof(coreEvent, eventsV1Event), mutations)
  .map(([e, m]) => mutate(e, m));

// Oracles written independently of the redactor's patterns.
/** What must never appear in an exported body or a log line. */
export const LEAK_PATTERNS: readonly RegExp[] = [
  /(?<![0-9.])(?:[0-9]{1,3}\.){3}[0-9]{1,3}(?![0-9])/,
  /[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/,
  /eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\./,
  /AKIA[0-9A-Z]{16}/,
  /[Bb]earer (?!\[REDACTED:)\S/,
];

/** The first leak pattern `text` matches, or undefined. */
export function leakIn(text: string): RegExp | undefined {
  return LEAK_PATTERNS.find((re) => re.test(text));
}
