/**
 * Seeded call sequences for the delivery golden test (slots-golden.test.ts): random offers (7
 * uids, counts 1-8, three notes, event times over two minutes), wall-clock steps, due/drain,
 * checkpoint seeds for a DeliveryGate; random deliveries (every origin), holds, positions,
 * settlements (acks and failures of recent seqs), wall-clock steps and snapshots for a
 * CheckpointTracker. Bounds are small (1-6 uids, TTLs of 1 s / 60 s) so eviction, TTL expiry,
 * overflow and freezing all happen. {@link runGate} and {@link runTracker} return everything
 * observable. The fixtures gate-golden.json and tracker-golden.json hold those traces as the Map-based implementation
 * (src/delivery/gate.ts and tracker.ts of commit b255a38^) produced them; regenerate it only
 * from that code (slots-golden-regen.ts), never from the code under test.
 *
 * Self-contained PRNG (xorshift32), not fast-check: the fixture must not change with a library.
 */
import type { Checkpoint } from '../../src/delivery/checkpoint.js';
import type { KEvent } from '../../src/model/event.js';
import type { Clock } from '../../src/model/time.js';
import type { Metrics } from '../../src/observe/metrics.js';

type Rnd = (n: number) => number;

/** Uniform integers in [0, n) from `seed` (xorshift32 after a splitmix-style scramble of the seed). */
export function xorshift32(seed: number): Rnd {
  let x = Math.imul((seed ^ 0x9e3779b9) | 0, 0x85ebca6b) || 1;
  return (n) => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) % n;
  };
}

const pick = <T>(rnd: Rnd, list: readonly T[]): T => list[rnd(list.length)] as T;
/** Index of a weighted choice: weights[i] out of their sum. */
function weighted(rnd: Rnd, weights: readonly number[]): number {
  let r = rnd(weights.reduce((a, b) => a + b, 0));
  for (const [i, w] of weights.entries()) {
    if (r < w) return i;
    r -= w;
  }
  return weights.length - 1;
}

const UIDS = ['a', 'b', 'c', 'd', 'e', 'f', 'g'];
const NOTES = ['Back-off restarting failed container', 'Readiness probe failed', 'Created container app'];
const BASE_MS = Date.UTC(2025, 5, 1);
const ORIGINS = ['watch', 'watch', 'list', 'release', 'added'] as const;
type Origin = (typeof ORIGINS)[number];

/** An Event offered or delivered at call `i` (its resourceVersion). */
function anEvent(rnd: Rnd, i: number): KEvent {
  const uid = pick(rnd, UIDS);
  const count = 1 + rnd(8);
  const timeMs = BASE_MS + rnd(121) * 1000;
  const note = pick(rnd, NOTES);
  const rv = String(i + 1);
  const regarding = { kind: 'Pod', name: `pod-${uid}`, namespace: 'default', uid: `pod-uid-${uid}`, apiVersion: 'v1', fieldPath: '', resourceVersion: '1' };
  return {
    uid,
    name: `pod-${uid}.${rv}`,
    namespace: 'default',
    resourceVersion: rv,
    sourceApi: 'events.k8s.io/v1',
    reason: 'BackOff',
    note,
    type: 'Warning',
    action: '',
    reportingController: 'kubelet',
    reportingInstance: 'node-1',
    regarding,
    count,
    timeMs,
    startTimeMs: timeMs,
    observedTimeMs: timeMs,
    truncated: false,
  };
}

const seedPairs = (rnd: Rnd, max: number): Array<[string, number]> => Array.from({ length: rnd(max + 1) }, () => [pick(rnd, UIDS), rnd(9)]);

/** One call on a gate. */
export type GateOp = { op: 'offer'; event: KEvent } | { op: 'wall'; ms: number } | { op: 'due' } | { op: 'drain' } | { op: 'seed'; pairs: Array<[string, number]> };

/** Gate config and calls of `seed`. */
export interface GateScenario {
  config: { seriesThrottleMillis: number; dedupeMaxEntries: number; dedupeTtlMillis: number };
  ops: GateOp[];
}

