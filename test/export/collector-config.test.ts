import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { lokiLabelsFor } from '../../src/export/loki-labels.js';

interface CollectorConfig {
  extensions: Record<string, unknown>;
  receivers: Record<string, { protocols?: { grpc?: { endpoint?: string }; http?: { endpoint?: string } } }>;
  processors: Record<string, unknown>;
  exporters: Record<string, { endpoint?: string; compression?: string }>;
  service: { extensions: string[]; pipelines: Record<string, { receivers: string[]; processors: string[]; exporters: string[] }> };
}

const config = parse(readFileSync(new URL('../../otel-collector/config.yaml', import.meta.url), 'utf8')) as CollectorConfig;

describe('otel-collector/config.yaml', () => {
  it('receives OTLP on gRPC 4317 and HTTP 4318', () => {
    expect(config.receivers.otlp?.protocols?.grpc?.endpoint).toBe('0.0.0.0:4317');
    expect(config.receivers.otlp?.protocols?.http?.endpoint).toBe('0.0.0.0:4318');
  });

  it("exports to Loki's native /otlp endpoint with otlphttp", () => {
    expect(config.exporters['otlphttp/loki']?.endpoint).toBe('${env:LOKI_ENDPOINT:-http://loki:3100/otlp}');
  });

  it('every component a pipeline names is defined, memory_limiter first and batch last', () => {
    const logs = config.service.pipelines.logs;
    expect(logs).toBeDefined();
    for (const r of logs!.receivers) expect(config.receivers).toHaveProperty([r]);
    for (const p of logs!.processors) expect(config.processors).toHaveProperty([p]);
    for (const e of logs!.exporters) expect(config.exporters).toHaveProperty([e]);
    for (const x of config.service.extensions) expect(config.extensions).toHaveProperty([x]);
    expect(logs!.processors[0]).toBe('memory_limiter');
    expect(logs!.processors.at(-1)).toBe('batch');
  });
});

describe('otel-collector/loki-limits.yaml', () => {
  const limits = parse(readFileSync(new URL('../../otel-collector/loki-limits.yaml', import.meta.url), 'utf8')) as {
    limits_config: { otlp_config: { resource_attributes: { ignore_defaults: boolean; attributes_config: { action: string; attributes?: string[] }[] } } };
  };

  it('indexes exactly service.name, k8s.cluster.name and k8s.namespace.name', () => {
    const ra = limits.limits_config.otlp_config.resource_attributes;
    expect(ra.ignore_defaults).toBe(true);
    const indexed = ra.attributes_config.filter((c) => c.action === 'index_label').flatMap((c) => c.attributes ?? []);
    expect(indexed).toEqual(['service.name', 'k8s.cluster.name', 'k8s.namespace.name']);
    const { indexLabels } = lokiLabelsFor(
      { 'service.name': 'eventide', 'service.version': '1', 'k8s.cluster.name': 'c', 'k8s.namespace.name': 'n', 'deployment.environment': 'prod' },
      { 'k8s.object.name': 'x' },
      { indexLabelAttributes: indexed },
    );
    expect(Object.keys(indexLabels).sort()).toEqual(['k8s_cluster_name', 'k8s_namespace_name', 'service_name']);
  });
});
