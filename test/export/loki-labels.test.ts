import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LOKI_DEFAULT_INDEX_LABEL_ATTRIBUTES, lokiLabelsFor, normalizeLokiName } from '../../src/export/loki-labels.js';
import { startOtlpReceiver, type OtlpReceiver } from '../../src/testkit/otlp-receiver.js';
import { buildEvent, buildRecord, buildRef } from '../support/builders.js';
import { makeExporter } from './helpers.js';

describe("Loki's OTLP label rules", () => {
  it('normalizes names like Loki (dots and other symbols to _, digit and _ prefixes)', () => {
    expect(normalizeLokiName('k8s.namespace.name')).toBe('k8s_namespace_name');
    expect(normalizeLokiName('log.record.uid')).toBe('log_record_uid');
    expect(normalizeLokiName('http-status/code')).toBe('http_status_code');
    expect(normalizeLokiName('1abc')).toBe('key_1abc');
    expect(normalizeLokiName('_x')).toBe('key_x');
    expect(normalizeLokiName('__x')).toBe('__x');
  });

  it('indexes only listed resource attributes; record attributes are always structured metadata', () => {
    const { indexLabels, structuredMetadata } = lokiLabelsFor(
      { 'service.name': 'eventide', 'service.version': '1.0.0', 'k8s.cluster.name': 'c', 'k8s.namespace.name': 'ns' },
      { 'k8s.pod.name': 'p', 'k8s.event.reason': 'BackOff', 'k8s.event.count': 3 },
      { severityText: 'High' },
    );
    expect(indexLabels).toEqual({ service_name: 'eventide', k8s_cluster_name: 'c', k8s_namespace_name: 'ns' });
    expect(structuredMetadata).toEqual({
      service_version: '1.0.0',
      k8s_pod_name: 'p', // in the default list, but only resource attributes can become labels
      k8s_event_reason: 'BackOff',
      k8s_event_count: '3',
      severity_text: 'High',
    });
  });

  it('adds service_name=unknown_service when the resource has none, and honours a custom list', () => {
    expect(lokiLabelsFor({}, {}).indexLabels).toEqual({ service_name: 'unknown_service' });
    const custom = lokiLabelsFor({ 'service.name': 's', 'k8s.namespace.name': 'n' }, {}, { indexLabelAttributes: ['service.name'] });
    expect(custom.indexLabels).toEqual({ service_name: 's' });
    expect(custom.structuredMetadata).toEqual({ k8s_namespace_name: 'n' });
  });

  it('the default list is the one Loki documents (17 attributes)', () => {
    expect(LOKI_DEFAULT_INDEX_LABEL_ATTRIBUTES).toHaveLength(17);
    expect(LOKI_DEFAULT_INDEX_LABEL_ATTRIBUTES).toEqual(expect.arrayContaining(['service.name', 'k8s.cluster.name', 'k8s.namespace.name', 'k8s.pod.name', 'k8s.deployment.name', 'deployment.environment']));
  });
});

describe('what eventide sends becomes the intended Loki labels', () => {
  let receiver: OtlpReceiver;
  beforeEach(async () => {
    receiver = await startOtlpReceiver();
  });
  afterEach(async () => {
    await receiver.close();
  });

  it('namespace and cluster are index labels; object names, UIDs and reasons are structured metadata', async () => {
    const { exporter } = makeExporter({ endpoint: receiver.endpoint, clusterName: 'prod-eu' });
    const record = buildRecord(buildEvent({ reason: 'FailedScheduling', regarding: buildRef({ name: 'api-0', namespace: 'payments', uid: 'obj-uid' }) }), {
      seq: 1,
      enrichment: { podName: 'api-0', podUid: 'pod-uid', nodeName: 'n-1', workload: { kind: 'Deployment', name: 'api' } },
      classification: { category: 'Scheduling.Failed', severity: 'High', ruleId: 'r', escalated: false },
      correlationId: 'inc-1',
    });
    await exporter.emit(record);
    await exporter.shutdown();
    const [received] = receiver.records();
    if (!received) throw new Error('nothing received');
    const { indexLabels, structuredMetadata } = lokiLabelsFor(received.resource, received.attributes, { severityText: received.severityText });

    expect(indexLabels).toEqual({ service_name: 'eventide', k8s_cluster_name: 'prod-eu', k8s_namespace_name: 'payments' });
    const labelValues = Object.values(indexLabels);
    for (const value of ['api-0', 'obj-uid', 'pod-uid', 'FailedScheduling', 'api', 'inc-1', received.attributes['log.record.uid']]) {
      expect(labelValues).not.toContain(value);
    }
    expect(structuredMetadata).toMatchObject({
      k8s_object_name: 'api-0',
      k8s_object_uid: 'obj-uid',
      k8s_event_reason: 'FailedScheduling',
      k8s_pod_name: 'api-0',
      k8s_deployment_name: 'api',
      eventide_category: 'Scheduling.Failed',
      eventide_correlation_id: 'inc-1',
      log_record_uid: received.attributes['log.record.uid'],
    });
  });
});
