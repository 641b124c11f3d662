import { QUICK_BENCH, parsePhases } from './config.js';
import { runBenchmark } from './run.js';
import { renderReport } from './table.js';

/** Options of `eventide bench`. */
export interface BenchCommandOptions {
  /** Print one JSON object instead of the table. */
  json?: boolean;
  /** Smoke-test sizes. */
  quick?: boolean;
  /** Comma-separated phases: ceiling,throughput,latency,normal-rate,memory. */
  only?: string;
}

/**
 * `eventide bench`: runs the benchmark, prints the table (or `--json`), progress on stderr.
 * `EVENTIDE_BENCH_CHURN_SECONDS` adds the long churn run to the memory phase;
 * `EVENTIDE_BENCH_CONFIG` (JSON) is merged into the sidecar's config for what-if runs.
 */
export async function benchCommand(opts: BenchCommandOptions): Promise<void> {
  const phases = parsePhases(opts.only);
  const churnSeconds = Number(process.env['EVENTIDE_BENCH_CHURN_SECONDS'] ?? 0);
  const overrides = process.env['EVENTIDE_BENCH_CONFIG'];
  const report = await runBenchmark({
    phases,
    ...(overrides ? { sidecarOverrides: JSON.parse(overrides) as Record<string, unknown> } : {}),
    quick: opts.quick ?? false,
    config: { ...(opts.quick ? QUICK_BENCH : {}), ...(Number.isFinite(churnSeconds) && churnSeconds > 0 ? { churnSeconds } : {}) },
    progress: (line) => process.stderr.write(`bench: ${line}\n`),
  });
  process.stdout.write(opts.json ? `${JSON.stringify(report, null, 2)}\n` : `${renderReport(report)}\n`);
}
