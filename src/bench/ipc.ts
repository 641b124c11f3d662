import { type ChildProcess, fork } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { setPriority } from 'node:os';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { RUN_ENV, RUN_NODE_FLAGS } from '../cli/node-flags.js';

/** A request sent to a benchmark child process. */
interface RequestMessage {
  id: number;
  command: string;
  args: unknown;
}

/** The answer of a child to one request. */
interface ResponseMessage {
  id: number;
  ok: boolean;
  result?: unknown;
  error?: string;
}

/** The benchmark's child processes, each a script next to this module. */
export type BenchChildName = 'receiver-child' | 'simulator-child' | 'worker-child';

/**
 * Node flags of the process under test: those `eventide run` runs with ({@link RUN_NODE_FLAGS}),
 * `--cpu-prof` when `EVENTIDE_BENCH_CPU_PROF` names a folder (each worker child writes a
 * `.cpuprofile` there when it exits), then the space-separated `EVENTIDE_BENCH_NODE_FLAGS` (V8
 * and Node flags for what-if runs; a later flag wins).
 */
export function cpuProfileArgs(name: BenchChildName, env: NodeJS.ProcessEnv = process.env): string[] {
  if (name !== 'worker-child') return [];
  const dir = env['EVENTIDE_BENCH_CPU_PROF'];
  const extra = (env['EVENTIDE_BENCH_NODE_FLAGS'] ?? '').split(/\s+/).filter((flag) => flag !== '');
  return [...RUN_NODE_FLAGS, ...(dir ? ['--cpu-prof', '--cpu-prof-dir', dir] : []), ...extra];
}

/** Environment of a child: the process under test gets the one `eventide run` runs with ({@link RUN_ENV}; a value already set wins), the others this process's. */
export function childEnv(name: BenchChildName, env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  return name === 'worker-child' ? { ...RUN_ENV, ...env } : env;
}

/** A forked benchmark child answering requests over IPC. */
export interface BenchChild {
  /** Process id. */
  pid: number;
  /** Sends `command` with `args` and resolves with the child's result (rejects with its error). */
  request<T>(command: string, args?: unknown): Promise<T>;
  /** Ends the child (disconnects, so it exits by itself and writes a CPU profile; SIGKILL after 5 s) and resolves when it has exited. */
  close(): Promise<void>;
}

/**
 * Forks a child script of src/bench: `<name>.ts` through tsx when this module runs from
 * TypeScript sources, `<name>.js` when it runs compiled from dist/.
 */
export function forkBenchChild(name: BenchChildName, extraExecArgv: string[] = cpuProfileArgs(name)): BenchChild {
  const fromSources = import.meta.url.endsWith('.ts');
  const script = fileURLToPath(new URL(`./${name}${fromSources ? '.ts' : '.js'}`, import.meta.url));
  const child: ChildProcess = fork(script, [], {
    execArgv: [...(fromSources ? ['--import', 'tsx'] : []), ...extraExecArgv],
    env: childEnv(name),
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  let nextId = 1;
  const pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  let exited = false;
  const exit = new Promise<void>((resolve) => {
    child.once('exit', (code, signal) => {
      exited = true;
      for (const { reject } of pending.values()) reject(new Error(`bench child ${name} exited (${signal ?? code})`));
      pending.clear();
      resolve();
    });
  });
  child.on('message', (message: ResponseMessage) => {
    const waiter = pending.get(message.id);
    if (!waiter) return;
    pending.delete(message.id);
    if (message.ok) waiter.resolve(message.result);
    else waiter.reject(new Error(`${name}: ${message.error ?? 'failed'}`));
  });
  return {
    pid: child.pid ?? 0,
    request<T>(command: string, args?: unknown): Promise<T> {
      if (exited) return Promise.reject(new Error(`bench child ${name} has exited`));
      const id = nextId++;
      return new Promise<T>((resolve, reject) => {
        pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
        const message: RequestMessage = { id, command, args };
        child.send(message);
      });
    },
    async close() {
      if (exited) return;
      if (child.connected) child.disconnect();
      else child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exit;
      clearTimeout(timer);
    },
  };
}

/** Handlers of a child: command name → async function of its args. */
export type RequestHandlers = Record<string, (args: never) => Promise<unknown> | unknown>;

/** In a child: answers the parent's requests with `handlers`; exits when the parent goes away. */
export function serveRequests(handlers: RequestHandlers): void {
  process.on('disconnect', () => process.exit(0));
  process.on('message', (message: RequestMessage) => {
    const handler = handlers[message.command] as ((args: unknown) => Promise<unknown> | unknown) | undefined;
    const reply = (response: Omit<ResponseMessage, 'id'>): void => {
      process.send?.({ id: message.id, ...response });
    };
    if (!handler) {
      reply({ ok: false, error: `unknown command ${message.command}` });
      return;
    }
    Promise.resolve()
      .then(() => handler(message.args))
      .then(
        (result) => reply({ ok: true, result }),
        (error: unknown) => reply({ ok: false, error: error instanceof Error ? (error.stack ?? error.message) : String(error) }),
      );
  });
}

/** CPU and memory of a process at one instant. */
export interface ProcessUsage {
  /** Wall clock, epoch ms. */
  atMillis: number;
  /** User + system CPU time since the process started, microseconds. */
  cpuMicros: number;
  /** Resident set size, bytes. */
  rssBytes: number;
  /** V8 heap in use, bytes. */
  heapUsedBytes: number;
  /** V8 heap reserved (what RSS holds of it at most), bytes. */
  heapTotalBytes: number;
  /** Memory outside the V8 heap held by JS objects (ArrayBuffers, Buffers: malloc's part), bytes. */
  externalBytes: number;
  /** Time the event loop was busy (not waiting for I/O or timers) since the process started, ms. */
  eventLoopActiveMillis: number;
}

/**
 * Sets the nice value of every thread of process `pid` (its Node main thread, V8's and libuv's
 * worker threads: on Linux a nice value belongs to a thread, and threads started later inherit
 * the main thread's). Reads the threads from `/proc/<pid>/task`; where there is no such folder,
 * sets the process's. Best effort: returns how many threads were reniced and how many refused.
 */
export function lowerPriority(pid: number, nice: number): { reniced: number; failed: number } {
  let threads: number[];
  try {
    threads = readdirSync(`/proc/${pid}/task`).map(Number).filter((tid) => Number.isInteger(tid));
  } catch {
    threads = [pid];
  }
  let reniced = 0;
  let failed = 0;
  for (const tid of threads) {
    try {
      setPriority(tid, nice);
      reniced++;
    } catch {
      // the thread ended meanwhile, or the OS refused
      failed++;
    }
  }
  return { reniced, failed };
}

/** This process's usage now. */
export function processUsage(): ProcessUsage {
  const cpu = process.cpuUsage();
  const memory = process.memoryUsage();
  return {
    atMillis: Date.now(),
    cpuMicros: cpu.user + cpu.system,
    rssBytes: memory.rss,
    heapUsedBytes: memory.heapUsed,
    heapTotalBytes: memory.heapTotal,
    externalBytes: memory.external,
    eventLoopActiveMillis: performance.eventLoopUtilization().active,
  };
}
