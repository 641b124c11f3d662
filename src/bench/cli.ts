import { QUICK_BENCH, benchConfigSchema, parsePhases, type BenchConfig } from './config.js';
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
  /** `name=value` sizes and rates (fields of {@link benchConfigSchema}). */
  set?: string[];
}

/** Parses `--set name=value` pairs into benchmark sizes; throws naming a bad pair or field. */
export function parseSizes(pairs: readonly string[]): Partial<BenchConfig> {
  const sizes: Record<string, number> = {};
  for (const pair of pairs) {
    const [name, value, ...rest] = pair.split('=');
    if (!name || value === undefined || rest.length > 0 || value.trim() === '' || !Number.isFinite(Number(value))) {
      throw new Error(`--set ${pair}: expected name=number, e.g. normalRatePerSecond=1000`);
    }
    if (!(name in benchConfigSchema.shape)) throw new Error(`--set ${pair}: unknown size '${name}'; choose from ${Object.keys(benchConfigSchema.shape).join(', ')}`);
    sizes[name] = Number(value);
  }
  const parsed = benchConfigSchema.partial().safeParse(sizes);
  if (!parsed.success) throw new Error(`--set: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  // the schema fills in defaults: keep only what was set, so --quick's sizes still apply
  return Object.fromEntries(Object.entries(parsed.data).filter(([name]) => name in sizes)) as Partial<BenchConfig>;
}

/**
 * `eventide bench`: runs the benchmark, prints the table (or `--json`), progress on stderr.
 * `EVENTIDE_BENCH_CHURN_SECONDS` adds the long churn run to the memory phase;
 * `EVENTIDE_BENCH_CONFIG` (JSON) is merged into the sidecar's config for what-if runs.
 */
export async function benchCommand(opts: BenchCommandOptions): Promise<void> {
  const phases = parsePhases(opts.only);
  const sizes = parseSizes(opts.set ?? []);
  const churnSeconds = Number(process.env['EVENTIDE_BENCH_CHURN_SECONDS'] ?? 0);
  const overrides = process.env['EVENTIDE_BENCH_CONFIG'];
  const report = await runBenchmark({
    phases,
    ...(overrides ? { sidecarOverrides: JSON.parse(overrides) as Record<string, unknown> } : {}),
    quick: opts.quick ?? false,
    config: { ...(opts.quick ? QUICK_BENCH : {}), ...(Number.isFinite(churnSeconds) && churnSeconds > 0 ? { churnSeconds } : {}), ...sizes },
    progress: (line) => process.stderr.write(`bench: ${line}\n`),
  });
  process.stdout.write(opts.json ? `${JSON.stringify(report, null, 2)}\n` : `${renderReport(report)}\n`);
}
