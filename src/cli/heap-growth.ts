import v8 from 'node:v8';

/** The V8 flag the governor sets; 0 is V8's own, dynamic growing factor. */
const FLAG = '--heap-growing-percent';
/** Old-generation growth while the process is mostly idle: 1.2 × what survived the last full GC. */
export const LEAN_HEAP_GROWING_PERCENT = 20;

/** How the old generation may grow between full GCs. */
export type HeapMode = 'lean' | 'v8';

/** Options of {@link HeapGrowthGovernor}. */
export interface HeapGrowthOptions {
  /** CPU use (percent of one core, all threads, over the last interval) from which the process counts as busy. Default 25. */
  busyPercent?: number;
  /** Milliseconds between looks at the CPU use. Default 1000. */
  intervalMillis?: number;
}

/** What the governor reads and sets; injected by tests. */
export interface HeapGrowthDeps {
  /** CPU time of the process so far, microseconds (`process.cpuUsage()`, user + system). */
  cpuMicros: () => number;
  /** Monotonic milliseconds. */
  nowMillis: () => number;
  /** Sets a V8 flag (`v8.setFlagsFromString`). */
  setFlags: (flag: string) => void;
}

/**
 * Keeps the V8 heap tight while the sidecar is mostly idle and lets V8 size it while busy.
 *
 * After a full GC V8 lets the old generation grow by a factor it picks from how fast the GC is
 * against how fast the program allocates: up to 4 × for a small heap. At a cluster's normal
 * rate a sidecar allocates slowly and steadily, so its heap grew to several times its live
 * state before the next full GC: with 200,000 Events' state (~55 MiB live) RSS swung between
 * 240 and 360 MiB. A fixed factor of 1.2 (`--heap-growing-percent=20`) kept it at 175–200 MiB at
 * no measurable CPU cost at 300 Events/s, but cost 25–30% more CPU per Event at full speed
 * (more full GCs while records in flight are promoted quickly). So the factor is 1.2 while the
 * process used less than `busyPercent` of a core over the last interval, and V8's own when it
 * used more (docs/performance.md, "Fifth pass"). The flag is read at each full GC, so setting
 * it on a running process takes effect at the next one.
 */
export class HeapGrowthGovernor {
  private mode: HeapMode | undefined;
  private lastCpuMicros: number;
  private lastMillis: number;
  private readonly busyPercent: number;
  private readonly intervalMillis: number;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly deps: HeapGrowthDeps,
    options: HeapGrowthOptions = {},
  ) {
    this.busyPercent = options.busyPercent ?? 25;
    this.intervalMillis = options.intervalMillis ?? 1000;
    this.lastCpuMicros = deps.cpuMicros();
    this.lastMillis = deps.nowMillis();
  }

  /** The mode now; undefined before {@link start}. */
  current(): HeapMode | undefined {
    return this.mode;
  }

  /** Sets the lean mode and looks at the CPU use every interval (an unref'd timer). */
  start(): void {
    this.set('lean');
    this.timer ??= setInterval(() => this.tick(), this.intervalMillis);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** One look: CPU use since the last look picks the mode; the flag is set only when it changes. */
  tick(): HeapMode {
    const cpu = this.deps.cpuMicros();
    const now = this.deps.nowMillis();
    const wallMicros = Math.max(1, (now - this.lastMillis) * 1000);
    const percent = ((cpu - this.lastCpuMicros) / wallMicros) * 100;
    this.lastCpuMicros = cpu;
    this.lastMillis = now;
    return this.set(percent >= this.busyPercent ? 'v8' : 'lean');
  }

  private set(mode: HeapMode): HeapMode {
    if (mode !== this.mode) {
      this.deps.setFlags(`${FLAG}=${mode === 'lean' ? LEAN_HEAP_GROWING_PERCENT : 0}`);
      this.mode = mode;
    }
    return mode;
  }
}

/**
 * Starts a {@link HeapGrowthGovernor} for this process (`eventide run`, the benchmark's process
 * under test), unless node's command line already sets `--heap-growing-percent` (a what-if run
 * such as `node --heap-growing-percent=50 bin/eventide.js run` keeps its value).
 */
export function startHeapGrowthGovernor(execArgv: readonly string[] = process.execArgv): HeapGrowthGovernor | undefined {
  if (execArgv.some((arg) => arg === FLAG || arg.startsWith(`${FLAG}=`))) return undefined;
  const governor = new HeapGrowthGovernor({
    cpuMicros: () => {
      const usage = process.cpuUsage();
      return usage.user + usage.system;
    },
    nowMillis: () => performance.now(),
    setFlags: (flag) => v8.setFlagsFromString(flag),
  });
  governor.start();
  return governor;
}
