/**
 * Seeded scenarios for the correlate golden test (golden.test.ts): random record sequences
 * (pods, nodes, volumes, workloads, series updates, related chains, missing uids and times,
 * out-of-order times, wall-clock idle gaps) run through a Correlator and a PatternDetector with
 * small bounds, so eviction and expiry happen. {@link runScenario} returns everything observable:
 * each id, pattern id and finding, the incident lists and counts asked for between records, and
 * the metrics at the end. The fixture golden.json holds those traces as the implementation of
 * commit 2ff6eb7 (before the correlator's own LRU lists) produced them; regenerate it only from
 * that code (see golden.test.ts).
 *
 * Self-contained PRNG (mulberry32), not fast-check: the fixture must not change with a library.
 */
import { createHash } from 'node:crypto';
import type { CorrelateConfig, PatternConfig } from '../../src/correlate/config.js';
import type { EventRecord, Finding, KEvent, ObjectRef, Severity } from '../../src/model/event.js';
import type { Clock } from '../../src/model/time.js';
import type { Metrics } from '../../src/observe/metrics.js';

/** What a scenario needs of the stage classes (the current ones, or an old copy for the fixture). */
export interface Impl {
  Correlator: new (config: CorrelateConfig, deps: { clock: Clock; metrics?: Metrics }) => {
    assign(record: EventRecord): string;
    openGroups(): number;
    recentIncidents(limit: number): unknown[];
  };
  PatternDetector: new (config: PatternConfig, deps: { clock: Clock; metrics?: Metrics }) => {
    observe(record: EventRecord): Finding | undefined;
    keyCount(): number;
  };
  parseCorrelate(input: unknown): CorrelateConfig;
  parsePattern(input: unknown): PatternConfig;
  createMetrics(): Metrics;
  manualClock(startMs: number): Clock & { advance(ms: number): void };
}

type Rnd = (n: number) => number;

function mulberry32(seed: number): Rnd {
  let s = seed | 0;
  return (n) => {
    s = (s + 0x6d2b79f5) | 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) % n;
  };
}

const pick = <T>(rnd: Rnd, list: readonly T[]): T => list[rnd(list.length)] as T;
const SEVERITY_LIST: readonly Severity[] = ['Info', 'Medium', 'High', 'Critical'];
const REASONS = ['BackOff', 'Unhealthy', 'FailedMount', 'Evicted', 'Preempting', 'NodeNotReady', 'NodeHasDiskPressure', 'FailedScheduling', 'Pulled', 'Scheduled', 'Started', 'ProvisioningFailed'];
const OTHER_KINDS = ['PersistentVolumeClaim', 'PersistentVolume', 'Deployment', 'StatefulSet', 'Job', 'Service'];
const BASE_MS = Date.UTC(2025, 5, 1);

function ref(kind: string, name: string, namespace: string, uid: string): ObjectRef {
  return { kind, name, namespace, uid, apiVersion: 'v1', fieldPath: '', resourceVersion: '1' };
}

/** One step of a scenario. */
type Op = { op: 'assign'; record: EventRecord } | { op: 'advance'; ms: number } | { op: 'open' } | { op: 'recent'; limit: number };

/** A scenario: configs and steps, all from `seed`. */
export interface Scenario {
  correlate: Record<string, unknown>;
  pattern: Record<string, unknown>;
  ops: Op[];
}

function configs(rnd: Rnd): { correlate: Record<string, unknown>; pattern: Record<string, unknown> } {
  const correlate: Record<string, unknown> = {
    maxKeys: pick(rnd, [2, 4, 8, 16, 30, 60, 200_000]),
    maxGroups: pick(rnd, [1, 3, 6, 16, 50_000]),
    windowMillis: pick(rnd, [60_000, 300_000, 600_000]),
    maxGroupMillis: pick(rnd, [900_000, 1_800_000, 21_600_000]),
    allowedLatenessMillis: pick(rnd, [0, 5_000, 30_000]),
    idleAdvanceMillis: pick(rnd, [20_000, 60_000]),
    keepClosedIncidents: pick(rnd, [0, 2, 5, 100]),
    linkMinSeverity: pick(rnd, SEVERITY_LIST),
    affinity: { node: rnd(5) > 0, volume: rnd(5) > 0, workload: rnd(5) > 0, related: rnd(5) > 0 },
  };
  const pattern: Record<string, unknown> = {
    enabled: rnd(10) > 0,
    windowMillis: pick(rnd, [1000, 60_000, 300_000]),
    defaultThreshold: 1 + rnd(5),
    thresholds: { BackOff: 1 + rnd(4), Evicted: 2 + rnd(3), Pulled: 3 },
    minSeverity: pick(rnd, SEVERITY_LIST),
    maxKeys: pick(rnd, [1, 2, 3, 6, 100_000]),
  };
  return { correlate, pattern };
}

