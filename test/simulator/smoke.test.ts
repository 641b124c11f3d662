import { afterEach, describe, expect, it } from 'vitest';
import { CoreV1Api, EventsV1Api } from '@kubernetes/client-node';
import { startApiServer } from '../../src/simulator/apiserver.js';
import type { ApiServerHandle } from '../../src/simulator/apiserver.js';
import { collectWatch, kubeConfigFor } from './helpers.js';

let api: ApiServerHandle | undefined;
afterEach(async () => {
  await api?.close();
  api = undefined;
});

describe('api server smoke', () => {
  it('creates through core/v1 and lists through events.k8s.io/v1', async () => {
    api = await startApiServer();
    const kc = kubeConfigFor(api);
    const core = kc.makeApiClient(CoreV1Api);
    const ev = kc.makeApiClient(EventsV1Api);
    await core.createNamespacedEvent({
      namespace: 'default',
      body: {
        metadata: { name: 'p.1', namespace: 'default' },
        involvedObject: { kind: 'Pod', name: 'p', namespace: 'default' },
        reason: 'Started',
        message: 'Started container',
        source: { component: 'kubelet', host: 'node-1' },
        firstTimestamp: new Date('2026-01-01T00:00:00Z'),
        lastTimestamp: new Date('2026-01-01T00:00:00Z'),
        count: 1,
        type: 'Normal',
      },
    });
    const list = await ev.listEventForAllNamespaces({ limit: 50 });
    expect(list.items).toHaveLength(1);
    expect(list.items[0]!.note).toBe('Started container');
    expect(list.items[0]!.deprecatedSource?.component).toBe('kubelet');
    expect(list.items[0]!.eventTime).toBeFalsy();
    const w = await collectWatch(kc, '/apis/events.k8s.io/v1/events', { resourceVersion: '0' }, (s) => s.length >= 1);
    expect(w.seen[0]!.type).toBe('ADDED');
  });
});
