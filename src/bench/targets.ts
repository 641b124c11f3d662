import type { BenchReport, TargetResult } from './results.js';

/** The issue's targets. */
export const TARGETS = {
  /** eventide with detectors off, as a fraction of the ceiling. */
  detectorsOffRatio: 0.7,
  /** eventide with every detector on, as a fraction of the ceiling. */
  detectorsOnRatio: 0.5,
  /** p99 latency at the offered rate, milliseconds. */
  p99Millis: 200,
  /** CPU at the normal rate, percent of one core. */
  normalCpuPercent: 5,
  /** RSS at the normal rate without the LSTM: the issue's 150 MB, read as 10^6 bytes (143.05 MiB), the stricter of the two readings. */
  normalRssMiB: 150e6 / 2 ** 20,
  /** RSS with the LSTM: 256 MB as 10^6 bytes (244.14 MiB). */
  lstmRssMiB: 256e6 / 2 ** 20,
} as const;

const fixed = (n: number, digits = 0): string => n.toFixed(digits);
const verdict = (ok: boolean): 'pass' | 'fail' => (ok ? 'pass' : 'fail');
/** A target in MiB as the issue gives it, in MB, with the MiB it is checked against. */
const megabytes = (mib: number): string => `${fixed((mib * 2 ** 20) / 1e6)} MB (${fixed(mib, 2)} MiB)`;

/** Each target of the issue with this report's figure and verdict. Pure. */
export function evaluateTargets(report: BenchReport): TargetResult[] {
  const out: TargetResult[] = [];
  const ceiling = report.ceiling?.recordsPerSecond;
  for (const [name, run, ratio] of [
    ['throughput, detectors off', report.throughputDetectorsOff, TARGETS.detectorsOffRatio],
    ['throughput, every detector on', report.throughputDetectorsOn, TARGETS.detectorsOnRatio],
  ] as const) {
    if (!run || !ceiling) continue;
    const measured = run.recordsPerSecond / ceiling;
    out.push({
      name,
      target: `≥ ${ratio} × ceiling, nothing lost`,
      measured: `${fixed(measured, 2)} × (${fixed(run.recordsPerSecond)} / ${fixed(ceiling)} records/s), lost ${run.lost}`,
      verdict: verdict(measured >= ratio && run.lost === 0),
    });
  }
  if (report.latency) {
    const l = report.latency;
    out.push({
      name: `latency at ${l.offeredPerSecond} events/s`,
      target: `nothing lost, p99 ≤ ${TARGETS.p99Millis} ms`,
      measured: `lost ${l.lost}, p99 ${fixed(l.latency.p99Millis, 1)} ms`,
      verdict: verdict(l.lost === 0 && l.latency.p99Millis <= TARGETS.p99Millis),
    });
  }
  if (report.normalRate) {
    const n = report.normalRate;
    out.push({
      name: `CPU at ${n.offeredPerSecond} events/s`,
      target: `< ${TARGETS.normalCpuPercent}% of one core`,
      measured: `${fixed(n.cpuPercent, 2)}%`,
      verdict: verdict(n.cpuPercent < TARGETS.normalCpuPercent),
    });
    out.push({
      name: `RSS at ${n.offeredPerSecond} events/s, no LSTM`,
      target: `< ${megabytes(TARGETS.normalRssMiB)}`,
      measured: `${fixed(n.rssMiB)} MiB${n.filledEvents ? ` (per-Event state filled by ${n.filledEvents} distinct Events)` : ''}`,
      verdict: verdict(n.rssMiB < TARGETS.normalRssMiB),
    });
    out.push({
      name: `RSS at ${n.offeredPerSecond} events/s, with LSTM`,
      target: `< ${megabytes(TARGETS.lstmRssMiB)}`,
      measured: 'no LSTM detector exists yet',
      verdict: 'n/a',
    });
  }
  if (report.memory?.plateauRatio != null) {
    const m = report.memory;
    out.push({
      name: `RSS plateau, ${m.objects} objects churning`,
      target: 'last third of the run ≤ 1.1 × middle third',
      measured: `${fixed(m.plateauRatio ?? 0, 2)} × (max ${fixed(Math.max(...m.churn.map((p) => p.rssMiB)))} MiB)`,
      verdict: verdict((m.plateauRatio ?? Infinity) <= 1.1),
    });
  }
  return out;
}
