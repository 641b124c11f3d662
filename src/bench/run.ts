import { cpus, totalmem } from 'node:os';
import { type BenchConfig, type BenchPhase, BENCH_PHASES, benchConfigSchema } from './config.js';
import { deepMerge, detectorSwitch } from './detectors.js';
import { type BenchChild, type ProcessUsage, forkBenchChild, lowerPriority } from './ipc.js';
import type { ReceiverStats } from './receiver-child.js';
import { combineThroughput, type BenchReport, type DeliveryCounts, type MemoryResult, type RateResult, type ThroughputResult } from './results.js';
import { evaluateTargets } from './targets.js';

/** Options of {@link runBenchmark}. */
export interface RunBenchmarkOptions {
  /** Sizes; unset fields take {@link benchConfigSchema}'s defaults. */
  config?: Partial<BenchConfig>;
  /** Phases to run. Default all. */
  phases?: readonly BenchPhase[];
  /** Marks the report as a `--quick` run. Default false. */
  quick?: boolean;
  /** Config deep-merged into every sidecar run, under the detector switches (what-if runs). Default none. */
  sidecarOverrides?: Record<string, unknown>;
  /** Progress lines (e.g. to stderr). Default none. */
  progress?: (line: string) => void;
}

const MIB = 1024 * 1024;
/** First sequence number of the normal-rate fill: far above any run's, so its Events have names of their own. */
const FILL_FIRST_SEQ = 1_000_000_000;

/** The parts of one eventide run: simulator, sidecar process, and the shared receiver. */
interface EventideRun {
  sim: BenchChild;
  worker: BenchChild;
  kubeconfigYaml: string;
  /** The worker's usage just before the sidecar was started in it. */
  usageAtStart: ProcessUsage;
}

function counts(offered: number, stats: ReceiverStats): DeliveryCounts {
  return { offered, received: stats.distinct, lost: Math.max(0, offered - stats.distinct), duplicates: stats.duplicates };
}

/** Usage before and after a throughput run: of the process under test, the receiver and (eventide runs) the simulator. */
interface RunUsage {
  tested: [ProcessUsage, ProcessUsage];
  receiver: [ProcessUsage, ProcessUsage];
  simulator?: [ProcessUsage, ProcessUsage];
}

function throughput(offered: number, stats: ReceiverStats, startedAtMillis: number, usage: RunUsage): ThroughputResult {
  const seconds = Math.max(0.001, (stats.lastArrivalMillis - startedAtMillis) / 1000);
  // percentages over the run from its start: the processes idled while the simulator built its Events
  const fromStart = ([a, b]: [ProcessUsage, ProcessUsage]): [ProcessUsage, ProcessUsage] => [{ ...a, atMillis: Math.max(a.atMillis, startedAtMillis) }, b];
  const [before, after] = fromStart(usage.tested);
  const result: ThroughputResult = {
    ...counts(offered, stats),
    seconds,
    recordsPerSecond: stats.distinct / seconds,
    cpuMicrosPerRecord: (after.cpuMicros - before.cpuMicros) / Math.max(1, stats.distinct),
    requests: stats.requests,
    cpuPercent: cpuPercent(before, after),
    eventLoopUtilization: eventLoopUtilization(before, after),
    receiverCpuPercent: cpuPercent(...fromStart(usage.receiver)),
  };
  if (usage.simulator) result.simulatorCpuPercent = cpuPercent(...usage.simulator);
  return result;
}

function cpuPercent(a: ProcessUsage, b: ProcessUsage): number {
  const wallMicros = Math.max(1, (b.atMillis - a.atMillis) * 1000);
  return ((b.cpuMicros - a.cpuMicros) / wallMicros) * 100;
}

/** Share of the wall time between two samples that the event loop was busy, 0–1. */
function eventLoopUtilization(a: ProcessUsage, b: ProcessUsage): number {
  return Math.min(1, Math.max(0, (b.eventLoopActiveMillis - a.eventLoopActiveMillis) / Math.max(1, b.atMillis - a.atMillis)));
}

/**
 * Runs the benchmark of docs/performance.md: a receiver process shared by every run, and for
 * each run a fresh simulator process and a fresh process under test (stock pipeline or
 * sidecar). Returns the figures and each target's verdict.
 */
