/**
 * Micro-benchmark of the classify stage (plain node script):
 *   npx tsx src/classify/classify.bench.ts [iterations]
 * Classifies a realistic mix of kubelet, scheduler and controller events with the shipped rules.
 */
import { performance } from 'node:perf_hooks';
import type { KEvent } from '../model/event.js';
import { Classifier } from './classifier.js';
import { classifyConfigSchema } from './config.js';
import { loadRuleSet } from './load.js';

const SAMPLES: [reason: string, note: string, type: string, kind: string][] = [
  ['Pulling', 'Pulling image "nginx:1.25"', 'Normal', 'Pod'],
  ['Pulled', 'Successfully pulled image "nginx:1.25" in 1.2s', 'Normal', 'Pod'],
  ['Created', 'Created container nginx', 'Normal', 'Pod'],
  ['Started', 'Started container nginx', 'Normal', 'Pod'],
  ['BackOff', 'Back-off restarting failed container nginx in pod web-1_default(abc)', 'Warning', 'Pod'],
  ['Unhealthy', 'Readiness probe failed: Get "http://10.1.2.3:8080/ready": dial tcp 10.1.2.3:8080: connect: connection refused', 'Warning', 'Pod'],
  ['Unhealthy', 'Liveness probe failed: HTTP probe failed with statuscode: 500', 'Warning', 'Pod'],
  ['FailedMount', 'Unable to attach or mount volumes: unmounted volumes=[data]: timed out waiting for the condition', 'Warning', 'Pod'],
  ['FailedScheduling', '0/3 nodes are available: 3 Insufficient cpu.', 'Warning', 'Pod'],
  ['Scheduled', 'Successfully assigned default/web-1 to node-1', 'Normal', 'Pod'],
  ['ScalingReplicaSet', 'Scaled up replica set web-7d9c8 to 3', 'Normal', 'Deployment'],
  ['SuccessfulCreate', 'Created pod: web-7d9c8-abcde', 'Normal', 'ReplicaSet'],
  ['NodeNotReady', 'Node node-1 status is now: NodeNotReady', 'Normal', 'Node'],
  ['CustomThing', 'something no rule knows', 'Warning', 'Pod'],
];

function makeEvents(n: number): KEvent[] {
  const events: KEvent[] = [];
  for (let i = 0; i < n; i++) {
    const [reason, note, type, kind] = SAMPLES[i % SAMPLES.length]!;
    const name = `obj-${i % 500}`;
    const timeMs = 1_700_000_000_000 + i * 10;
    events.push({
      uid: `e-${i % 5000}`, name: `${name}.${i}`, namespace: 'default', resourceVersion: String(i), sourceApi: 'events.k8s.io/v1',
      reason, note, type, action: '', reportingController: 'kubelet', reportingInstance: 'node-1',
      regarding: { kind, name, namespace: 'default', uid: `u-${i % 500}`, apiVersion: 'v1', fieldPath: '', resourceVersion: '1' },
      count: 1 + Math.floor(i / 5000), timeMs, startTimeMs: timeMs, observedTimeMs: timeMs, truncated: false,
    });
  }
  return events;
}

const iterations = Number(process.argv[2] ?? 200_000);
const events = makeEvents(iterations);
const classifier = new Classifier(loadRuleSet({}), classifyConfigSchema.parse({}));
for (let i = 0; i < Math.min(20_000, iterations); i++) classifier.classify(events[i]!); // warm-up
const start = performance.now();
for (const e of events) classifier.classify(e);
const ms = performance.now() - start;
console.log(`classify: ${iterations} events in ${ms.toFixed(1)} ms, ${((ms * 1e6) / iterations).toFixed(0)} ns/event, ${Math.round((iterations / ms) * 1000)} events/s`);
