import { z } from 'zod';

/** The benchmark's phases, in the order they run. */
export const BENCH_PHASES = ['ceiling', 'throughput', 'latency', 'normal-rate', 'memory'] as const;
/** One phase of the benchmark. */
export type BenchPhase = (typeof BENCH_PHASES)[number];

/** Sizes and rates of a benchmark run. `benchConfigSchema.parse({})` is the full run. */
export const benchConfigSchema = z.object({
  throughputEvents: z
    .number()
    .int()
    .positive()
    .default(102_400)
    .describe(
      'Records of the ceiling run and Events of the throughput runs. Default 102400 (--quick 10240): whole 512-record batches, so neither side ends on a partial batch (the ceiling flushes its last one at once, the sidecar, which cannot know the burst ended, waits up to export.batch.scheduledDelayMillis for it).',
    ),
  objects: z.number().int().positive().default(1000).describe('Distinct pods the throughput, latency and normal-rate Events are about. Default 1000.'),
  latencyRatePerSecond: z.number().int().positive().default(15_000).describe('Offered rate of the latency run, events per second. Default 15000.'),
  latencySeconds: z.number().positive().default(10).describe('Length of the latency run, seconds. Default 10 (--quick 2).'),
  latencyWarmupSeconds: z.number().min(0).default(2).describe('Seconds of the latency run\'s stream before the measured ones, unmeasured, so the measurement starts in the steady state (not with the first read pause after a quiet watch, see source.readCoalesce). Default 2 (--quick 0).'),
  rateLeadOutSeconds: z
    .number()
    .min(0)
    .default(1)
    .describe(
      'Seconds a rate run (latency, normal rate) streams on after its measured Events, unmeasured, so the last measured ones leave in the steady state rather than in a partial batch at the end of a burst (which waits up to export.batch.scheduledDelayMillis). Default 1 (--quick 0).',
    ),
  normalRatePerSecond: z.number().int().positive().default(300).describe('Offered rate of the cost run, events per second. Default 300.'),
  normalSeconds: z.number().positive().default(30).describe('Length of the cost run, seconds (CPU measured over it after a warm-up). Default 30 (--quick 3).'),
  normalFillEvents: z
    .number()
    .int()
    .min(0)
    .default(100_000)
    .describe(
      "Distinct Events streamed through the sidecar (at normalFillRatePerSecond) before the cost run, so that it measures a sidecar whose per-Event state is full (dedupe, checkpoint and correlation hold 100,000 Events by default: ~5.5 minutes of 300 new Events/s), as one that has run for a while is, rather than a fresh one. 0 skips it. Default 100000 (--quick 0).",
    ),
  normalFillRatePerSecond: z.number().int().positive().default(2000).describe('Rate of the fill before the cost run, events per second (a rate the sidecar keeps up with at its normal heap settings, rather than a burst whose garbage is still being collected in the measured window). Default 2000.'),
  normalWarmupSeconds: z.number().min(0).default(10).describe('Seconds at the normal rate before the cost run is measured, so it shows the steady state of a long-running sidecar rather than its JIT warm-up. Default 10 (--quick 0).'),
  memoryObjects: z.number().int().positive().default(100_000).describe('Distinct objects (pods, one Event each) of the memory run. Default 100000 (--quick 10000).'),
  churnSeconds: z.number().min(0).default(0).describe('Length of the churn run after the memory run, seconds; 0 skips it. Default 0 (env EVENTIDE_BENCH_CHURN_SECONDS).'),
  churnRatePerSecond: z.number().int().positive().default(2000).describe('Event rate of the churn run, events per second, round-robin over memoryObjects. Default 2000.'),
  churnSampleSeconds: z.number().positive().default(10).describe('RSS sampling period of the churn run, seconds. Default 10.'),
  harnessNice: z
    .number()
    .int()
    .min(0)
    .max(19)
    .default(10)
    .describe(
      'Nice value given to every thread of the simulator and the receiver (the load generator and the collector stand-in), so that on the machine they share with the process under test their bursts and garbage collections yield to it, as on a cluster, where the API server and the Collector run elsewhere. The stock pipeline of the ceiling run and the sidecar run at normal priority alike. 0 keeps them at normal priority. Default 10.',
    ),
  warmupEvents: z.number().int().min(1).default(1000).describe('Events sent and awaited before a timed rate run starts. Default 1000.'),
  timeoutSeconds: z.number().positive().default(300).describe('Longest wait for the receiver to get everything in one run, seconds. Default 300.'),
});

/** Benchmark sizes (see {@link benchConfigSchema}). */
export type BenchConfig = z.infer<typeof benchConfigSchema>;

/** The sizes of `--quick`: a smoke test of the benchmark, figures not meaningful. */
export const QUICK_BENCH: Partial<BenchConfig> = { throughputEvents: 10_240, latencySeconds: 2, latencyWarmupSeconds: 0, rateLeadOutSeconds: 0, normalSeconds: 3, normalWarmupSeconds: 0, normalFillEvents: 0, memoryObjects: 10_000, warmupEvents: 200 };

/** Parses `--only a,b` into phases; throws naming the unknown ones. */
export function parsePhases(only: string | undefined): BenchPhase[] {
  if (!only) return [...BENCH_PHASES];
  const names = only.split(',').map((s) => s.trim()).filter((s) => s !== '');
  const unknown = names.filter((n) => !(BENCH_PHASES as readonly string[]).includes(n));
  if (unknown.length > 0) throw new Error(`--only: unknown phase ${unknown.join(', ')}; choose from ${BENCH_PHASES.join(', ')}`);
  return BENCH_PHASES.filter((p) => names.includes(p));
}