/** The scenario of `seed`: up to ~200 steps. */
export function scenario(seed: number): Scenario {
  const rnd = mulberry32(seed);
  const { correlate, pattern } = configs(rnd);
  const pods = 1 + rnd(12);
  const nodes = 1 + rnd(4);
  const namespaces = ['default', 'ns-a', 'ns-b'].slice(0, 1 + rnd(3));
  const workloads = 1 + rnd(4);
  const uidless = rnd(4) === 0; // objects keyed by kind/namespace/name
  const ops: Op[] = [];
  const sent: KEvent[] = [];
  let cursor = BASE_MS + rnd(1000) * 1000;
  let next = 0;
  const steps = 20 + rnd(180);
  for (let i = 0; i < steps; i++) {
    const roll = rnd(100);
    if (roll < 3) {
      ops.push({ op: 'advance', ms: pick(rnd, [1_000, 30_000, 61_000, 700_000]) });
      // a report after an idle gap closes many groups at once (sweep order, closed list bound)
      if (rnd(2) === 0) ops.push({ op: 'recent', limit: 50 });
      continue;
    }
    if (roll < 6) {
      ops.push({ op: 'open' });
      continue;
    }
    if (roll < 8) {
      ops.push({ op: 'recent', limit: pick(rnd, [0, 1, 3, 50]) });
      continue;
    }
    // event time: mostly forward, sometimes a jump, sometimes late
    const t = rnd(20);
    if (t < 12) cursor += rnd(30) * 1000;
    else if (t < 14) cursor += (5 + rnd(40)) * 60_000;
    const late = rnd(6) === 0 ? rnd(180) * 1000 : 0;
    let timeMs = cursor - late;
    const missing = rnd(40);
    if (missing === 0) timeMs = Number.NaN;
    else if (missing === 1) timeMs = 0;

    // series update: a later delivery of an Event already sent, count going up
    if (sent.length > 0 && rnd(5) === 0) {
      const prev = pick(rnd, sent);
      const event: KEvent = { ...prev, count: prev.count + rnd(3), timeMs, observedTimeMs: timeMs };
      sent.push(event);
      ops.push({ op: 'assign', record: { event, seq: i, enrichment: enrichmentFor(rnd, event.regarding, nodes, workloads), classification: classificationFor(rnd) } });
      continue;
    }

    const namespace = pick(rnd, namespaces);
    const kindRoll = rnd(20);
    let regarding: ObjectRef;
    if (kindRoll < 12) {
      const p = rnd(pods);
      regarding = ref('Pod', rnd(30) === 0 ? '' : `p${p}`, namespace, uidless || rnd(15) === 0 ? '' : `uid-pod-${p}`);
    } else if (kindRoll < 15) {
      const n = `n${rnd(nodes)}`;
      regarding = ref('Node', n, '', rnd(2) === 0 ? n : `uid-node-${n}`);
    } else {
      const kind = pick(rnd, OTHER_KINDS);
      const name = kind === 'Deployment' || kind === 'StatefulSet' ? `w${rnd(workloads)}` : `v${rnd(3)}`;
      regarding = ref(kind, name, kind === 'PersistentVolume' ? '' : namespace, uidless ? '' : `uid-${kind}-${name}`);
    }
    const uidRoll = rnd(12);
    const warning = rnd(3) === 0;
    const event: KEvent = {
      uid: uidRoll === 0 ? '' : `e${next++}`,
      name: `${regarding.name}.${i}`,
      namespace: regarding.namespace || (rnd(3) === 0 ? '' : 'default'),
      resourceVersion: String(i),
      sourceApi: 'events.k8s.io/v1',
      reason: pick(rnd, REASONS),
      note: 'n',
      type: warning ? 'Warning' : 'Normal',
      action: '',
      reportingController: pick(rnd, ['kubelet', 'kubelet', 'default-scheduler', '']),
      reportingInstance: rnd(4) === 0 ? '' : `n${rnd(nodes)}`,
      regarding,
      count: rnd(4) === 0 ? 1 + rnd(50) : 1,
      timeMs,
      startTimeMs: rnd(10) === 0 ? Number.NaN : timeMs - rnd(4) * 600_000,
      observedTimeMs: timeMs,
      truncated: false,
    };
    if (rnd(6) === 0) {
      const rk = rnd(3);
      event.related =
        rk === 0
          ? ref('Pod', `p${rnd(pods)}`, namespace, uidless ? '' : `uid-pod-${rnd(pods)}`)
          : rk === 1
            ? ref('Node', `n${rnd(nodes)}`, '', `uid-node-n${rnd(nodes)}`)
            : regarding;
    }
    sent.push(event);
    ops.push({ op: 'assign', record: { event, seq: i, enrichment: enrichmentFor(rnd, regarding, nodes, workloads), classification: classificationFor(rnd) } });
  }
  return { correlate, pattern, ops };
}

