import { Command, InvalidArgumentError, Option } from 'commander';
import { ConfigError } from '../config/load.js';
import { VERSION } from './version.js';

/** Exit status for a bad config or bad arguments. */
const EXIT_USAGE = 2;

function int(name: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isFinite(n) || n < 0) throw new InvalidArgumentError(`${name} must be a non-negative number`);
    return n;
  };
}

const program = new Command()
  .name('eventide')
  .description('Kubernetes Events → enrich, classify, correlate, redact → OTLP logs, with anomaly detection.')
  .version(VERSION)
  .showHelpAfterError();

program
  .command('run')
  .description('Run the sidecar: watch the cluster, export OTLP log records to the collector.')
  .option('-c, --config <file>', 'config file (YAML or JSON); defaults apply without one')
  .option('--kubeconfig <file>', 'kubeconfig to use instead of in-cluster / $KUBECONFIG / ~/.kube/config')
  .action(async (opts: { config?: string; kubeconfig?: string }) => {
    const { runCommand } = await import('./run.js');
    await runCommand(opts);
  });

program
  .command('replay')
  .description('Run the pipeline over a recorded NDJSON file of Events / watch events.')
  .argument('<file>', 'NDJSON file: one watch event or Event object per line')
  .option('-c, --config <file>', 'config file')
  .option('--speed <factor>', 'replay speed: 0 as fast as possible, 1 real time, 60 one minute per second', int('--speed'), 0)
  .action(async (file: string, opts: { config?: string; speed: number }) => {
    const { replayCommand } = await import('./run.js');
    await replayCommand(file, opts);
  });

program
  .command('simulate')
  .description('Serve a simulated cluster as a Kubernetes API on localhost, with realistic events and injected incidents.')
  .option('--port <port>', 'port (0: any free port)', int('--port'), 0)
  .option('--kubeconfig-out <file>', 'where to write a kubeconfig for the simulator', '.eventide/simulator.kubeconfig')
  .option('--rate <events/s>', 'events per second of wall time', int('--rate'), 50)
  .option('--compression <factor>', 'simulated seconds per wall second', int('--compression'), 60)
  .option('--seed <n>', 'random seed', int('--seed'), 1)
  .option('--duration <s>', 'stop after this many seconds (0: until Ctrl-C)', int('--duration'), 0)
  .option('--ground-truth <file>', 'NDJSON file for the injected incidents', '.eventide/ground-truth.ndjson')
  .addOption(new Option('--no-events-v1', 'do not serve events.k8s.io/v1 (clients fall back to core/v1)'))
  .action(async (opts: SimulateOptions) => {
    const { simulateCommand } = await import('./simulate.js');
    await simulateCommand(opts);
  });

program
  .command('demo')
  .description('The `npm start` demo: simulator + pipeline + local OTLP receiver + live terminal view.')
  .option('--rate <events/s>', 'simulated events per second', int('--rate'), 200)
  .option('--compression <factor>', 'simulated seconds per wall second', int('--compression'), 60)
  .option('--duration <s>', 'stop after this many seconds (0: until Ctrl-C)', int('--duration'), 0)
  .option('--seed <n>', 'random seed', int('--seed'), 1)
  .option('--output <file>', 'also write every OTLP record as a JSON line to this file')
  .option('--plain', 'print a status line instead of redrawing the screen')
  .action(async (opts: DemoOptions) => {
    const { demoCommand } = await import('./demo.js');
    await demoCommand(opts);
  });

program
  .command('validate-config')
  .description('Validate a config file and print the effective configuration.')
  .argument('<file>', 'config file')
  .action(async (file: string) => {
    const { loadConfig } = await import('../config/load.js');
    process.stdout.write(`${JSON.stringify(loadConfig(file), null, 2)}\n`);
  });

program
  .command('bench')
  .description('Benchmark eventide beside the stock OpenTelemetry JS pipeline; prints a table (or JSON).')
  .option('--json', 'print the results as JSON')
  .option('--quick', 'short runs (smoke test of the benchmark itself)')
  .option('--only <names>', 'comma-separated subset of: ceiling,throughput,latency,normal-rate,memory')
  .option('--set <size=value...>', 'benchmark sizes and rates, e.g. normalRatePerSecond=1000 latencySeconds=30 (fields in docs/performance.md)')
  .action(async (opts: { json?: boolean; quick?: boolean; only?: string; set?: string[] }) => {
    const { benchCommand } = await import('../bench/cli.js');
    await benchCommand(opts);
  });

program
  .command('config-reference')
  .description('Print the config file reference (every field, default and meaning) as Markdown.')
  .action(async () => {
    const { configReferenceMarkdown } = await import('../config/reference.js');
    process.stdout.write(configReferenceMarkdown());
  });

/** Options of `eventide simulate`. */
export interface SimulateOptions {
  port: number;
  kubeconfigOut: string;
  rate: number;
  compression: number;
  seed: number;
  duration: number;
  groundTruth: string;
  eventsV1: boolean;
}

/** Options of `eventide demo`. */
export interface DemoOptions {
  rate: number;
  compression: number;
  duration: number;
  seed: number;
  output?: string;
  plain?: boolean;
}

try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof ConfigError) {
    process.stderr.write(`eventide: ${err.message}\n`);
    process.exitCode = EXIT_USAGE;
  } else {
    process.stderr.write(`eventide: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  }
}
