import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { exportConfigSchema } from '../../src/export/config.js';
import { baseResourceAttributes, parseKeyValueList, resolveOtlpConnection } from '../../src/export/otlp-settings.js';

const defaults = exportConfigSchema.parse({});

describe('exportConfigSchema', () => {
  it('parse({}) gives the documented defaults', () => {
    expect(defaults).toEqual({
      clusterName: '',
      maxInFlight: 4096,
      batch: { maxExportBatchSize: 512, scheduledDelayMillis: 1000, exportTimeoutMillis: 30_000, maxQueueSize: 16_384 },
      retry: { maxAttempts: 5, initialBackoffMillis: 1000, maxBackoffMillis: 5000, maxElapsedMillis: 0 },
      queue: { enabled: true, directory: '.eventide/queue', numConsumers: 4, maxMemoryRecords: 2048, maxDiskBytes: 268_435_456, segmentBytes: 8_388_608 },
      shutdownTimeoutMillis: 20_000,
      endpoint: '',
      insecure: false,
      headers: {},
      file: '',
    });
    expect(defaults.compression).toBeUndefined();
  });

  it.each([
    [{ maxInFlight: 20_000 }, 'batch.maxQueueSize'],
    [{ batch: { maxQueueSize: 100, maxExportBatchSize: 512 }, maxInFlight: 50 }, 'batch.maxExportBatchSize'],
    [{ compression: 'zstd' }, 'compression'],
    [{ maxInFlight: 0 }, 'maxInFlight'],
    [{ queue: { maxDiskBytes: 1000, segmentBytes: 2000 } }, 'queue.segmentBytes'],
    [{ queue: { directory: '' } }, 'queue.directory'],
  ])('rejects %j naming %s', (input, path) => {
    const result = exportConfigSchema.safeParse(input);
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((i) => i.path.join('.'))).toContain(path);
  });
});

describe('resolveOtlpConnection (config > OTEL_* env > defaults)', () => {
  const cases: [string, Partial<typeof defaults>, NodeJS.ProcessEnv, { endpoint: string; insecure: boolean; compression: string }][] = [
    ['defaults', {}, {}, { endpoint: 'http://localhost:4317', insecure: true, compression: 'gzip' }],
    ['general env endpoint', {}, { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4317' }, { endpoint: 'http://c:4317', insecure: true, compression: 'gzip' }],
    ['logs env wins over general', {}, { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4317', OTEL_EXPORTER_OTLP_LOGS_ENDPOINT: 'http://l:4317' }, { endpoint: 'http://l:4317', insecure: true, compression: 'gzip' }],
    ['config wins over env', { endpoint: 'http://cfg:4317' }, { OTEL_EXPORTER_OTLP_LOGS_ENDPOINT: 'http://l:4317' }, { endpoint: 'http://cfg:4317', insecure: true, compression: 'gzip' }],
    ['https means TLS', { endpoint: 'https://c:4317' }, {}, { endpoint: 'https://c:4317', insecure: false, compression: 'gzip' }],
    ['no scheme means TLS', { endpoint: 'c:4317' }, {}, { endpoint: 'c:4317', insecure: false, compression: 'gzip' }],
    ['no scheme + OTEL_EXPORTER_OTLP_INSECURE', { endpoint: 'c:4317' }, { OTEL_EXPORTER_OTLP_INSECURE: 'true' }, { endpoint: 'c:4317', insecure: true, compression: 'gzip' }],
    ['no scheme + insecure config', { endpoint: 'c:4317', insecure: true }, {}, { endpoint: 'c:4317', insecure: true, compression: 'gzip' }],
    ['env compression', {}, { OTEL_EXPORTER_OTLP_COMPRESSION: 'none' }, { endpoint: 'http://localhost:4317', insecure: true, compression: 'none' }],
    ['config compression wins', { compression: 'gzip' }, { OTEL_EXPORTER_OTLP_COMPRESSION: 'none' }, { endpoint: 'http://localhost:4317', insecure: true, compression: 'gzip' }],
  ];
  it.each(cases)('%s', (_name, config, env, expected) => {
    const resolved = resolveOtlpConnection({ ...defaults, ...config }, env);
    expect({ endpoint: resolved.endpoint, insecure: resolved.insecure, compression: resolved.compression }).toEqual(expected);
  });

  it('merges headers: logs-specific over general, config over both', () => {
    const resolved = resolveOtlpConnection(
      { ...defaults, headers: { 'X-C': 'cfg' } },
      { OTEL_EXPORTER_OTLP_HEADERS: 'x-a=general,x-c=env', OTEL_EXPORTER_OTLP_LOGS_HEADERS: 'x-a=logs' },
    );
    expect(resolved.metadata.getMap()).toEqual({ 'x-a': 'logs', 'x-c': 'cfg' });
  });

  it('an unreadable certificate fails at start naming the variable', () => {
    expect(() => resolveOtlpConnection({ ...defaults, endpoint: 'https://c:4317' }, { OTEL_EXPORTER_OTLP_CERTIFICATE: '/nonexistent/ca.pem' })).toThrow(
      /OTEL_EXPORTER_OTLP_CERTIFICATE: cannot read \/nonexistent\/ca\.pem/,
    );
  });

  it('a client key without a client certificate fails at start', () => {
    const dir = mkdtempSync(join(tmpdir(), 'eventide-cfg-'));
    try {
      writeFileSync(join(dir, 'k.pem'), 'x');
      expect(() => resolveOtlpConnection({ ...defaults, endpoint: 'https://c:4317' }, { OTEL_EXPORTER_OTLP_CLIENT_KEY: join(dir, 'k.pem') })).toThrow(/set both or neither/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('resource attributes', () => {
  it('service.name/version, then OTEL_RESOURCE_ATTRIBUTES, OTEL_SERVICE_NAME, config cluster; never a fixed namespace', () => {
    expect(baseResourceAttributes({ ...defaults }, '1.0.0', {})).toEqual({ 'service.name': 'eventide', 'service.version': '1.0.0' });
    expect(
      baseResourceAttributes({ ...defaults, clusterName: 'cfg' }, '1.0.0', {
        OTEL_RESOURCE_ATTRIBUTES: 'k8s.cluster.name=env,team=sre,k8s.namespace.name=eventide',
        OTEL_SERVICE_NAME: 'eventide-eu',
      }),
    ).toEqual({ 'service.name': 'eventide-eu', 'service.version': '1.0.0', 'k8s.cluster.name': 'cfg', team: 'sre' });
    expect(baseResourceAttributes({ ...defaults }, '1', { OTEL_RESOURCE_ATTRIBUTES: 'k8s.cluster.name=env' })['k8s.cluster.name']).toBe('env');
  });

  it('parses percent-encoded key=value lists and skips malformed pairs', () => {
    expect(parseKeyValueList('a=1, b = x%20y ,bad,c=%E0%A4%A,=v')).toEqual({ a: '1', b: 'x y' });
  });
});
