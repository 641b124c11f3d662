import type { ReadableLogRecord } from '@opentelemetry/sdk-logs';
import type { HrTime } from '@opentelemetry/api';

/** A plain attribute value as read back from OTLP (int64 beyond 2^53 arrives as a string). */
export type PlainValue = string | number | boolean | null | PlainValue[] | { [key: string]: PlainValue };

/**
 * One log record flattened with its resource and scope: what the file exporter writes (one
 * JSON line each) and what the OTLP test receiver returns. Times are decimal strings of
 * nanoseconds since the epoch, as in OTLP/JSON.
 */
export interface FlatLogRecord {
  resource: Record<string, PlainValue>;
  scope: { name: string; version: string };
  timeUnixNano: string;
  observedTimeUnixNano: string;
  severityNumber: number;
  severityText: string;
  body: PlainValue;
  eventName: string;
  attributes: Record<string, PlainValue>;
}

/** Decimal nanoseconds of an HrTime, exact (BigInt). */
export function hrTimeToNanos(time: HrTime): string {
  return (BigInt(time[0]) * 1_000_000_000n + BigInt(time[1])).toString();
}

/** Epoch milliseconds (fractions allowed) to an HrTime, without the SDK's number heuristics. */
export function millisToHrTime(ms: number): HrTime {
  const seconds = Math.floor(ms / 1000);
  const nanos = Math.round((ms - seconds * 1000) * 1_000_000);
  return nanos >= 1_000_000_000 ? [seconds + 1, nanos - 1_000_000_000] : [seconds, nanos];
}

function plain(value: unknown): PlainValue {
  if (value === undefined || value === null) return null;
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value;
  if (Array.isArray(value)) return value.map(plain);
  if (value instanceof Uint8Array) return Buffer.from(value).toString('base64');
  if (typeof value === 'object') {
    const out: Record<string, PlainValue> = {};
    for (const [k, v] of Object.entries(value)) out[k] = plain(v);
    return out;
  }
  return String(value);
}

/** Flattens an SDK log record (as handed to an exporter) into a {@link FlatLogRecord}. */
export function flattenSdkRecord(record: ReadableLogRecord): FlatLogRecord {
  const resource: Record<string, PlainValue> = {};
  for (const [k, v] of Object.entries(record.resource.attributes)) resource[k] = plain(v);
  const attributes: Record<string, PlainValue> = {};
  for (const [k, v] of Object.entries(record.attributes)) attributes[k] = plain(v);
  return {
    resource,
    scope: { name: record.instrumentationScope.name, version: record.instrumentationScope.version ?? '' },
    timeUnixNano: hrTimeToNanos(record.hrTime),
    observedTimeUnixNano: hrTimeToNanos(record.hrTimeObserved),
    severityNumber: record.severityNumber ?? 0,
    severityText: record.severityText ?? '',
    body: plain(record.body),
    eventName: record.eventName ?? '',
    attributes,
  };
}