/** The gate scenario of `seed`: up to 80 calls. */
export function gateScenario(seed: number): GateScenario {
  const rnd = xorshift32(seed);
  const config = { seriesThrottleMillis: pick(rnd, [0, 10_000, 30_000]), dedupeMaxEntries: 1 + rnd(6), dedupeTtlMillis: pick(rnd, [1_000, 60_000, 7_200_000]) };
  const ops: GateOp[] = [];
  const steps = rnd(81);
  for (let i = 0; i < steps; i++) {
    const k = weighted(rnd, [8, 2, 3, 1, 1]);
    if (k === 0) ops.push({ op: 'offer', event: anEvent(rnd, i) });
    else if (k === 1) ops.push({ op: 'wall', ms: rnd(40_001) });
    else if (k === 2) ops.push({ op: 'due' });
    else if (k === 3) ops.push({ op: 'drain' });
    else ops.push({ op: 'seed', pairs: seedPairs(rnd, 4) });
  }
  return { config, ops };
}

/** One call on a tracker; a settlement names seqs back from the last delivered one. */
export type TrackerOp =
  | { op: 'delivered'; event: KEvent; origin: Origin }
  | { op: 'held'; event: KEvent }
  | { op: 'position'; rv: string }
  | { op: 'settle'; pick: number[]; ok: boolean }
  | { op: 'wall'; ms: number }
  | { op: 'snapshot' };

/** Tracker options, initial checkpoint and calls of `seed`. */
export interface TrackerScenario {
  config: { maxExported: number; exportedTtlMillis: number; maxPending: number };
  initialExported: Array<[string, number]> | undefined;
  ops: TrackerOp[];
}

/** The tracker scenario of `seed`: up to 80 calls. */
export function trackerScenario(seed: number): TrackerScenario {
  const rnd = xorshift32(seed ^ 0x5eed);
  const config = { maxExported: 1 + rnd(6), exportedTtlMillis: pick(rnd, [1_000, 60_000]), maxPending: pick(rnd, [3, 100]) };
  const initialExported = rnd(2) === 0 ? undefined : seedPairs(rnd, 8);
  const ops: TrackerOp[] = [];
  const steps = rnd(81);
  for (let i = 0; i < steps; i++) {
    const k = weighted(rnd, [8, 1, 1, 5, 2, 2]);
    if (k === 0) ops.push({ op: 'delivered', event: anEvent(rnd, i), origin: pick(rnd, ORIGINS) });
    else if (k === 1) ops.push({ op: 'held', event: anEvent(rnd, i) });
    else if (k === 2) ops.push({ op: 'position', rv: `p${1 + rnd(1000)}` });
    else if (k === 3) ops.push({ op: 'settle', pick: Array.from({ length: rnd(7) }, () => rnd(41)), ok: rnd(20) !== 0 });
    else if (k === 4) ops.push({ op: 'wall', ms: rnd(40_001) });
    else ops.push({ op: 'snapshot' });
  }
  return { config, initialExported, ops };
}

/** What the golden needs of a gate (the current DeliveryGate, or the old one for the fixture). */
export interface GateLike {
  offer(event: KEvent): string;
  due(): KEvent[];
  drain(): KEvent[];
  seed(pairs: Array<[string, number]>): void;
  size(): number;
  heldCount(): number;
}

/** What the golden needs of a tracker. */
export interface TrackerLike {
  delivered(seq: number, event: KEvent, origin: Origin): void;
  held(event: KEvent): void;
  position(rv: string): void;
  settled(seqs: number[], ok: boolean): void;
  snapshot(): unknown;
  pending(): number;
  revision(): number;
  frozenReason(): string | undefined;
}

