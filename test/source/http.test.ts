import { KubeConfig } from '@kubernetes/client-node';
import { afterEach, describe, expect, it } from 'vitest';
import { KubeHttp, parseRetryAfter } from '../../src/source/http.js';
import { startSim, type Sim } from './harness.js';

let sim: Sim | undefined;
afterEach(async () => {
  await sim?.server.close();
  sim = undefined;
});

describe('KubeHttp', () => {
  it('sends the kubeconfig credentials', async () => {
    sim = await startSim({ token: 'right' });
    const ok = await new KubeHttp(sim.kc).getJson('/api/v1/namespaces/a/events', { limit: 1 }, new AbortController().signal);
    expect(ok.status).toBe(200);
    const bad = new KubeConfig();
    bad.loadFromString(sim.server.kubeconfigYaml().replace('token: right', 'token: wrong'));
    const denied = await new KubeHttp(bad).getJson('/api/v1/namespaces/a/events', {}, new AbortController().signal);
    expect(denied.status).toBe(401);
  });

  it('gives up on a request that takes longer than the request timeout', async () => {
    sim = await startSim();
    sim.server.faults.setLatencyMillis(2000);
    await expect(new KubeHttp(sim.kc, 50).getJson('/api/v1/events', {}, new AbortController().signal)).rejects.toThrow(/abort|timeout/i);
  });

  it('reads Retry-After seconds', async () => {
    sim = await startSim();
    sim.server.faults.failNext(1, 503, 3);
    const res = await new KubeHttp(sim.kc).getJson('/api/v1/events', {}, new AbortController().signal);
    expect(res).toMatchObject({ status: 503, retryAfterSeconds: 3 });
    expect(parseRetryAfter(['12'])).toBe(12);
    expect(parseRetryAfter('Wed, 21 Oct 2015 07:28:00 GMT')).toBeUndefined();
  });
});
