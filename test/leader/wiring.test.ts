import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { createLeaderReplica, shardSidecarConfig } from '../../src/cli/run.js';
import { ConfigError, validateConfig } from '../../src/config/load.js';
import { resolveIdentity, resolveLeaseNamespace } from '../../src/leader/identity.js';
import { shardsOf } from '../../src/leader/shard.js';
import { systemClock } from '../../src/model/time.js';
import { silentLogger } from '../../src/observe/logger.js';
import { createMetrics } from '../../src/observe/metrics.js';

function kubeConfig(namespace?: string): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'c', server: 'http://127.0.0.1:1', skipTLSVerify: true }],
    users: [{ name: 'u', token: 't' }],
    contexts: [{ name: 'x', cluster: 'c', user: 'u', ...(namespace ? { namespace } : {}) }],
    currentContext: 'x',
  });
  return kc;
}

const services = () => ({ kubeConfig: kubeConfig(), clock: systemClock, logger: silentLogger(), metrics: createMetrics(), env: {} });

describe('leader wiring (src/cli/run.ts)', () => {
  it('gives each shard its own checkpoint and export queue directory; active-standby keeps the configured ones', () => {
    const config = validateConfig({ leader: { mode: 'sharded', shards: 3 }, delivery: { checkpoint: { type: 'configmap' } } }, 'test');
    const shard1 = shardSidecarConfig(config, shardsOf(config.leader)[1]!);
    expect(shard1.delivery.checkpoint.name).toBe('eventide-checkpoint-shard-1');
    expect(shard1.export.queue.directory).toBe(join(config.export.queue.directory, 'shard-1'));
    expect(config.delivery.checkpoint.name).toBe('eventide-checkpoint'); // not mutated
    const single = validateConfig({ leader: { mode: 'active-standby' }, delivery: { checkpoint: { type: 'configmap' } } }, 'test');
    const only = shardSidecarConfig(single, shardsOf(single.leader)[0]!);
    expect(only.delivery.checkpoint).toEqual(single.delivery.checkpoint);
    expect(only.export.queue.directory).toBe(single.export.queue.directory);
  });

  it('refuses a file checkpoint with leader election, naming the fix', async () => {
    const config = validateConfig({ leader: { mode: 'sharded', shards: 2 } }, 'test');
    await expect(createLeaderReplica(config, services())).rejects.toThrow(ConfigError);
    await expect(createLeaderReplica(config, services())).rejects.toThrow(/fix: set delivery\.checkpoint\.type to configmap/);
  });

  it('builds a replica that holds nothing before it starts', async () => {
    const config = validateConfig({ leader: { mode: 'active-standby', identity: 'me' }, delivery: { checkpoint: { type: 'configmap' } } }, 'test');
    const replica = await createLeaderReplica(config, services());
    expect(replica.heldShards()).toEqual([]);
    expect(replica.readiness.map((c) => c.check().ok)).toEqual([true, true]);
  });
});

describe('identity and Lease namespace', () => {
  it('uses the configured identity, else host name and a random suffix', () => {
    expect(resolveIdentity('pod-a')).toBe('pod-a');
    expect(resolveIdentity('', 'eventide-7d9f', 'c0ffee00')).toBe('eventide-7d9f_c0ffee00');
    expect(resolveIdentity('')).not.toBe(resolveIdentity(''));
  });

  it('uses the configured namespace, else the service account, else the context, else default', () => {
    const dir = mkdtempSync(join(tmpdir(), 'eventide-ns-'));
    const file = join(dir, 'namespace');
    writeFileSync(file, 'observability\n');
    expect(resolveLeaseNamespace('ops', kubeConfig('ctx'), file)).toBe('ops');
    expect(resolveLeaseNamespace('', kubeConfig('ctx'), file)).toBe('observability');
    expect(resolveLeaseNamespace('', kubeConfig('ctx'), join(dir, 'absent'))).toBe('ctx');
    expect(resolveLeaseNamespace('', kubeConfig(), join(dir, 'absent'))).toBe('default');
  });
});
