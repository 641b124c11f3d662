import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import type { FlatLogRecord, PlainValue } from '../export/flat-record.js';

/** One log record as received, flattened with its resource and scope (see {@link FlatLogRecord}). */
export type ReceivedRecord = FlatLogRecord;

/** Options of {@link startOtlpReceiver}. */
export interface OtlpReceiverOptions {
  /** Interface to listen on. Default 127.0.0.1. */
  host?: string;
  /** Port; 0 picks a free one. Default 0. */
  port?: number;
  /** Serve TLS with this key pair; `ca` + `requireClientCert` ask for client certificates (mutual TLS). */
  tls?: { cert: Buffer; key: Buffer; ca?: Buffer; requireClientCert?: boolean };
  /** Answer every Export with this gRPC status until {@link OtlpReceiver.setFailure} changes it. */
  failWith?: grpc.status;
}

/** A running OTLP/gRPC logs receiver (test double of the Collector's otlp receiver). */
export interface OtlpReceiver {
  /** The port it listens on. */
  port: number;
  /** `http://HOST:PORT`, or `https://` with TLS. */
  endpoint: string;
  /** Records received so far (successful requests only), in arrival order. */
  records(): ReceivedRecord[];
  /** Export requests received, failed ones included. */
  requests(): number;
  /** gRPC metadata of each request received (e.g. `grpc-encoding`, custom headers). */
  requestMetadata(): Record<string, string>[];
  /** Resolves when `predicate(records)` holds (or `count` records arrived); rejects after `timeoutMillis`. */
  waitFor(condition: ((records: ReceivedRecord[]) => boolean) | number, timeoutMillis?: number): Promise<void>;
  /**
   * Fails the following Exports with `code` (all of them, or only the next `times`), or accepts
   * again when `code` is undefined: an outage, or a retryable failure that clears.
   */
  setFailure(code: grpc.status | undefined, times?: number): void;
  /** Holds every following Export unanswered until {@link resume} (a slow or stuck collector). */
  pause(): void;
  /** Answers the held Exports (with the current failure setting) and stops holding. */
  resume(): void;
  /** Forgets received records and counters. */
  clear(): void;
  close(): Promise<void>;
}

/** Folder of the vendored opentelemetry-proto files, found from the package root (works from src/ and dist/). */
export const OTLP_PROTO_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../../src/testkit/proto');

interface AnyValueMessage {
  value?: string;
  stringValue?: string;
  boolValue?: boolean;
  intValue?: string;
  doubleValue?: number;
  bytesValue?: Buffer;
  arrayValue?: { values?: AnyValueMessage[] };
  kvlistValue?: { values?: KeyValueMessage[] };
}
interface KeyValueMessage {
  key: string;
  value?: AnyValueMessage;
}
interface LogRecordMessage {
  timeUnixNano?: string;
  observedTimeUnixNano?: string;
  severityNumber?: number;
  severityText?: string;
  body?: AnyValueMessage;
  attributes?: KeyValueMessage[];
  eventName?: string;
}
interface ExportRequest {
  resourceLogs?: {
    resource?: { attributes?: KeyValueMessage[] };
    scopeLogs?: { scope?: { name?: string; version?: string }; logRecords?: LogRecordMessage[] }[];
  }[];
}

function toPlain(value: AnyValueMessage | undefined): PlainValue {
  if (!value || value.value === undefined) return null;
  switch (value.value) {
    case 'stringValue':
      return value.stringValue ?? '';
    case 'boolValue':
      return value.boolValue ?? false;
    case 'intValue': {
      const n = Number(value.intValue);
      return Number.isSafeInteger(n) ? n : (value.intValue ?? '0');
    }
    case 'doubleValue':
      return value.doubleValue ?? 0;
    case 'bytesValue':
      return (value.bytesValue ?? Buffer.alloc(0)).toString('base64');
    case 'arrayValue':
      return (value.arrayValue?.values ?? []).map(toPlain);
    case 'kvlistValue':
      return attributesToPlain(value.kvlistValue?.values);
    default:
      return null;
  }
}

function attributesToPlain(list: KeyValueMessage[] | undefined): Record<string, PlainValue> {
  const out: Record<string, PlainValue> = {};
  for (const kv of list ?? []) out[kv.key] = toPlain(kv.value);
  return out;
}

/** Flattens a decoded ExportLogsServiceRequest into records. */
export function flattenExportRequest(request: ExportRequest): ReceivedRecord[] {
  const out: ReceivedRecord[] = [];
  for (const resourceLogs of request.resourceLogs ?? []) {
    const resource = attributesToPlain(resourceLogs.resource?.attributes);
    for (const scopeLogs of resourceLogs.scopeLogs ?? []) {
      const scope = { name: scopeLogs.scope?.name ?? '', version: scopeLogs.scope?.version ?? '' };
      for (const log of scopeLogs.logRecords ?? []) {
        out.push({
          resource,
          scope,
          timeUnixNano: log.timeUnixNano ?? '0',
          observedTimeUnixNano: log.observedTimeUnixNano ?? '0',
          severityNumber: log.severityNumber ?? 0,
          severityText: log.severityText ?? '',
          body: toPlain(log.body),
          eventName: log.eventName ?? '',
          attributes: attributesToPlain(log.attributes),
        });
      }
    }
  }
  return out;
}

