/**
 * Benchmark child: the simulated Kubernetes API (src/simulator) in its own process, serving a
 * watch stream of Events written into its store at a requested rate or all at once. Its
 * events.k8s.io/v1 watch lines are rendered from pieces of text per shape of Event
 * (`event-render.ts`): the same bytes as the generic serialization, at less CPU.
 */
import { startApiServer, type ApiServerHandle } from '../simulator/apiserver.js';
import { coreEventToEventsV1 } from '../simulator/eventconv.js';
import type { KubeObject } from '../simulator/resources.js';
import { ObjectStore } from '../simulator/store.js';
import { eventJsonRenderer } from './event-render.js';
import { processUsage, serveRequests, type ProcessUsage } from './ipc.js';
import { nowMicros } from './stamp.js';
import { benchEvent, benchEventTemplate, benchNodeObjects, benchPodObject, stampBenchEvent, type BenchEventTemplate, type JsonObject } from './workload.js';

/** Timer period of rate-driven writes, milliseconds. */
const TICK_MILLIS = 5;

/** Events written per loop turn when writing as fast as possible. */
const BURST_CHUNK = 500;

/** Writing as fast as possible waits while watchers have more than this unread (about 4,000 Events). */
const BURST_AHEAD_BYTES = 4 * 1024 * 1024;

let api: ApiServerHandle | undefined;
/** Renders checked against the generic path: the first ones and then one in {@link CHECK_EVERY}. */
let renders = 0;
const CHECK_FIRST = 64;
const CHECK_EVERY = 1024;

/**
 * The simulator's `servedJson`: the events.k8s.io/v1 JSON of an Event (this process writes only
 * benchmark Events), checked now and then against the conversion and `JSON.stringify`.
 */
function servedJson(group: string, stored: KubeObject): string | undefined {
  if (group !== 'events.k8s.io') return undefined;
  const json = eventJsonRenderer(stored)(stored);
  if (renders++ < CHECK_FIRST || renders % CHECK_EVERY === 0) {
    const generic = JSON.stringify(coreEventToEventsV1(stored));
    if (json !== generic) throw new Error(`rendered watch JSON differs from the generic one:\n${json}\n${generic}`);
  }
  return json;
}
const store = new ObjectStore({ historySize: 200_000, copyInputs: false });
/** Names of the Events written, oldest first, for churn deletion. */
const written: { namespace: string; name: string }[] = [];
let writtenHead = 0;
let pods = 0;

/** Event `seq` (or its template built ahead), stamped now. */
function build(seq: number, objects: number, template: BenchEventTemplate | undefined): JsonObject {
  const sent = nowMicros();
  return template ? stampBenchEvent(template, sent, Math.floor(sent / 1000)) : benchEvent(seq, objects, sent, Math.floor(sent / 1000));
}

function write(event: JsonObject, keepEvents: number): void {
  store.create('events', event);
  const meta = event['metadata'] as { namespace: string; name: string };
  if (keepEvents > 0) {
    written.push(meta);
    while (written.length - writtenHead > keepEvents) {
      const old = written[writtenHead++]!;
      store.delete('events', old.namespace, old.name);
    }
    if (writtenHead > 100_000) {
      written.splice(0, writtenHead);
      writtenHead = 0;
    }
  }
}

function ensurePods(count: number): void {
  for (; pods < count; pods++) store.create('pods', benchPodObject(pods) as JsonObject);
}

/** Args of `stream`. */
interface StreamArgs {
  /** First sequence number. */
  firstSeq: number;
  /** Events to write. */
  count: number;
  /** Distinct pods the Events are about. */
  objects: number;
  /** Events per second; 0 writes them all at once. */
  ratePerSecond: number;
  /** Keep only the newest this many Events in the store (0: keep all). */
  keepEvents: number;
  /**
   * Build every Event before the first write and only stamp it (note and times) when it is
   * written, so the timed writes cost this process the store and the watch, not building objects
   * (and the objects are old by then, so storing them costs the young-generation GC no copying).
   * Default false (each Event built as it is written: runs too long to hold them all ahead).
   */
  prebuilt?: boolean;
}

serveRequests({
  start: async (args: { objects: number }): Promise<{ kubeconfigYaml: string }> => {
    for (const node of benchNodeObjects()) store.create('nodes', node);
    ensurePods(args.objects);
    // A watcher behind by more than the default 16 MiB is cut off, and its resumed watch replays
    // the whole backlog at once and is cut off again: the benchmark measures the sidecar, so
    // let a slow watcher fall behind in memory instead.
    api = await startApiServer({ store, bookmarkIntervalMillis: 1000, maxWatchBufferBytes: 4 * 1024 * 1024 * 1024, servedJson });
    return { kubeconfigYaml: api.kubeconfigYaml() };
  },
  /**
   * Writes `count` Events, at `ratePerSecond` or as fast as it can (in chunks with a loop turn
   * between them, so open watches are written to meanwhile); resolves with the wall time taken,
   * when it started (epoch ms) and this process's usage then (after building the Events ahead).
   */
  stream: (args: StreamArgs) =>
    new Promise<{ written: number; millis: number; startedAtMillis: number; usageAtStart: ProcessUsage }>((resolve, reject) => {
      ensurePods(args.objects);
      const prebuilt = args.prebuilt ? Array.from({ length: args.count }, (_, i) => benchEventTemplate(args.firstSeq + i, args.objects)) : undefined;
      const usageAtStart = processUsage();
      const started = Date.now();
      let done = 0;
      const writeUpTo = (target: number): void => {
        for (; done < Math.min(target, args.count); done++) write(build(args.firstSeq + done, args.objects, prebuilt?.[done]), args.keepEvents);
      };
      const finish = (): void => resolve({ written: done, millis: Date.now() - started, startedAtMillis: started, usageAtStart });
      if (args.ratePerSecond <= 0) {
        const chunk = (): void => {
          // Keep the watchers fed but not buried: building megabytes of unread watch lines costs
          // this process a core of copying and GC that the process under test then lacks.
          const behind = (api?.stats().watchBufferedBytes ?? 0) >= BURST_AHEAD_BYTES;
          if (!behind) {
            try {
              writeUpTo(done + BURST_CHUNK);
            } catch (error) {
              reject(error instanceof Error ? error : new Error(String(error)));
              return;
            }
          }
          if (done >= args.count) finish();
          else if (behind) setTimeout(chunk, 1);
          else setImmediate(chunk);
        };
        chunk();
        return;
      }
      const timer = setInterval(() => {
        try {
          writeUpTo(Math.floor((args.ratePerSecond * (Date.now() - started)) / 1000));
        } catch (error) {
          clearInterval(timer);
          reject(error instanceof Error ? error : new Error(String(error)));
          return;
        }
        if (done >= args.count) {
          clearInterval(timer);
          finish();
        }
      }, TICK_MILLIS);
    }),
  usage: () => processUsage(),
  stats: () => ({ events: store.count('events'), pods: store.count('pods'), api: api?.stats() }),
  close: async () => {
    await api?.close();
    return true;
  },
});