export async function runBenchmark(options: RunBenchmarkOptions = {}): Promise<BenchReport> {
  const config = benchConfigSchema.parse(options.config ?? {});
  const phases = new Set(options.phases ?? BENCH_PHASES);
  const progress = options.progress ?? ((): void => undefined);
  const timeoutMillis = config.timeoutSeconds * 1000;
  const base = options.sidecarOverrides ?? {};
  const on = detectorSwitch(true);
  const off = detectorSwitch(false);
  on.overrides = deepMerge(base, on.overrides);
  off.overrides = deepMerge(base, off.overrides);
  const report: BenchReport = {
    machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model ?? 'unknown', node: process.version, platform: `${process.platform}-${process.arch}`, totalMemMiB: Math.round(totalmem() / MIB) },
    quick: options.quick ?? false,
    startedAt: new Date().toISOString(),
    detectors: on.switched,
    sidecarOverrides: base,
    harnessNice: config.harnessNice,
    harnessNiceFailures: 0,
    targets: [],
  };
  /** Gives a harness process (simulator, receiver) the lower priority, once its threads are up. */
  const yieldToTestedProcess = (child: BenchChild): void => {
    if (config.harnessNice > 0) report.harnessNiceFailures += lowerPriority(child.pid, config.harnessNice).failed;
  };

  const receiver = forkBenchChild('receiver-child');
  const children = new Set<BenchChild>([receiver]);
  const fork = (name: 'simulator-child' | 'worker-child'): BenchChild => {
    const child = forkBenchChild(name);
    children.add(child);
    return child;
  };
  const close = async (...list: BenchChild[]): Promise<void> => {
    for (const child of list) {
      children.delete(child);
      await child.close();
    }
  };
  const waitFor = (distinct: number): Promise<ReceiverStats> => receiver.request<ReceiverStats>('waitFor', { distinct, timeoutMillis });

  const startEventide = async (objects: number, overrides: Record<string, unknown>, preload: number): Promise<EventideRun & { startedAtMillis: number }> => {
    const sim = fork('simulator-child');
    const { kubeconfigYaml } = await sim.request<{ kubeconfigYaml: string }>('start', { objects });
    yieldToTestedProcess(sim);
    if (preload > 0) await sim.request('stream', { firstSeq: 0, count: preload, objects, ratePerSecond: 0, keepEvents: 0 });
    await receiver.request('reset');
    const worker = fork('worker-child');
    const usageAtStart = await worker.request<ProcessUsage>('usage');
    const { startedAtMillis } = await worker.request<{ startedAtMillis: number }>('startSidecar', { kubeconfigYaml, endpoint, overrides });
    return { sim, worker, kubeconfigYaml, startedAtMillis, usageAtStart };
  };

  /**
   * `count` Events from sequence number `firstSeq` through the watch at `ratePerSecond` (0: as
   * fast as the sidecar reads), all delivered, unmeasured; then the receiver forgets them. The
   * simulator keeps the newest `keepEvents` of them (0: all).
   */
  const deliverUnmeasured = async (run: EventideRun, firstSeq: number, count: number, ratePerSecond: number, keepEvents: number): Promise<void> => {
    const streamed = run.sim.request('stream', { firstSeq, count, objects: config.objects, ratePerSecond, keepEvents });
    await Promise.all([streamed, waitFor(count)]);
    await receiver.request('reset');
  };

  /** `warmupEvents` through the watch, delivered; then the receiver forgets them. */
  const warmUp = (run: EventideRun): Promise<void> => deliverUnmeasured(run, 0, config.warmupEvents, 0, 0);

  /**
   * `count` distinct Events (sequence numbers of their own, far above the runs') at
   * `ratePerSecond`: the sidecar's per-Event state holds them up to its bounds; the simulator
   * keeps only the newest 20,000.
   */
  const fill = (run: EventideRun, count: number, ratePerSecond: number): Promise<void> => deliverUnmeasured(run, FILL_FIRST_SEQ, count, ratePerSecond, Math.min(count, 20_000));

  /**
   * Warm-up, then one stream at `ratePerSecond`: `warmupSeconds` of it unmeasured, then `seconds`
   * measured, then `rateLeadOutSeconds` unmeasured (the receiver counts and times only the
   * measured Events; one stream, so the measured part starts in the steady state rather than
   * after a pause, and ends in it rather than in the last partial batch of a burst). CPU is
   * taken from the first measured record's arrival to the end of the stream and the last
   * measured record's arrival, RSS sampled each second meanwhile.
   */
  const rateRun = async (run: EventideRun, ratePerSecond: number, seconds: number, warmupSeconds: number): Promise<RateResult> => {
    await warmUp(run);
    const warmup = Math.round(ratePerSecond * warmupSeconds);
    const count = Math.round(ratePerSecond * seconds);
    const leadOut = Math.round(ratePerSecond * config.rateLeadOutSeconds);
    const fromSeq = config.warmupEvents + warmup;
    await receiver.request('reset', { fromSeq, toSeq: fromSeq + count });
    const streamed = run.sim.request<{ written: number; millis: number }>('stream', {
      firstSeq: config.warmupEvents,
      count: warmup + count + leadOut,
      objects: config.objects,
      ratePerSecond,
      keepEvents: 0,
      prebuilt: true,
    });
    await waitFor(1);
    const usage = (): Promise<[ProcessUsage, ProcessUsage, ProcessUsage]> =>
      Promise.all([run.worker.request<ProcessUsage>('usage'), run.sim.request<ProcessUsage>('usage'), receiver.request<ProcessUsage>('usage')]);
    const first = await usage();
    let peakRss = first[0].rssBytes;
    const sampler = setInterval(() => {
      run.worker.request<ProcessUsage>('usage').then(
        (u) => (peakRss = Math.max(peakRss, u.rssBytes)),
        () => undefined,
      );
    }, 1000);
    try {
      const [written, stats] = await Promise.all([streamed, waitFor(count)]);
      const last = await usage();
      peakRss = Math.max(peakRss, last[0].rssBytes);
      return {
        ...counts(Math.min(count, Math.max(0, written.written - warmup)), stats),
        offeredPerSecond: ratePerSecond,
        seconds: Math.max(0, written.millis / 1000 - warmupSeconds - config.rateLeadOutSeconds),
        latency: stats.latency,
        cpuPercent: cpuPercent(first[0], last[0]),
        rssMiB: peakRss / MIB,
        eventLoopUtilization: eventLoopUtilization(first[0], last[0]),
        simulatorCpuPercent: cpuPercent(first[1], last[1]),
        receiverCpuPercent: cpuPercent(first[2], last[2]),
      };
    } finally {
      clearInterval(sampler);
    }
  };

  const { endpoint } = await receiver.request<{ endpoint: string }>('start');
  yieldToTestedProcess(receiver);
  try {
    const ceilingRun = async (which: string): Promise<void> => {
      progress(`ceiling${which}: stock OpenTelemetry JS pipeline, ${config.throughputEvents} records`);
      const worker = fork('worker-child');
      await worker.request('prepareCeiling', { endpoint, count: config.throughputEvents, objects: config.objects });
      await receiver.request('reset');
      const before = await Promise.all([worker.request<ProcessUsage>('usage'), receiver.request<ProcessUsage>('usage')]);
      const run = await worker.request<{ startedAtMillis: number }>('runCeiling');
      const stats = await waitFor(config.throughputEvents);
      const after = await Promise.all([worker.request<ProcessUsage>('usage'), receiver.request<ProcessUsage>('usage')]);
      (report.ceilingRuns ??= []).push(throughput(config.throughputEvents, stats, run.startedAtMillis, { tested: [before[0], after[0]], receiver: [before[1], after[1]] }));
      report.ceiling = combineThroughput(report.ceilingRuns);
      await close(worker);
    };
    // with the eventide runs, the ceiling brackets them (before and after), so drift of the machine cancels
    const bracketed = phases.has('ceiling') && phases.has('throughput');
    if (phases.has('ceiling')) await ceilingRun(bracketed ? ' (1 of 2, before the eventide runs)' : '');
    if (phases.has('throughput')) {
      for (const [label, detectors] of [['off', off], ['on', on]] as const) {
        progress(`throughput: eventide, detectors ${label}, ${config.throughputEvents} events`);
        const run = await startEventide(config.objects, detectors.overrides, 0);
        await warmUp(run);
        const before = await Promise.all([run.worker.request<ProcessUsage>('usage'), receiver.request<ProcessUsage>('usage')]);
        const streamed = run.sim.request<{ startedAtMillis: number; usageAtStart: ProcessUsage }>('stream', { firstSeq: config.warmupEvents, count: config.throughputEvents, objects: config.objects, ratePerSecond: 0, keepEvents: 0, prebuilt: true });
        const [{ startedAtMillis, usageAtStart }, stats] = await Promise.all([streamed, waitFor(config.throughputEvents)]);
        const after = await Promise.all([run.worker.request<ProcessUsage>('usage'), receiver.request<ProcessUsage>('usage'), run.sim.request<ProcessUsage>('usage')]);
        const result = throughput(config.throughputEvents, stats, startedAtMillis, { tested: [before[0], after[0]], receiver: [before[1], after[1]], simulator: [usageAtStart, after[2]] });
        if (label === 'off') report.throughputDetectorsOff = result;
        else report.throughputDetectorsOn = result;
        await run.worker.request('stopSidecar');
        await close(run.worker, run.sim);
      }
    }
    if (bracketed) await ceilingRun(' (2 of 2, after the eventide runs)');
    if (phases.has('latency')) {
      progress(`latency: ${config.latencyRatePerSecond} events/s offered, ${config.latencyWarmupSeconds} s unmeasured, then ${config.latencySeconds} s measured, detectors on`);
      const run = await startEventide(config.objects, on.overrides, 0);
      report.latency = await rateRun(run, config.latencyRatePerSecond, config.latencySeconds, config.latencyWarmupSeconds);
      await run.worker.request('stopSidecar');
      await close(run.worker, run.sim);
    }
    if (phases.has('normal-rate')) {
      const filled = config.normalFillEvents;
      progress(
        `normal rate: ${filled > 0 ? `${filled} distinct events at ${config.normalFillRatePerSecond} events/s to fill the per-Event state, then ` : ''}${config.normalRatePerSecond} events/s for ${config.normalWarmupSeconds} s unmeasured, then ${config.normalSeconds} s measured, detectors on`,
      );
      const run = await startEventide(config.objects, on.overrides, 0);
      if (filled > 0) await fill(run, filled, config.normalFillRatePerSecond);
      report.normalRate = { ...(await rateRun(run, config.normalRatePerSecond, config.normalSeconds, config.normalWarmupSeconds)), filledEvents: filled };
      await run.worker.request('stopSidecar');
      await close(run.worker, run.sim);
    }
    if (phases.has('memory')) {
      progress(`memory: ${config.memoryObjects} distinct objects, detectors on${config.churnSeconds > 0 ? `, then ${config.churnSeconds} s of churn` : ''}`);
      report.memory = await memoryRun(config, startEventide, waitFor, on.overrides, progress);
    }
  } finally {
    await close(...children);
  }
  report.targets = evaluateTargets(report);
  return report;
}

