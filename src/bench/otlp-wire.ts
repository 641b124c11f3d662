/**
 * A minimal protobuf walker over an OTLP `ExportLogsServiceRequest`: finds each LogRecord and
 * its string body without decoding anything else, so the benchmark's receiver costs little
 * beside the process it measures. Field numbers from opentelemetry/proto/logs/v1/logs.proto.
 */

import type * as grpc from '@grpc/grpc-js';

const identity = (value: Buffer): Buffer => value;
const EMPTY_RESPONSE = Buffer.alloc(0);

/**
 * OTLP `LogsService/Export` for a gRPC server that takes each request as its raw protobuf bytes
 * (walk them with {@link forEachLogBody}, or not at all) and answers an empty
 * `ExportLogsServiceResponse`: the benchmarks' receivers, which must cost little.
 */
export const rawLogsExportService: grpc.ServiceDefinition = {
  Export: {
    path: '/opentelemetry.proto.collector.logs.v1.LogsService/Export',
    requestStream: false,
    responseStream: false,
    requestSerialize: identity,
    requestDeserialize: identity,
    responseSerialize: () => EMPTY_RESPONSE,
    responseDeserialize: () => ({}),
  },
};

const RESOURCE_LOGS = 1; // ExportLogsServiceRequest.resource_logs
const SCOPE_LOGS = 2; // ResourceLogs.scope_logs
const LOG_RECORDS = 2; // ScopeLogs.log_records
const BODY = 5; // LogRecord.body (AnyValue)
const STRING_VALUE = 1; // AnyValue.string_value

interface Cursor {
  buf: Buffer;
  pos: number;
  end: number;
}

function varint(c: Cursor): number {
  let result = 0;
  let shift = 0;
  for (;;) {
    if (c.pos >= c.end) throw new RangeError('truncated varint');
    const byte = c.buf[c.pos++]!;
    result += (byte & 0x7f) * 2 ** shift;
    if (byte < 0x80) return result;
    shift += 7;
  }
}

/** Calls `onField(number, start, end)` for each length-delimited field of the message in [start, end); skips the others. */
function eachLengthField(buf: Buffer, start: number, end: number, onField: (field: number, from: number, to: number) => void): void {
  const c: Cursor = { buf, pos: start, end };
  while (c.pos < end) {
    const key = varint(c);
    const field = Math.floor(key / 8);
    switch (key & 7) {
      case 0:
        varint(c);
        break;
      case 1:
        c.pos += 8;
        break;
      case 2: {
        const length = varint(c);
        if (c.pos + length > end) throw new RangeError('field runs past its message');
        onField(field, c.pos, c.pos + length);
        c.pos += length;
        break;
      }
      case 5:
        c.pos += 4;
        break;
      default:
        throw new RangeError(`unsupported wire type ${key & 7}`);
    }
    if (c.pos > end) throw new RangeError('field runs past its message');
  }
}

/**
 * Calls `onRecord(body)` once per LogRecord of an encoded ExportLogsServiceRequest, with the
 * body when it is a string and '' otherwise. Throws RangeError on malformed input.
 */
export function forEachLogBody(buf: Buffer, onRecord: (body: string) => void): void {
  eachLengthField(buf, 0, buf.length, (f1, s1, e1) => {
    if (f1 !== RESOURCE_LOGS) return;
    eachLengthField(buf, s1, e1, (f2, s2, e2) => {
      if (f2 !== SCOPE_LOGS) return;
      eachLengthField(buf, s2, e2, (f3, s3, e3) => {
        if (f3 !== LOG_RECORDS) return;
        let body = '';
        eachLengthField(buf, s3, e3, (f4, s4, e4) => {
          if (f4 !== BODY) return;
          eachLengthField(buf, s4, e4, (f5, s5, e5) => {
            if (f5 === STRING_VALUE) body = buf.toString('utf8', s5, e5);
          });
        });
        onRecord(body);
      });
    });
  });
}
