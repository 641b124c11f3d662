/**
 * Micro-benchmark of the redact stage (plain node script):
 *   npx tsx src/redact/redact.bench.ts [iterations]
 * Redacts typical kubelet/controller notes (most with nothing to mask), notes with secrets, and
 * long adversarial inputs that would take quadratic time with careless patterns.
 */
import { performance } from 'node:perf_hooks';
import { redactConfigSchema } from './config.js';
import { Redactor } from './redactor.js';

const TYPICAL = [
  'Back-off restarting failed container nginx in pod web-7d9c8b6f5-x2x9k_default(3f8a2b1c-4d5e-6f70-8a9b-0c1d2e3f4a5b)',
  'Successfully assigned default/web-7d9c8b6f5-x2x9k to node-1',
  'Pulling image "registry.example.com/team/app:v2.3.1"',
  '0/3 nodes are available: 1 node(s) had untolerated taint {node.kubernetes.io/not-ready: }, 2 Insufficient cpu. preemption: 0/3 nodes are available.',
  'MountVolume.SetUp failed for volume "pvc-1a2b3c4d" : rpc error: code = DeadlineExceeded desc = context deadline exceeded',
  'Created container nginx',
];
const SECRETS = [
  'Readiness probe failed: Get "http://10.1.2.3:8080/ready": dial tcp 10.1.2.3:8080: connect: connection refused',
  'webhook call to https://admin:pa55word@hooks.example.com failed, Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.abc_DEF-ghi',
  'config password=hunter2 apikey=AKIAIOSFODNN7EXAMPLE contact ops@example.com via 2001:db8::ff00:42:8329',
];
const ADVERSARIAL = [
  'a'.repeat(20_000) + '@',
  '1.'.repeat(10_000),
  'a:'.repeat(10_000),
  'password'.repeat(2_000),
  'Ab1'.repeat(7_000),
  '-----BEGIN PRIVATE KEY-----' + 'x'.repeat(20_000),
];

function run(label: string, redactor: Redactor, texts: string[], iterations: number): void {
  for (let i = 0; i < Math.min(iterations, 2_000); i++) redactor.redactText(texts[i % texts.length]!); // warm-up
  const start = performance.now();
  let chars = 0;
  for (let i = 0; i < iterations; i++) {
    const t = texts[i % texts.length]!;
    chars += t.length;
    redactor.redactText(t);
  }
  const ms = performance.now() - start;
  console.log(`redact ${label}: ${iterations} notes in ${ms.toFixed(1)} ms, ${((ms * 1e6) / iterations).toFixed(0)} ns/note, ${((chars / ms) * 1000 / 1e6).toFixed(1)} MB/s`);
}

const iterations = Number(process.argv[2] ?? 100_000);
const redactor = new Redactor(redactConfigSchema.parse({}));
run('typical (nothing to mask)', redactor, TYPICAL, iterations);
run('with secrets', redactor, SECRETS, iterations);
run('adversarial 20 kB', redactor, ADVERSARIAL, Math.max(60, Math.floor(iterations / 1000)));
