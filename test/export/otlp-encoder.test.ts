import type { HrTime } from '@opentelemetry/api';
import type { AnyValue, LogAttributes } from '@opentelemetry/api-logs';
import { ProtobufLogsSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes, type Resource } from '@opentelemetry/resources';
import { LoggerProvider, type LogRecordProcessor, type ReadableLogRecord } from '@opentelemetry/sdk-logs';
import * as protoLoader from '@grpc/proto-loader';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeLogsRequest } from '../../src/export/otlp-encoder.js';
import { flattenExportRequest, OTLP_PROTO_DIR } from '../../src/testkit/otlp-receiver.js';
import { runs } from '../fuzz/arbitraries.js';

/** The request deserializer of the vendored OTLP schema (what the test receiver decodes with). */
const decodeRequest = ((): ((bytes: Buffer) => object) => {
  const definition = protoLoader.loadSync('opentelemetry/proto/collector/logs/v1/logs_service.proto', {
    includeDirs: [OTLP_PROTO_DIR],
    longs: String,
    enums: Number,
    defaults: false,
    oneofs: true,
    bytes: Buffer,
  });
  const service = definition['opentelemetry.proto.collector.logs.v1.LogsService'] as Record<string, { requestDeserialize: (bytes: Buffer) => object }>;
  const method = service['Export'];
  if (!method) throw new Error('LogsService/Export not found');
  return (bytes) => method.requestDeserialize(bytes);
})();

/** What a log record is emitted with (the SDK's LogRecord input). */
interface Input {
  namespace: number;
  scope: number;
  time: HrTime;
  observed: HrTime;
  severityNumber?: number;
  severityText?: string;
  body?: AnyValue;
  eventName?: string;
  attributes: LogAttributes;
}

const SCOPES: readonly [string, string | undefined][] = [
  ['eventide', '0.1.0'],
  ['eventide', undefined],
  ['другой', '1.0.0-ß'],
];

/** Emits the inputs through real SDK LoggerProviders (one Resource per namespace) and returns the SDK's records in emit order. */
function sdkRecords(namespaces: readonly string[], inputs: readonly Input[]): ReadableLogRecord[] {
  const captured: ReadableLogRecord[] = [];
  const processor: LogRecordProcessor = { onEmit: (record) => void captured.push(record), forceFlush: () => Promise.resolve(), shutdown: () => Promise.resolve() };
  const providers = namespaces.map(
    (namespace) =>
      new LoggerProvider({
        resource: resourceFromAttributes({ 'service.name': 'eventide', 'service.version': '0.1.0', 'k8s.cluster.name': 'prod-€', 'k8s.namespace.name': namespace }),
        processors: [processor],
      }),
  );
  for (const input of inputs) {
    const [name, version] = SCOPES[input.scope]!;
    const provider = providers[input.namespace % providers.length]!;
    provider.getLogger(name, version).emit({
      timestamp: input.time,
      observedTimestamp: input.observed,
      ...(input.severityNumber !== undefined ? { severityNumber: input.severityNumber } : {}),
      ...(input.severityText !== undefined ? { severityText: input.severityText } : {}),
      ...(input.body !== undefined ? { body: input.body } : {}),
      ...(input.eventName !== undefined ? { eventName: input.eventName } : {}),
      attributes: input.attributes,
    });
  }
  return captured;
}

/** Both encodings of `records`: identical bytes, identical decoded requests. */
function expectSameAsStock(records: readonly ReadableLogRecord[]): void {
  const stock = Buffer.from(ProtobufLogsSerializer.serializeRequest(records as ReadableLogRecord[]) ?? []);
  const direct = Buffer.from(encodeLogsRequest(records));
  expect(decodeRequest(direct)).toEqual(decodeRequest(stock));
  expect(direct.equals(stock)).toBe(true);
}

const text = fc.oneof(
  fc.string(),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }), // lone surrogates included
  fc.constant(''),
  fc.string({ minLength: 100, maxLength: 400 }),
);

const scalar: fc.Arbitrary<AnyValue> = fc.oneof(
  text,
  fc.boolean(),
  fc.integer(),
  fc.maxSafeInteger(),
  fc.constantFrom(0, -0, 2 ** 53, 2 ** 62, -(2 ** 63), 2 ** 63, 2 ** 64, -1, 0xffffffff, 0x100000000),
  fc.double(),
  fc.constant(null),
  fc.uint8Array({ maxLength: 20 }),
);

const anyValue: fc.Arbitrary<AnyValue> = fc.letrec<{ value: AnyValue }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    scalar,
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(text, tie('value'), { maxKeys: 4 }),
  ),
})).value;

const time: fc.Arbitrary<HrTime> = fc.tuple(fc.integer({ min: 0, max: 2 ** 34 }), fc.integer({ min: 0, max: 999_999_999 }));

const input: fc.Arbitrary<Input> = fc.record(
  {
    namespace: fc.nat(),
    scope: fc.integer({ min: 0, max: SCOPES.length - 1 }),
    time,
    observed: time,
    severityNumber: fc.integer({ min: 0, max: 24 }),
    severityText: text,
    body: fc.oneof(text, anyValue),
    eventName: text,
    attributes: fc.dictionary(text, anyValue, { maxKeys: 25 }),
  },
  { requiredKeys: ['namespace', 'scope', 'time', 'observed', 'attributes'] },
);

