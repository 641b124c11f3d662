/**
 * Micro-benchmark of the per-Event delivery state (plain node script):
 *   npx tsx src/delivery/gate.bench.ts [events]
 * Each Event (a distinct uid, as on a watch stream) is offered to the gate, then delivered to
 * and acknowledged by the checkpoint tracker in batches of 512, as the pipeline does. Timed
 * twice: while the state fills, and with it full at its 200,000-entry bounds (the steady state
 * of a long run), each after a warm-up.
 */
import { performance } from 'node:perf_hooks';
import type { KEvent } from '../model/event.js';
import { ManualClock } from '../model/time.js';
import { DeliveryGate } from './gate.js';
import { CheckpointTracker } from './tracker.js';

const BOUND = 200_000;
const BATCH = 512;

function uuid(i: number): string {
  const h = (Math.imul(i, 2654435761) >>> 0).toString(16).padStart(8, '0');
  return `${h}-1c2d-4e5f-8a9b-${i.toString(16).padStart(12, '0')}`;
}

function makeEvent(i: number): KEvent {
  const timeMs = 1_700_000_000_000 + i;
  return {
    uid: uuid(i), name: `app-${i % 1000}.${i.toString(16)}`, namespace: 'shop', resourceVersion: String(i + 1), sourceApi: 'v1',
    reason: 'BackOff', note: `Back-off restarting failed container app in pod app-${i % 1000}`, type: 'Warning', action: '',
    reportingController: 'kubelet', reportingInstance: 'node-1',
    regarding: { kind: 'Pod', name: `app-${i % 1000}`, namespace: 'shop', uid: uuid(1e9 + (i % 1000)), apiVersion: 'v1', fieldPath: '', resourceVersion: '1' },
    count: 1, timeMs, startTimeMs: timeMs, observedTimeMs: timeMs, truncated: false,
  };
}

interface Stages {
  gate: DeliveryGate;
  tracker: CheckpointTracker;
  clock: ManualClock;
  seq: number;
  batch: number[];
}

function stages(): Stages {
  const clock = new ManualClock(1_700_000_000_000);
  const gate = new DeliveryGate({ seriesThrottleMillis: 30_000, dedupeMaxEntries: BOUND, dedupeTtlMillis: 7_200_000 }, { clock });
  const tracker = new CheckpointTracker({ clock, maxExported: BOUND });
  return { gate, tracker, clock, seq: 0, batch: [] };
}

/** Offers, delivers and acknowledges `events`; returns ns per Event for the gate and the tracker. */
function feed(s: Stages, events: KEvent[]): { gateNs: number; trackerNs: number } {
  let gateMs = 0;
  let trackerMs = 0;
  for (const event of events) {
    s.clock.advance(s.seq & 1);
    const t0 = performance.now();
    s.gate.offer(event);
    s.gate.due();
    const t1 = performance.now();
    s.tracker.delivered(s.seq, event);
    s.batch.push(s.seq++);
    if (s.batch.length === BATCH) {
      s.tracker.settled(s.batch, true);
      s.batch = [];
    }
    trackerMs += performance.now() - t1;
    gateMs += t1 - t0;
  }
  return { gateNs: (gateMs * 1e6) / events.length, trackerNs: (trackerMs * 1e6) / events.length };
}

const n = Number(process.argv[2] ?? 100_000);
let next = 0;
const take = (count: number): KEvent[] => Array.from({ length: count }, () => makeEvent(next++));

const filling = stages();
feed(filling, take(20_000)); // warm-up
const below = feed(filling, take(Math.min(n, BOUND - 20_000)));
console.log(`filling (${filling.gate.size()} uids): gate ${below.gateNs.toFixed(0)} ns/event, tracker ${below.trackerNs.toFixed(0)} ns/event`);

const full = stages();
for (let i = 0; i < BOUND + 20_000; i += 10_000) feed(full, take(10_000)); // fill to the bounds, and warm up past them
const atBound = feed(full, take(n));
console.log(`at the bound (${full.gate.size()} uids): gate ${atBound.gateNs.toFixed(0)} ns/event, tracker ${atBound.trackerNs.toFixed(0)} ns/event`);
