import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { ProtobufLogsSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { LoggerProvider, type LogRecordExporter, type LogRecordProcessor, type ReadableLogRecord } from '@opentelemetry/sdk-logs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { millisToHrTime } from '../../src/export/flat-record.js';
import { eventToLogRecord, findingToLogRecord, type MappedRecord } from '../../src/export/mapping.js';
import { BatchingRecordExporter, SCOPE_NAME } from '../../src/export/record-exporter.js';
import type { EventRecord, Finding } from '../../src/model/event.js';
import { ManualClock } from '../../src/model/time.js';
import { silentLogger } from '../../src/observe/logger.js';
import { createMetrics } from '../../src/observe/metrics.js';
import { runs } from '../fuzz/arbitraries.js';
import { buildEvent, buildRecord, buildRef } from '../support/builders.js';
import { testConfig } from './helpers.js';

/** A transport that keeps every batch it is given. */
class CapturingTransport implements LogRecordExporter {
  readonly records: ReadableLogRecord[] = [];

  export(logs: ReadableLogRecord[], resultCallback: (result: ExportResult) => void): void {
    this.records.push(...logs);
    resultCallback({ code: ExportResultCode.SUCCESS });
  }

  forceFlush(): Promise<void> {
    return Promise.resolve();
  }

  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}

const VERSION = '9.9.9';
const NOW_MS = Date.UTC(2024, 0, 2);

type Item = { event: EventRecord } | { finding: Finding };

/**
 * What eventide's export path built before it bypassed the SDK: one `LoggerProvider` per
 * namespace (its Resource from the exporter's resource attributes), `logger.emit` of the mapped
 * record, the SDK's `LogRecordImpl` (attribute validation and limits) handed to the processor.
 */
function sdkPathRecords(exporter: BatchingRecordExporter, mapped: readonly MappedRecord[]): ReadableLogRecord[] {
  const captured: ReadableLogRecord[] = [];
  const processor: LogRecordProcessor = { onEmit: (record) => void captured.push(record), forceFlush: () => Promise.resolve(), shutdown: () => Promise.resolve() };
  const loggers = new Map<string, ReturnType<LoggerProvider['getLogger']>>();
  for (const record of mapped) {
    let logger = loggers.get(record.namespace);
    if (!logger) {
      const resource = resourceFromAttributes(exporter.resourceAttributes(record.namespace));
      logger = new LoggerProvider({ resource, processors: [processor] }).getLogger(SCOPE_NAME, VERSION);
      loggers.set(record.namespace, logger);
    }
    logger.emit({
      timestamp: millisToHrTime(record.timestampMs),
      observedTimestamp: millisToHrTime(record.observedTimestampMs),
      severityNumber: record.severityNumber,
      severityText: record.severityText,
      body: record.body,
      ...(record.eventName !== undefined ? { eventName: record.eventName } : {}),
      attributes: record.attributes,
    });
  }
  return captured;
}

const text = fc.oneof(fc.string({ maxLength: 30 }), fc.string({ unit: 'grapheme', maxLength: 20 }), fc.constant(''));
const namespace = fc.constantFrom('shop', 'kube-system', '', 'données', 'a'.repeat(63));

const eventItem: fc.Arbitrary<Item> = fc
  .record({ ns: namespace, note: text, reason: text, count: fc.integer({ min: 0, max: 1000 }), timeMs: fc.integer({ min: 0, max: 2 ** 42 }), withClass: fc.boolean() })
  .map(({ ns, note, reason, count, timeMs, withClass }) => ({
    event: buildRecord(buildEvent({ note, reason, count, timeMs, observedTimeMs: timeMs + 7, regarding: buildRef({ namespace: ns, name: 'web-1' }) }), {
      seq: 1,
      enrichment: { podName: 'web-1', nodeName: 'n1', workload: { kind: 'Deployment', name: 'web' } },
      ...(withClass ? { classification: { category: 'Pod.Restart', severity: 'High', ruleId: 'r', escalated: false } } : {}),
      correlationId: 'c1',
    }),
  }));

const findingItem: fc.Arbitrary<Item> = fc
  .record({
    ns: fc.option(namespace, { nil: undefined }),
    score: fc.oneof(fc.double({ noNaN: true, min: 0, max: 10 }), fc.integer({ min: 0, max: 5 })),
    body: text,
    // detector attributes, empty keys and more than the SDK's limit of 128 included
    attributes: fc.dictionary(text, fc.oneof(text, fc.integer(), fc.boolean()), { maxKeys: 200 }),
  })
  .map(({ ns, score, body, attributes }) => ({
    finding: {
      detector: 'pattern',
      kind: 'new_pattern',
      score,
      key: 'shop/BackOff',
      windowStartMs: NOW_MS - 60_000,
      windowEndMs: NOW_MS,
      modelVersion: 'v1',
      body,
      timeMs: NOW_MS,
      ...(ns !== undefined ? { namespace: ns } : {}),
      attributes,
    },
  }));

describe("the export path without the SDK's LoggerProvider builds the records the SDK built", () => {
  it('same OTLP request bytes as the SDK path for any mix of events and findings (property)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.oneof(eventItem, findingItem), { minLength: 1, maxLength: 30 }), async (items) => {
        const transport = new CapturingTransport();
        const config = testConfig({ clusterName: 'prod', queue: { enabled: false }, batch: { maxExportBatchSize: 512, scheduledDelayMillis: 60_000 } });
        const clock = new ManualClock(NOW_MS);
        const exporter = new BatchingRecordExporter(config, { logger: silentLogger(), metrics: createMetrics(), clock, serviceVersion: VERSION, env: {} }, transport);
        const mapped: MappedRecord[] = [];
        for (const item of items) {
          if ('event' in item) {
            await exporter.emit(item.event);
            mapped.push(eventToLogRecord(item.event));
          } else {
            await exporter.emitFinding(item.finding);
            mapped.push(findingToLogRecord(item.finding, { clusterName: 'prod', observedTimeMs: NOW_MS }));
          }
        }
        await exporter.shutdown();
        const viaSdk = Buffer.from(ProtobufLogsSerializer.serializeRequest(sdkPathRecords(exporter, mapped)) ?? []);
        const direct = Buffer.from(ProtobufLogsSerializer.serializeRequest(transport.records) ?? []);
        expect(transport.records).toHaveLength(items.length);
        expect(direct.equals(viaSdk)).toBe(true);
      }),
      runs(150),
    );
  });
});
