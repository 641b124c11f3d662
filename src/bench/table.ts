import Table from 'cli-table3';
import type { LatencySummary } from './histogram.js';
import type { BenchReport, DeliveryCounts, ThroughputResult } from './results.js';

const n0 = (n: number): string => Math.round(n).toLocaleString('en-US');
const ms = (l: LatencySummary): string => `${l.p50Millis.toFixed(1)} / ${l.p95Millis.toFixed(1)} / ${l.p99Millis.toFixed(1)}`;
const delivery = (d: DeliveryCounts): string => `${n0(d.received)}/${n0(d.offered)}${d.lost ? `, lost ${n0(d.lost)}` : ''}${d.duplicates ? `, dup ${n0(d.duplicates)}` : ''}`;

/** The report as two text tables: figures, then targets. */
export function renderReport(report: BenchReport): string {
  const m = report.machine;
  const lines = [
    `eventide bench${report.quick ? ' --quick (smoke sizes: figures not meaningful)' : ''} — ${m.cpus} × ${m.cpuModel}, ${n0(m.totalMemMiB)} MiB, node ${m.node}, ${report.startedAt}`,
    ...(Object.keys(report.sidecarOverrides).length > 0 ? [`sidecar config overrides: ${JSON.stringify(report.sidecarOverrides)}`] : []),
    `simulator and receiver at nice ${report.harnessNice}${report.harnessNiceFailures > 0 ? ` (${report.harnessNiceFailures} of their threads could not be reniced)` : ''}`,
    `detectors on = ${report.detectors.length > 0 ? report.detectors.join(', ') : 'none found'} (isolation forest, LSTM, drift: not built yet)`,
  ];
  const figures = new Table({ head: ['run', 'figure', 'delivered', 'detail'] });
  const ceiling = report.ceiling?.recordsPerSecond;
  const cpu = (run: ThroughputResult): string =>
    `, CPU ${run.cpuMicrosPerRecord.toFixed(1)} µs/record, ${n0(run.received / Math.max(1, run.requests))} records/request; CPU % of a core: ${run.cpuPercent.toFixed(0)} (event loop ${run.eventLoopUtilization.toFixed(2)}), ` +
    `${run.simulatorCpuPercent !== undefined ? `simulator ${run.simulatorCpuPercent.toFixed(0)}, ` : ''}receiver ${run.receiverCpuPercent.toFixed(0)}`;
  if (report.ceiling) {
    const runs = report.ceilingRuns ?? [];
    const each = runs.length > 1 ? ` (runs before and after the eventide runs: ${runs.map((run) => n0(run.recordsPerSecond)).join(' and ')} records/s)` : '';
    figures.push(['ceiling: stock OTel JS pipeline', `${n0(report.ceiling.recordsPerSecond)} records/s`, delivery(report.ceiling), `${report.ceiling.seconds.toFixed(2)} s${cpu(report.ceiling)}${each}`]);
  }
  for (const [label, run] of [
    ['eventide, detectors off', report.throughputDetectorsOff],
    ['eventide, every detector on', report.throughputDetectorsOn],
  ] as const) {
    if (run) figures.push([label, `${n0(run.recordsPerSecond)} events/s`, delivery(run), `${run.seconds.toFixed(2)} s${ceiling ? `, ${(run.recordsPerSecond / ceiling).toFixed(2)} × ceiling` : ''}${cpu(run)}`]);
  }
  for (const [label, run] of [
    ['latency', report.latency],
    ['normal rate', report.normalRate],
  ] as const) {
    if (run) {
      figures.push([
        `${label}: ${n0(run.offeredPerSecond)} events/s offered${run.filledEvents ? ` (after ${n0(run.filledEvents)} distinct events filled the per-Event state)` : ''}`,
        `p50/p95/p99 ${ms(run.latency)} ms`,
        delivery(run),
        `CPU ${run.cpuPercent.toFixed(1)}% of a core, event loop ${(100 * run.eventLoopUtilization).toFixed(0)}% busy, RSS ${n0(run.rssMiB)} MiB (simulator ${run.simulatorCpuPercent.toFixed(0)}%, receiver ${run.receiverCpuPercent.toFixed(0)}% of a core)`,
      ]);
    }
  }
  if (report.memory) {
    const mem = report.memory;
    figures.push([`memory: ${n0(mem.objects)} distinct objects`, `RSS ${n0(mem.rssMiB)} MiB`, delivery(mem), `heap ${n0(mem.heapUsedMiB)} MiB; backlog listed and delivered in ${mem.backlogSeconds.toFixed(2)} s (${n0(mem.objects / Math.max(0.001, mem.backlogSeconds))} events/s)`]);
    if (mem.churn.length > 0) {
      const series = mem.churn.map((p) => `${p.seconds}s:${n0(p.rssMiB)} MiB/${p.cpuPercent.toFixed(1)}%`).join(' ');
      figures.push([`churn: ${n0(mem.churnEvents)} events`, `plateau ${mem.plateauRatio?.toFixed(2) ?? '-'}`, '', series]);
    }
  }
  const targets = new Table({ head: ['target', 'required', 'measured', 'verdict'] });
  for (const t of report.targets) targets.push([t.name, t.target, t.measured, t.verdict.toUpperCase()]);
  return [...lines, figures.toString(), targets.toString()].join('\n');
}