function loadLogsService(): grpc.ServiceDefinition {
  const definition = protoLoader.loadSync('opentelemetry/proto/collector/logs/v1/logs_service.proto', {
    includeDirs: [OTLP_PROTO_DIR],
    keepCase: false,
    longs: String,
    enums: Number,
    defaults: false,
    oneofs: true,
    bytes: Buffer,
  });
  const service = definition['opentelemetry.proto.collector.logs.v1.LogsService'];
  if (!service || !('Export' in service)) throw new Error(`LogsService not found in ${OTLP_PROTO_DIR}`);
  return service as grpc.ServiceDefinition;
}

/**
 * Starts a real gRPC server implementing `opentelemetry.proto.collector.logs.v1.LogsService/Export`,
 * decoding requests with the OTLP protobuf schema (gzip handled by gRPC). Listens on 127.0.0.1,
 * a free port, unless told otherwise. No test framework inside: `npm start` uses it too.
 */
export async function startOtlpReceiver(options: OtlpReceiverOptions = {}): Promise<OtlpReceiver> {
  const host = options.host ?? '127.0.0.1';
  let received: ReceivedRecord[] = [];
  let metadata: Record<string, string>[] = [];
  let requestCount = 0;
  let failure: grpc.status | undefined = options.failWith;
  let failuresLeft = Number.POSITIVE_INFINITY;
  let paused = false;
  let held: (() => void)[] = [];
  const watchers = new Set<() => void>();

  const answer = (request: ExportRequest, callback: grpc.sendUnaryData<object>): void => {
    if (failure !== undefined && failuresLeft > 0) {
      failuresLeft--;
      callback({ code: failure, details: `receiver set to fail with ${grpc.status[failure] ?? failure}` });
      return;
    }
    received = received.concat(flattenExportRequest(request));
    callback(null, {});
    for (const watcher of watchers) watcher();
  };

  const server = new grpc.Server();
  server.addService(loadLogsService(), {
    Export: (call: grpc.ServerUnaryCall<ExportRequest, object>, callback: grpc.sendUnaryData<object>) => {
      requestCount++;
      const headers: Record<string, string> = {};
      for (const [key, value] of Object.entries(call.metadata.getMap())) headers[key] = String(value);
      metadata.push(headers);
      if (paused) held.push(() => answer(call.request, callback));
      else answer(call.request, callback);
    },
  });

  const credentials = options.tls
    ? grpc.ServerCredentials.createSsl(options.tls.ca ?? null, [{ private_key: options.tls.key, cert_chain: options.tls.cert }], options.tls.requireClientCert ?? false)
    : grpc.ServerCredentials.createInsecure();
  const port = await new Promise<number>((resolvePort, reject) => {
    server.bindAsync(`${host}:${options.port ?? 0}`, credentials, (error, boundPort) => (error ? reject(error) : resolvePort(boundPort)));
  });

  return {
    port,
    endpoint: `${options.tls ? 'https' : 'http'}://${host}:${port}`,
    records: () => received.slice(),
    requests: () => requestCount,
    requestMetadata: () => metadata.slice(),
    waitFor(condition, timeoutMillis = 10_000) {
      const test = typeof condition === 'number' ? (r: ReceivedRecord[]) => r.length >= condition : condition;
      return new Promise<void>((resolveWait, reject) => {
        if (test(received)) return resolveWait();
        const check = (): void => {
          if (!test(received)) return;
          cleanup();
          resolveWait();
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`OTLP receiver: condition not met within ${timeoutMillis} ms (${received.length} records, ${requestCount} requests)`));
        }, timeoutMillis);
        const cleanup = (): void => {
          clearTimeout(timer);
          watchers.delete(check);
        };
        watchers.add(check);
      });
    },
    setFailure(code, times) {
      failure = code;
      failuresLeft = times ?? Number.POSITIVE_INFINITY;
    },
    pause() {
      paused = true;
    },
    resume() {
      paused = false;
      const answers = held;
      held = [];
      for (const answerHeld of answers) answerHeld();
    },
    clear() {
      received = [];
      metadata = [];
      requestCount = 0;
    },
    close() {
      paused = false;
      for (const answerHeld of held.splice(0)) answerHeld();
      return new Promise<void>((resolveClose) => {
        server.tryShutdown(() => resolveClose());
        // do not wait forever on a client that keeps its channel open
        setTimeout(() => {
          server.forceShutdown();
          resolveClose();
        }, 2000).unref();
      });
    },
  };
}
