import type { HrTime } from '@opentelemetry/api';
import type { AnyValue, LogAttributes } from '@opentelemetry/api-logs';
import { resourceFromAttributes, type Resource } from '@opentelemetry/resources';
import type { ReadableLogRecord } from '@opentelemetry/sdk-logs';
import type { InstrumentationScope } from '@opentelemetry/core';

/** A log record as stored in the disk queue: indices into the entry's resource and scope tables. */
interface StoredRecord {
  r: number;
  s: number;
  t: HrTime;
  o: HrTime;
  n?: number;
  x?: string;
  b?: AnyValue;
  e?: string;
  a: LogAttributes;
}

/** One queued batch as stored on disk (JSON). Resources and scopes are written once per batch. */
interface StoredBatch {
  v: 1;
  resources: Record<string, unknown>[];
  scopes: { name: string; version?: string }[];
  records: StoredRecord[];
}

/**
 * Serializes a batch of SDK log records to compact JSON bytes: each distinct resource and scope
 * once, then the records. Byte arrays in values are not produced by eventide's mapping and would
 * come back as plain objects.
 */
export function encodeBatch(logs: readonly ReadableLogRecord[]): Buffer {
  const resources: Record<string, unknown>[] = [];
  const resourceIndex = new Map<Resource, number>();
  const scopes: { name: string; version?: string }[] = [];
  const scopeIndex = new Map<InstrumentationScope, number>();
  const records: StoredRecord[] = [];
  for (const log of logs) {
    let r = resourceIndex.get(log.resource);
    if (r === undefined) {
      r = resources.push({ ...log.resource.attributes }) - 1;
      resourceIndex.set(log.resource, r);
    }
    let s = scopeIndex.get(log.instrumentationScope);
    if (s === undefined) {
      const { name, version } = log.instrumentationScope;
      s = scopes.push(version !== undefined ? { name, version } : { name }) - 1;
      scopeIndex.set(log.instrumentationScope, s);
    }
    records.push({
      r,
      s,
      t: log.hrTime,
      o: log.hrTimeObserved,
      ...(log.severityNumber !== undefined ? { n: log.severityNumber } : {}),
      ...(log.severityText !== undefined ? { x: log.severityText } : {}),
      ...(log.body !== undefined ? { b: log.body } : {}),
      ...(log.eventName !== undefined ? { e: log.eventName } : {}),
      a: log.attributes,
    });
  }
  const stored: StoredBatch = { v: 1, resources, scopes, records };
  return Buffer.from(JSON.stringify(stored), 'utf8');
}

/**
 * Rebuilds the SDK log records of {@link encodeBatch}: records of one resource share one Resource
 * object (and of one scope one scope object), so the OTLP serializer groups them into one
 * ResourceLogs / ScopeLogs as in the original request. Throws on bytes that are not such a batch.
 */
export function decodeBatch(bytes: Buffer): ReadableLogRecord[] {
  const stored = JSON.parse(bytes.toString('utf8')) as StoredBatch;
  if (stored.v !== 1 || !Array.isArray(stored.records)) throw new Error('not a queued batch (version 1)');
  const resources = stored.resources.map((attributes) => resourceFromAttributes(attributes as Record<string, string>));
  const scopes: InstrumentationScope[] = stored.scopes.map((scope) => ({ ...scope }));
  return stored.records.map((record): ReadableLogRecord => {
    const resource = resources[record.r];
    const scope = scopes[record.s];
    if (!resource || !scope) throw new Error('queued record refers to a missing resource or scope');
    return {
      hrTime: record.t,
      hrTimeObserved: record.o,
      severityNumber: record.n,
      severityText: record.x,
      body: record.b,
      eventName: record.e,
      resource,
      instrumentationScope: scope,
      attributes: record.a,
      droppedAttributesCount: 0,
    };
  });
}