function enrichmentFor(rnd: Rnd, regarding: ObjectRef, nodes: number, workloads: number): EventRecord['enrichment'] {
  const e: EventRecord['enrichment'] = {};
  if (rnd(3) > 0) e.nodeName = regarding.kind === 'Node' ? regarding.name : `n${rnd(nodes)}`;
  if (rnd(2) === 0) e.workload = { kind: pick(rnd, ['Deployment', 'StatefulSet', 'Job']), name: rnd(8) === 0 ? '' : `w${rnd(workloads)}` };
  if (rnd(3) === 0) e.pvcNames = Array.from({ length: 1 + rnd(2) }, () => `v${rnd(3)}`);
  if (rnd(4) === 0) e.pvNames = Array.from({ length: 1 + rnd(2) }, () => `v${rnd(3)}`);
  return e;
}

function classificationFor(rnd: Rnd): EventRecord['classification'] {
  if (rnd(7) === 0) return undefined;
  return { category: pick(rnd, ['Pod.Restart', 'Node.Pressure', 'Storage.Mount', '']), severity: pick(rnd, SEVERITY_LIST), ruleId: 'golden', escalated: false };
}

/** Everything observable of one scenario, in a compact form (ids as indexes into `ids`). */
export interface Trace {
  ids: string[];
  assigned: number[];
  patterns: number[];
  findings: unknown[];
  calls: unknown[];
  end: unknown;
}

/** What golden.json keeps of a trace: the grouping and pattern marks per record, and a digest of the whole trace. */
export interface Golden {
  seed: number;
  assigned: number[];
  patterns: number[];
  /** sha256 (hex) of the trace's JSON. */
  digest: string;
}

/** The golden entry of scenario `seed` run through `impl`. */
export async function golden(impl: Impl, seed: number): Promise<Golden> {
  const trace = await runScenario(impl, scenario(seed));
  return { seed, assigned: trace.assigned, patterns: trace.patterns, digest: createHash('sha256').update(JSON.stringify(trace)).digest('hex') };
}

/** Seeds of the fixture. */
export const GOLDEN_SEEDS = Array.from({ length: 250 }, (_, i) => i + 1);

/** Runs `s` through `impl` and returns its trace. */
export async function runScenario(impl: Impl, s: Scenario): Promise<Trace> {
  const clock = impl.manualClock(5_000_000);
  const metrics = impl.createMetrics();
  const correlator = new impl.Correlator(impl.parseCorrelate(s.correlate), { clock, metrics });
  const detector = new impl.PatternDetector(impl.parsePattern(s.pattern), { clock, metrics });
  const ids: string[] = [];
  const index = (id: string | undefined): number => {
    if (id === undefined) return -1;
    let i = ids.indexOf(id);
    if (i < 0) i = ids.push(id) - 1;
    return i;
  };
  const trace: Trace = { ids, assigned: [], patterns: [], findings: [], calls: [], end: undefined };
  for (const [step, o] of s.ops.entries()) {
    if (o.op === 'advance') clock.advance(o.ms);
    else if (o.op === 'open') trace.calls.push([step, correlator.openGroups()]);
    else if (o.op === 'recent') trace.calls.push([step, correlator.recentIncidents(o.limit)]);
    else {
      clock.advance(1);
      const record: EventRecord = { ...o.record };
      record.correlationId = correlator.assign(record);
      trace.assigned.push(index(record.correlationId));
      const finding = detector.observe(record);
      trace.patterns.push(index(record.patternId));
      if (finding) {
        const { subject, ...rest } = finding;
        trace.findings.push([step, { ...rest, subject: subject && { uid: subject.event.uid, correlationId: subject.correlationId } }]);
      }
    }
  }
  const open = (await metrics.incidentsOpen.get()).values.map((v) => v.value);
  const late = (await metrics.eventsSkipped.get()).values.map((v) => [v.labels, v.value]);
  trace.end = { keys: detector.keyCount(), gauge: open, late, incidents: correlator.recentIncidents(1000), open: correlator.openGroups() };
  return trace;
}
