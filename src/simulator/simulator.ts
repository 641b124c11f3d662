import type { z } from 'zod';
import type { Clock } from '../model/time.js';
import { systemClock } from '../model/time.js';
import { startApiServer } from './apiserver.js';
import type { ApiServerHandle } from './apiserver.js';
import { ObjectStore } from './store.js';
import { Rng } from './rng.js';
import { simulatorConfigSchema } from './config.js';
import type { SimulatorConfig } from './config.js';
import { SimulationEngine } from './engine.js';
import type { GroundTruthIncident } from './incidents.js';

/** Options of {@link startSimulator}: any subset of {@link SimulatorConfig}, plus server and clock options. */
export type SimulatorOptions = z.input<typeof simulatorConfigSchema> & {
  /** Port of the API server. Default 0 (any free port). */
  port?: number;
  /** Bearer token the API server requires. Default none (not checked). */
  token?: string;
  /** Wall clock for timer-driven mode. Default the system clock. */
  wallClock?: Clock;
  /** Timer period of timer-driven mode, wall ms. Default 50. */
  tickMillis?: number;
};

/** A running simulator: API server, cluster and event generator. */
export interface SimulatorHandle {
  /** The API server (store, faults, kubeconfig). */
  api: ApiServerHandle;
  /** The parsed configuration in force. */
  config: SimulatorConfig;
  /** Writes `count` Events synchronously on sim time; returns Events written. */
  generate(count: number): number;
  /** Starts timer-driven generation at `eventsPerSecond` (sim time follows wall time × timeCompression). */
  start(): void;
  /** Stops timer-driven generation. */
  stop(): void;
  /** Event writes so far. */
  emitted(): number;
  /** Ground truth of injected incidents (finished and running). */
  incidents(): GroundTruthIncident[];
  /** Current simulated time, epoch ms. */
  simNow(): number;
  /** Stops generation, flushes ground truth, closes the API server. */
  close(): Promise<void>;
}

/** Starts the API server, writes the seeded cluster into it, and returns the generator handle (not yet running). */
export async function startSimulator(options: SimulatorOptions = {}): Promise<SimulatorHandle> {
  const { port, token, wallClock, tickMillis, ...rest } = options;
  const config = simulatorConfigSchema.parse(rest);
  const wall = wallClock ?? systemClock;
  const startMs = config.startTimeMs > 0 ? config.startTimeMs : wall.now();
  const uidRng = new Rng(config.seed ^ 0x0a11ce);
  const ref: { engine?: SimulationEngine } = {};
  // creationTimestamp follows sim time (the engine is built after the store it writes to).
  const simClock: Clock = { now: () => ref.engine?.simNow() ?? startMs };
  const store = new ObjectStore({ historySize: config.historySize, clock: simClock, uidFactory: () => uidRng.uuid() });
  const engine = new SimulationEngine(store, config, startMs);
  ref.engine = engine;
  const api = await startApiServer({
    store,
    servesEventsV1: config.servesEventsV1,
    bookmarkIntervalMillis: config.bookmarkIntervalMillis,
    ...(port !== undefined ? { port } : {}),
    ...(token !== undefined ? { token } : {}),
  });

  let timer: NodeJS.Timeout | undefined;
  let liveStartWall = 0;
  let liveStartSim = 0;
  let liveEmitted = 0;
  const period = tickMillis ?? 50;

  const tick = (): void => {
    const elapsed = wall.now() - liveStartWall;
    const due = Math.min(Math.floor((config.eventsPerSecond * elapsed) / 1000) - liveEmitted, Math.max(1, config.eventsPerSecond * 5));
    const target = liveStartSim + config.timeCompression * elapsed;
    if (due > 0) {
      liveEmitted += engine.advanceTo(target, due);
    }
  };

  let closing: Promise<void> | undefined;
  const handle: SimulatorHandle = {
    api,
    config,
    generate: (count) => engine.generate(count),
    start() {
      if (timer) return;
      liveStartWall = wall.now();
      liveStartSim = engine.simNow();
      liveEmitted = 0;
      timer = setInterval(tick, period);
    },
    stop() {
      if (timer) clearInterval(timer);
      timer = undefined;
    },
    emitted: () => engine.emitted(),
    incidents: () => engine.incidents(),
    simNow: () => engine.simNow(),
    close() {
      closing ??= (async () => {
        handle.stop();
        engine.flushOpenIncidents();
        await api.close();
      })();
      return closing;
    },
  };
  return handle;
}
