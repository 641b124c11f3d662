import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Checkpoint } from '../../src/delivery/checkpoint.js';
import { encodeCheckpoint } from '../../src/delivery/checkpoint-codec.js';
import { CHECKPOINT_DATA_KEY, ConfigMapCheckpointStore } from '../../src/delivery/configmap-store.js';
import { silentLogger } from '../../src/observe/logger.js';
import { type ApiServerHandle, startApiServer } from '../../src/simulator/apiserver.js';

const sample: Checkpoint = {
  version: 1,
  api: 'events.k8s.io/v1',
  resourceVersion: '4711',
  exported: [
    ['uid-a', 3],
    ['uid-b', 1],
  ],
  savedAtMs: 1_700_000_000_000,
};

describe('ConfigMapCheckpointStore against the simulator API server', () => {
  let api: ApiServerHandle;
  let kubeConfig: KubeConfig;
  let core: CoreV1Api;
  const namespace = 'eventide';

  beforeAll(async () => {
    api = await startApiServer();
    kubeConfig = new KubeConfig();
    kubeConfig.loadFromString(api.kubeconfigYaml());
    core = kubeConfig.makeApiClient(CoreV1Api);
  });
  afterAll(async () => {
    await api.close();
  });

  const store = (name: string, maxBytes?: number): ConfigMapCheckpointStore =>
    new ConfigMapCheckpointStore({ kubeConfig, namespace, name, logger: silentLogger(), ...(maxBytes ? { maxBytes } : {}) });

  it('loads nothing when the ConfigMap is absent, creates it on the first save, replaces it after', async () => {
    const s = store('cp-basic');
    expect(await s.load()).toBeUndefined();
    await s.save(sample);
    const cm = await core.readNamespacedConfigMap({ name: 'cp-basic', namespace });
    expect(JSON.parse(cm.data?.[CHECKPOINT_DATA_KEY] ?? '')).toEqual(sample);
    expect(cm.metadata?.labels?.['app.kubernetes.io/name']).toBe('eventide');
    await s.save({ ...sample, resourceVersion: '5000' });
    expect((await store('cp-basic').load())?.resourceVersion).toBe('5000');
  });

  it('retries once on a conflict (someone else replaced it since our last read)', async () => {
    const s = store('cp-conflict');
    await s.save(sample);
    const cm = await core.readNamespacedConfigMap({ name: 'cp-conflict', namespace });
    await core.replaceNamespacedConfigMap({
      name: 'cp-conflict',
      namespace,
      body: { ...cm, data: { [CHECKPOINT_DATA_KEY]: encodeCheckpoint({ ...sample, resourceVersion: 'other' }) } },
    });
    await s.save({ ...sample, resourceVersion: 'mine' });
    expect((await store('cp-conflict').load())?.resourceVersion).toBe('mine');
  });

  it('creates it again when it was deleted since the last save', async () => {
    const s = store('cp-deleted');
    await s.save(sample);
    await core.deleteNamespacedConfigMap({ name: 'cp-deleted', namespace });
    await s.save({ ...sample, resourceVersion: 'again' });
    expect((await store('cp-deleted').load())?.resourceVersion).toBe('again');
  });

  it('compacts exported to the byte cap, newest kept', async () => {
    const exported: Array<[string, number]> = Array.from({ length: 2000 }, (_, i) => [`uid-${i}`, i + 1]);
    await store('cp-big', 10_000).save({ ...sample, exported });
    const cm = await core.readNamespacedConfigMap({ name: 'cp-big', namespace });
    const text = cm.data?.[CHECKPOINT_DATA_KEY] ?? '';
    expect(Buffer.byteLength(text)).toBeLessThanOrEqual(10_000);
    const loaded = await store('cp-big').load();
    expect(loaded?.exported.at(-1)).toEqual(['uid-1999', 2000]);
    expect(loaded?.exported.length).toBeLessThan(2000);
  });

  it('a ConfigMap that does not hold a valid checkpoint starts fresh and is overwritten', async () => {
    await core.createNamespacedConfigMap({ namespace, body: { metadata: { name: 'cp-corrupt', namespace }, data: { [CHECKPOINT_DATA_KEY]: '{oops' } } });
    const s = store('cp-corrupt');
    expect(await s.load()).toBeUndefined();
    await s.save(sample);
    expect(await store('cp-corrupt').load()).toEqual(sample);
  });

  it('names the fix when access is denied', async () => {
    const guarded = await startApiServer({ token: 'right-token' });
    const denied = new KubeConfig();
    denied.loadFromOptions({
      clusters: [{ name: 'sim', server: guarded.url, skipTLSVerify: true }],
      users: [{ name: 'nobody', token: 'wrong-token' }],
      contexts: [{ name: 'sim', cluster: 'sim', user: 'nobody' }],
      currentContext: 'sim',
    });
    const s = new ConfigMapCheckpointStore({ kubeConfig: denied, namespace, name: 'cp-denied' });
    try {
      await expect(s.save(sample)).rejects.toThrow(/access denied.*fix: grant get\/update/);
    } finally {
      await guarded.close();
    }
  });
});
