/**
 * Benchmark child: an OTLP/gRPC logs receiver in its own process. It keeps no records: it
 * counts them, marks each stamped sequence number seen (to tell loss from duplicates), and
 * puts arrival − sent into a bounded latency histogram.
 */
import * as grpc from '@grpc/grpc-js';
import { LatencyHistogram, type LatencySummary } from './histogram.js';
import { processUsage, serveRequests } from './ipc.js';
import { forEachLogBody, rawLogsExportService } from './otlp-wire.js';
import { nowMicros, parseStamp } from './stamp.js';

/** What the receiver has seen since the last reset. */
export interface ReceiverStats {
  /** Records received, stamped or not (findings included). */
  records: number;
  /** Distinct stamped sequence numbers received. */
  distinct: number;
  /** Stamped records received again. */
  duplicates: number;
  /** Export requests answered. */
  requests: number;
  /** Requests that could not be parsed. */
  malformed: number;
  /** Arrival of the first and last request since reset, epoch ms (0 when none). */
  firstArrivalMillis: number;
  lastArrivalMillis: number;
  /** Send → arrival latency of stamped records. */
  latency: LatencySummary;
}


let seen = new Uint8Array(1 << 16);
/** Stamped records outside [fromSeq, toSeq) are counted as records only (a rate run's unmeasured lead-in and lead-out). */
let fromSeq = 0;
let toSeq = Number.POSITIVE_INFINITY;
let histogram = new LatencyHistogram();
let stats = emptyStats();
const waiters = new Set<() => void>();

function emptyStats(): Omit<ReceiverStats, 'latency'> {
  return { records: 0, distinct: 0, duplicates: 0, requests: 0, malformed: 0, firstArrivalMillis: 0, lastArrivalMillis: 0 };
}

function markSeen(seq: number): boolean {
  if (seq >= seen.length) {
    const grown = new Uint8Array(Math.max(seen.length * 2, seq + 1));
    grown.set(seen);
    seen = grown;
  }
  if (seen[seq] === 1) return false;
  seen[seq] = 1;
  return true;
}

function onExport(request: Buffer): void {
  const arrivalMicros = nowMicros();
  stats.requests++;
  if (stats.firstArrivalMillis === 0) stats.firstArrivalMillis = arrivalMicros / 1000;
  stats.lastArrivalMillis = arrivalMicros / 1000;
  try {
    forEachLogBody(request, (body) => {
      stats.records++;
      const stamp = parseStamp(body);
      if (!stamp || stamp.seq < fromSeq || stamp.seq >= toSeq) return;
      if (!markSeen(stamp.seq)) {
        stats.duplicates++;
        return;
      }
      stats.distinct++;
      histogram.record((arrivalMicros - stamp.sentMicros) / 1000);
    });
  } catch {
    stats.malformed++;
  }
  for (const wake of waiters) wake();
}

function snapshot(): ReceiverStats {
  return { ...stats, latency: histogram.summary() };
}

/** The answer handed to the service, which serializes every answer as an empty response. */
const NO_RESPONSE = Buffer.alloc(0);

const server = new grpc.Server({ 'grpc.max_receive_message_length': 64 * 1024 * 1024 });
server.addService(rawLogsExportService, {
  Export: (call: grpc.ServerUnaryCall<Buffer, Buffer>, callback: grpc.sendUnaryData<Buffer>) => {
    onExport(call.request);
    callback(null, NO_RESPONSE);
  },
});

serveRequests({
  start: async (): Promise<{ endpoint: string }> => {
    const port = await new Promise<number>((resolve, reject) => {
      server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (error, bound) => (error ? reject(error) : resolve(bound)));
    });
    return { endpoint: `http://127.0.0.1:${port}` };
  },
  /** Forgets everything; from now on only stamps in [`fromSeq`, `toSeq`) (default: all) are counted and timed. */
  reset: (args?: { fromSeq?: number; toSeq?: number }) => {
    fromSeq = args?.fromSeq ?? 0;
    toSeq = args?.toSeq ?? Number.POSITIVE_INFINITY;
    seen = new Uint8Array(1 << 16);
    histogram = new LatencyHistogram();
    stats = emptyStats();
    return true;
  },
  stats: () => snapshot(),
  usage: () => processUsage(),
  /** Resolves when `distinct` stamped records arrived, or after `timeoutMillis` with what arrived. */
  waitFor: (args: { distinct: number; timeoutMillis: number }) =>
    new Promise<ReceiverStats>((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        waiters.delete(check);
        resolve(snapshot());
      };
      const check = (): void => {
        if (stats.distinct >= args.distinct) done();
      };
      const timer = setTimeout(done, args.timeoutMillis);
      waiters.add(check);
      check();
    }),
});