/** Builds the stage classes under test (or the old ones). */
export interface Impl {
  gate(config: GateScenario['config'], deps: { clock: Clock; metrics: Metrics; onHeld: (e: KEvent) => void }): GateLike;
  tracker(options: TrackerScenario['config'] & { clock: Clock; initial?: Checkpoint }): TrackerLike;
  createMetrics(): Metrics;
  manualClock(startMs: number): Clock & { advance(ms: number): void };
}

/**
 * Observable result of a gate scenario: per call [result, size, heldCount], where an offer's
 * result is its decision and due/drain's the offered Events returned (as call indexes); the
 * Events passed to onHeld (call indexes) and the dedupe counters at the end.
 */
export interface GateTrace {
  steps: Array<[unknown, number, number]>;
  held: number[];
  deduplicated: Record<string, number>;
}

/** Runs `s` through `impl`'s gate. */
export async function runGate(impl: Impl, s: GateScenario): Promise<GateTrace> {
  const clock = impl.manualClock(1_000_000);
  const metrics = impl.createMetrics();
  const index = new Map<KEvent, number>();
  for (const [i, o] of s.ops.entries()) if (o.op === 'offer') index.set(o.event, i);
  const at = (e: KEvent): number => index.get(e) ?? -1;
  const trace: GateTrace = { steps: [], held: [], deduplicated: {} };
  const gate = impl.gate(s.config, { clock, metrics, onHeld: (e) => trace.held.push(at(e)) });
  for (const o of s.ops) {
    let result: unknown = null;
    if (o.op === 'offer') result = gate.offer(o.event);
    else if (o.op === 'wall') clock.advance(o.ms);
    else if (o.op === 'due') result = gate.due().map(at);
    else if (o.op === 'drain') result = gate.drain().map(at);
    else gate.seed(o.pairs);
    trace.steps.push([result, gate.size(), gate.heldCount()]);
  }
  const data = await metrics.eventsDeduplicated.get();
  trace.deduplicated = Object.fromEntries(data.values.map((v) => [String(v.labels.reason), v.value]));
  return trace;
}

/** Observable result of a tracker scenario: per call [snapshot or null, pending, revision, frozen reason or null], and the final snapshot. */
export interface TrackerTrace {
  steps: Array<[unknown, number, number, string | null]>;
  end: unknown;
}

/** Runs `s` through `impl`'s tracker. */
export function runTracker(impl: Impl, s: TrackerScenario): TrackerTrace {
  const clock = impl.manualClock(1_000_000);
  const initial: Checkpoint | undefined = s.initialExported ? { version: 1 as const, resourceVersion: '7', exported: s.initialExported, savedAtMs: 990_000 } : undefined;
  const tracker = impl.tracker({ ...s.config, clock, ...(initial ? { initial } : {}) });
  const trace: TrackerTrace = { steps: [], end: undefined };
  let seq = 0;
  for (const o of s.ops) {
    let result: unknown = null;
    if (o.op === 'delivered') tracker.delivered(seq++, o.event, o.origin);
    else if (o.op === 'held') tracker.held(o.event);
    else if (o.op === 'position') tracker.position(o.rv);
    else if (o.op === 'settle') tracker.settled(o.pick.map((p) => seq - 1 - p).filter((q) => q >= 0), o.ok);
    else if (o.op === 'wall') clock.advance(o.ms);
    else result = tracker.snapshot() ?? null;
    trace.steps.push([result, tracker.pending(), tracker.revision(), tracker.frozenReason() ?? null]);
  }
  trace.end = tracker.snapshot() ?? null;
  return trace;
}

/** One seed's traces (gate-golden.json and tracker-golden.json hold one half each). */
export interface Golden {
  seed: number;
  gate: GateTrace;
  tracker: TrackerTrace;
}

/** Seeds of the fixture. */
export const GOLDEN_SEEDS = Array.from({ length: 250 }, (_, i) => i + 1);

/** The golden entry of `seed` run through `impl`. */
export async function golden(impl: Impl, seed: number): Promise<Golden> {
  return { seed, gate: await runGate(impl, gateScenario(seed)), tracker: runTracker(impl, trackerScenario(seed)) };
}
