/**
 * Seeded call sequences for the escalation golden test (escalation-golden.test.ts): records of
 * Events (seven uids, none among them; counts 0-12; event times over 15 min; first occurrences
 * up to 5 min earlier, or a little later) under three keys, window counts and sizes, for an
 * EscalationTracker with 1-6 keys and 2-16 spans per key, so uid and key eviction, age expiry
 * and span merging all happen. {@link runEscalation} returns every count and size. The fixture
 * escalation-golden.json holds them as the LRUCache-based tracker (src/classify/escalation.ts
 * of commit b255a38^) produced them; regenerate it only from that code
 * (escalation-golden-regen.ts), never from the code under test.
 *
 * Self-contained PRNG (xorshift32, shared with test/delivery/slots-golden.ts), not fast-check: the fixture must not change with a library.
 */
import type { KEvent } from '../../src/model/event.js';
import { buildEvent } from '../support/builders.js';
import { xorshift32 } from '../delivery/slots-golden.js';

const pick = <T>(rnd: (n: number) => number, list: readonly T[]): T => list[rnd(list.length)] as T;
const BASE_MS = Date.UTC(2025, 5, 1);
/** Escalation keys of the scenarios. */
export const KEYS = ['pod-a\u0000BackOff', 'pod-b\u0000BackOff', 'pod-a\u0000Unhealthy'];
const UIDS = ['', 'e1', 'e2', 'e3', 'e4', 'e5', 'e6'];

/** One call on a tracker. */
export type Op = { op: 'record'; key: string; event: KEvent } | { op: 'count'; key: string; endS: number; windowS: number } | { op: 'size' };

/** Options and calls of `seed`. */
export interface Scenario {
  options: { maxKeys: number; maxAgeMillis: number; maxSpansPerKey: number };
  ops: Op[];
}

/** Only uid, count, timeMs and startTimeMs matter to the tracker; the builder fills the rest. */
function anEvent(rnd: (n: number) => number): KEvent {
  const uid = pick(rnd, UIDS);
  const count = rnd(13);
  const t = rnd(901);
  const startBack = rnd(306) - 5;
  return buildEvent({ uid, count, timeMs: BASE_MS + t * 1000, startTimeMs: BASE_MS + (t - startBack) * 1000 });
}

/** The scenario of `seed`: up to 120 calls (record 6, count 3, size 1 in 10). */
export function scenario(seed: number): Scenario {
  const rnd = xorshift32(seed);
  const options = { maxKeys: 1 + rnd(6), maxAgeMillis: pick(rnd, [60_000, 600_000]), maxSpansPerKey: pick(rnd, [2, 4, 16]) };
  const ops: Op[] = [];
  const steps = rnd(121);
  for (let i = 0; i < steps; i++) {
    const k = rnd(10);
    if (k < 6) ops.push({ op: 'record', key: pick(rnd, KEYS), event: anEvent(rnd) });
    else if (k < 9) ops.push({ op: 'count', key: pick(rnd, KEYS), endS: rnd(901), windowS: 1 + rnd(600) });
    else ops.push({ op: 'size' });
  }
  return { options, ops };
}

/** What the golden needs of a tracker (the current EscalationTracker, or the old one for the fixture). */
export interface TrackerLike {
  record(key: string, event: KEvent): void;
  countInWindow(key: string, endMs: number, windowMillis: number): number;
  size(): number;
}

/** Results of `s`: each count and size in call order (records give none), then each key's count over the whole 15 min. */
export function runEscalation(create: (options: Scenario['options']) => TrackerLike, s: Scenario): number[] {
  const tracker = create(s.options);
  const out: number[] = [];
  for (const o of s.ops) {
    if (o.op === 'record') tracker.record(o.key, o.event);
    else if (o.op === 'count') out.push(tracker.countInWindow(o.key, BASE_MS + o.endS * 1000, o.windowS * 1000));
    else out.push(tracker.size());
  }
  for (const key of KEYS) out.push(tracker.countInWindow(key, BASE_MS + 900_000, 900_000));
  return out;
}

/** One entry of escalation-golden.json. */
export interface Golden {
  seed: number;
  results: number[];
}

/** Seeds of the fixture. */
export const GOLDEN_SEEDS = Array.from({ length: 300 }, (_, i) => i + 1);
