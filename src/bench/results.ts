import type { LatencySummary } from './histogram.js';

/** Delivery counts of one run. */
export interface DeliveryCounts {
  /** Events written by the simulator (or records emitted, for the ceiling). */
  offered: number;
  /** Distinct stamped records the receiver got. */
  received: number;
  /** offered − received. */
  lost: number;
  /** Records received more than once. */
  duplicates: number;
}

/** Throughput of one run: records per second from start to the last acknowledgement. */
export interface ThroughputResult extends DeliveryCounts {
  recordsPerSecond: number;
  seconds: number;
  /**
   * CPU time of the process under test (all its threads) per record delivered, µs: less
   * sensitive than records/s to other processes sharing the machine, so A/B comparisons use it.
   */
  cpuMicrosPerRecord: number;
  /** Export requests the receiver answered during the run (records per request = received / requests). */
  requests: number;
  /** CPU of the process under test over the run (all its threads), percent of one core. */
  cpuPercent: number;
  /** Share of the run its main thread was busy, 0–1: below 1, it waited (for input or for acknowledgements). */
  eventLoopUtilization: number;
  /** CPU of the receiver over the run, percent of one core. */
  receiverCpuPercent: number;
  /**
   * CPU of the simulator (the load generator) over the run, percent of one core; eventide runs
   * only. With the receiver's and the sidecar's it tells whether the machine's cores were the limit.
   */
  simulatorCpuPercent?: number;
}

/** A run at a fixed offered rate. */
export interface RateResult extends DeliveryCounts {
  offeredPerSecond: number;
  seconds: number;
  latency: LatencySummary;
  /** CPU of the sidecar process over the run, percent of one core. */
  cpuPercent: number;
  /** Largest RSS of the sidecar process sampled during the run, MiB. */
  rssMiB: number;
  /** Distinct Events streamed through the sidecar before the run to fill its per-Event state (normal rate; 0 or absent: none). */
  filledEvents?: number;
  /**
   * Share of the run the sidecar's event loop (its main thread) was busy, 0–1
   * (`performance.eventLoopUtilization()`): the headroom left for bursts, which `cpuPercent`
   * (all threads: GC helpers, gzip) does not show.
   */
  eventLoopUtilization: number;
  /**
   * CPU over the run of the simulator (the load generator: store, watch serialization) and of the
   * receiver, percent of one core: they share the machine with the sidecar.
   */
  simulatorCpuPercent: number;
  receiverCpuPercent: number;
}

/** RSS after a number of distinct objects, and the churn run's samples. */
export interface MemoryResult extends DeliveryCounts {
  objects: number;
  rssMiB: number;
  heapUsedMiB: number;
  /** The objects' Events were in the simulator before the sidecar started (a restart's backlog, read by a paginated list): seconds from sidecar start to the last record received. */
  backlogSeconds: number;
  /**
   * Churn run: samples (seconds since churn start; RSS, V8 heap used and reserved, and external
   * memory (ArrayBuffers, Buffers), MiB; CPU % of one core since the previous sample); empty when not run.
   */
  churn: { seconds: number; rssMiB: number; heapUsedMiB: number; heapTotalMiB: number; externalMiB: number; cpuPercent: number }[];
  /** Churn run: events written over it. */
  churnEvents: number;
  /** Churn run: largest RSS of the last third over the largest of the middle third (≤ 1.1 is a plateau); null when not run. */
  plateauRatio: number | null;
}

/** One target of the issue and whether this run met it. */
export interface TargetResult {
  name: string;
  /** The requirement, in words. */
  target: string;
  /** The measured figure, in words. */
  measured: string;
  /** 'pass', 'fail', or 'n/a' when it cannot be measured yet (and why, in measured). */
  verdict: 'pass' | 'fail' | 'n/a';
}

/** Everything `eventide bench` reports; `--json` prints this object. */
export interface BenchReport {
  /** Machine and run description. */
  machine: { cpus: number; cpuModel: string; node: string; platform: string; totalMemMiB: number };
  quick: boolean;
  startedAt: string;
  /** Config merged into every sidecar run (`EVENTIDE_BENCH_CONFIG`); {} for the defaults. */
  sidecarOverrides: Record<string, unknown>;
  /** Nice value of the simulator's and the receiver's threads (`harnessNice`). */
  harnessNice: number;
  /** Harness threads that could not be given that nice value (0 when it took everywhere). */
  harnessNiceFailures: number;
  /** Detector `enabled` flags switched on for the detectors-on runs. */
  detectors: string[];
  /**
   * The stock pipeline's figure the ratios are taken against: with the throughput phase, its runs
   * before and after the eventide runs taken together ({@link combineThroughput}), so a machine
   * that speeds up or slows down during the run does not favour either side; else its one run.
   */
  ceiling?: ThroughputResult;
  /** Each ceiling run, in order (two with the throughput phase: before and after it). */
  ceilingRuns?: ThroughputResult[];
  throughputDetectorsOff?: ThroughputResult;
  throughputDetectorsOn?: ThroughputResult;
  latency?: RateResult;
  normalRate?: RateResult;
  memory?: MemoryResult;
  targets: TargetResult[];
}

/**
 * Throughput runs of the same pipeline taken as one: counts and requests added, records/s as all
 * records over all seconds, CPU per record weighted by records, percentages weighted by seconds.
 */
export function combineThroughput(runs: readonly ThroughputResult[]): ThroughputResult {
  if (runs.length === 0) throw new Error('combineThroughput: no runs');
  if (runs.length === 1) return runs[0]!;
  const sum = (pick: (run: ThroughputResult) => number): number => runs.reduce((total, run) => total + pick(run), 0);
  const seconds = sum((run) => run.seconds);
  const received = sum((run) => run.received);
  const bySeconds = (pick: (run: ThroughputResult) => number): number => sum((run) => pick(run) * run.seconds) / seconds;
  const combined: ThroughputResult = {
    offered: sum((run) => run.offered),
    received,
    lost: sum((run) => run.lost),
    duplicates: sum((run) => run.duplicates),
    seconds,
    recordsPerSecond: received / seconds,
    cpuMicrosPerRecord: sum((run) => run.cpuMicrosPerRecord * run.received) / Math.max(1, received),
    requests: sum((run) => run.requests),
    cpuPercent: bySeconds((run) => run.cpuPercent),
    eventLoopUtilization: bySeconds((run) => run.eventLoopUtilization),
    receiverCpuPercent: bySeconds((run) => run.receiverCpuPercent),
  };
  if (runs.every((run) => run.simulatorCpuPercent !== undefined)) combined.simulatorCpuPercent = bySeconds((run) => run.simulatorCpuPercent!);
  return combined;
}
