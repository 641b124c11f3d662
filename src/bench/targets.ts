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
  /** RSS at the normal rate without the LSTM, MiB. */
  normalRssMiB: 150,
  /** RSS with the LSTM, MiB. */
  lstmRssMiB: 256,
} as const;

const fixed = (n: number, digits = 0): string => n.toFixed(digits);
const verdict = (ok: boolean): 'pass' | 'fail' => (ok ? 'pass' : 'fail');

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
      target: `< ${TARGETS.normalRssMiB} MiB`,
      measured: `${fixed(n.rssMiB)} MiB${n.filledEvents ? ` (per-Event state filled by ${n.filledEvents} distinct Events)` : ''}`,
      verdict: verdict(n.rssMiB < TARGETS.normalRssMiB),
    });
    out.push({
      name: `RSS at ${n.offeredPerSecond} events/s, with LSTM`,
      target: `< ${TARGETS.lstmRssMiB} MiB`,
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