async function memoryRun(
  config: BenchConfig,
  startEventide: (objects: number, overrides: Record<string, unknown>, preload: number) => Promise<EventideRun & { startedAtMillis: number }>,
  waitFor: (distinct: number) => Promise<ReceiverStats>,
  overrides: Record<string, unknown>,
  progress: (line: string) => void,
): Promise<MemoryResult> {
  const objects = config.memoryObjects;
  const run = await startEventide(objects, overrides, objects);
  try {
    const stats = await waitFor(objects);
    const after = await run.worker.request<ProcessUsage>('usage');
    const result: MemoryResult = {
      ...counts(objects, stats),
      objects,
      rssMiB: after.rssBytes / MIB,
      heapUsedMiB: after.heapUsedBytes / MIB,
      backlogSeconds: (stats.lastArrivalMillis - run.startedAtMillis) / 1000,
      churn: [],
      churnEvents: 0,
      plateauRatio: null,
    };
    if (config.churnSeconds > 0) {
      const count = Math.round(config.churnRatePerSecond * config.churnSeconds);
      const startedMillis = Date.now();
      let previous = await run.worker.request<ProcessUsage>('usage');
      const sample = async (): Promise<void> => {
        const u = await run.worker.request<ProcessUsage>('usage');
        const point = {
          seconds: Math.round((u.atMillis - startedMillis) / 1000),
          rssMiB: u.rssBytes / MIB,
          heapUsedMiB: u.heapUsedBytes / MIB,
          heapTotalMiB: u.heapTotalBytes / MIB,
          externalMiB: u.externalBytes / MIB,
          cpuPercent: cpuPercent(previous, u),
        };
        previous = u;
        result.churn.push(point);
        progress(
          `churn: ${point.seconds} s, RSS ${point.rssMiB.toFixed(0)} MiB, heap ${point.heapUsedMiB.toFixed(0)} MiB (of ${point.heapTotalMiB.toFixed(0)}), external ${point.externalMiB.toFixed(0)} MiB, CPU ${point.cpuPercent.toFixed(1)}%`,
        );
      };
      const sampler = setInterval(() => void sample().catch(() => undefined), config.churnSampleSeconds * 1000);
      try {
        const streamed = await run.sim.request<{ written: number }>('stream', {
          firstSeq: objects,
          count,
          objects,
          ratePerSecond: config.churnRatePerSecond,
          keepEvents: Math.min(objects, 20_000),
        });
        result.churnEvents = streamed.written;
      } finally {
        clearInterval(sampler);
      }
      await sample();
      result.plateauRatio = plateauRatio(result.churn.map((p) => p.rssMiB));
    }
    return result;
  } finally {
    await run.worker.request('stopSidecar').catch(() => undefined);
  }
}

/** Largest of the last third of `samples` over the largest of the middle third; null with fewer than 3. Pure. */
export function plateauRatio(samples: readonly number[]): number | null {
  if (samples.length < 3) return null;
  const third = Math.floor(samples.length / 3);
  const middle = samples.slice(third, samples.length - third);
  const last = samples.slice(samples.length - third);
  return Math.max(...last) / Math.max(...middle);
}