const namespaces = fc.uniqueArray(fc.oneof(fc.stringMatching(/^[a-z0-9-]{1,20}$/), text), { minLength: 1, maxLength: 40 });

describe('encodeLogsRequest (direct OTLP encoding)', () => {
  it('gives the bytes of the stock ProtobufLogsSerializer, and the same decoded request, for any records (property)', () => {
    fc.assert(
      fc.property(namespaces, fc.array(input, { maxLength: 60 }), (names, inputs) => {
        expectSameAsStock(sdkRecords(names, inputs));
      }),
      runs(300),
    );
  });

  it('decodes to the records it was given: resource per namespace, scope, times, severity, body, attributes, event name', () => {
    const records = sdkRecords(
      ['shop', 'Zürich-ns', ''],
      [
        {
          namespace: 1,
          scope: 0,
          time: [1_700_000_000, 123_456_789],
          observed: [1_700_000_001, 5],
          severityNumber: 13,
          severityText: 'Medium',
          body: 'Back-off ✓ 😀 pod',
          attributes: { 'k8s.event.reason': 'BackOff', 'k8s.event.count': 3, 'eventide.anomaly.score': 1.5, flag: true, empty: '' },
        },
        { namespace: 0, scope: 0, time: [1, 0], observed: [2, 0], eventName: 'eventide.anomaly', attributes: { big: 2 ** 60, neg: -7 } },
      ],
    );
    const decoded = flattenExportRequest(decodeRequest(Buffer.from(encodeLogsRequest(records))) as Parameters<typeof flattenExportRequest>[0]);
    expect(decoded).toEqual([
      {
        resource: { 'service.name': 'eventide', 'service.version': '0.1.0', 'k8s.cluster.name': 'prod-€', 'k8s.namespace.name': 'Zürich-ns' },
        scope: { name: 'eventide', version: '0.1.0' },
        timeUnixNano: '1700000000123456789',
        observedTimeUnixNano: '1700000001000000005',
        severityNumber: 13,
        severityText: 'Medium',
        body: 'Back-off ✓ 😀 pod',
        eventName: '',
        attributes: { 'k8s.event.reason': 'BackOff', 'k8s.event.count': 3, 'eventide.anomaly.score': 1.5, flag: true, empty: '' },
      },
      {
        resource: { 'service.name': 'eventide', 'service.version': '0.1.0', 'k8s.cluster.name': 'prod-€', 'k8s.namespace.name': 'shop' },
        scope: { name: 'eventide', version: '0.1.0' },
        timeUnixNano: '1000000000',
        observedTimeUnixNano: '2000000000',
        severityNumber: 0,
        severityText: '',
        body: null,
        eventName: 'eventide.anomaly',
        attributes: { big: (2n ** 60n).toString(), neg: -7 },
      },
    ]);
  });

  it('length prefixes at every size boundary (strings, attributes, records, requests) match the stock bytes', () => {
    const strings: string[] = [];
    for (const units of [0, 1, 41, 42, 43, 63, 64, 126, 127, 128, 129, 5461, 5462, 16383, 16384]) {
      strings.push('a'.repeat(units), 'é'.repeat(units), '€'.repeat(units), '😀'.repeat(Math.ceil(units / 2)), `${'a'.repeat(Math.max(0, units - 1))}é`);
    }
    const inputs: Input[] = strings.map((value, i) => ({
      namespace: i % 3,
      scope: 0,
      time: [1_700_000_000 + i, i],
      observed: [1_700_000_000 + i, i],
      body: value,
      attributes: { k: value, [value === '' ? 'e' : value]: i, nested: { [`${i}`]: [value, { deep: value }] } },
    }));
    expectSameAsStock(sdkRecords(['a', 'b', 'c'], inputs));
    // a tiny record (< 128 bytes) and one past 16 KiB, one past 2 MiB of ResourceLogs
    expectSameAsStock(sdkRecords(['a'], [{ namespace: 0, scope: 0, time: [0, 0], observed: [0, 0], attributes: {} }]));
    expectSameAsStock(sdkRecords(['a'], [{ namespace: 0, scope: 0, time: [0, 0], observed: [0, 0], body: 'x'.repeat(20_000), attributes: {} }]));
    const big = Array.from({ length: 300 }, (_, i): Input => ({ namespace: 0, scope: 0, time: [i, 0], observed: [i, 0], body: 'é'.repeat(4_000), attributes: { i } }));
    expectSameAsStock(sdkRecords(['a'], big));
  });

  it('groups by Resource and scope object in order of first appearance, also for plain records sharing objects (disk queue)', () => {
    const resources: Resource[] = ['x', 'y'].map((namespace) => resourceFromAttributes({ 'k8s.namespace.name': namespace }));
    const scopes = [{ name: 'eventide', version: '1' }, { name: 'other' }];
    const records: ReadableLogRecord[] = [0, 1, 0, 1, 1, 0].map((r, i) => ({
      hrTime: [i, 0],
      hrTimeObserved: [i, 1],
      severityNumber: 9,
      severityText: 'INFO',
      body: `record ${i}`,
      resource: resources[r]!,
      instrumentationScope: scopes[i % 2]!,
      attributes: { i },
      droppedAttributesCount: 0,
    }));
    expectSameAsStock(records);
    expectSameAsStock([]);
  });
});
