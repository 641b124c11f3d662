import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiServerHandle, startApiServer } from '../../src/simulator/apiserver.js';

const run = promisify(execFile);
const ROOT = join(import.meta.dirname, '..', '..');
const NAMESPACE = 'eventide';
const TOKEN = 'bundle-test-token';

/**
 * Runs in a plain `node` (no tsx, as `eventide run` from dist/): what eventide does with the
 * package, through the bundle only. Prints one JSON object.
 */
const CHILD = `
const dir = process.argv[1];
const { KubeConfig, ApiException, V1MicroTime } = await import(dir + '/client.js');
const { CoreV1Api, CoordinationV1Api } = await import(dir + '/apis.js');
const namespace = ${JSON.stringify(NAMESPACE)};
const failure = (e) => ({ apiException: e instanceof ApiException, code: e.code });
const kc = new KubeConfig();
kc.loadFromString(process.env.KUBECONFIG_YAML);
const out = { server: kc.getCurrentCluster().server };
const https = {};
await kc.applyToHTTPSOptions(https);
out.authorization = https.headers?.Authorization ?? https.headers?.authorization;
const core = kc.makeApiClient(CoreV1Api);
out.missing = await core.readNamespacedConfigMap({ name: 'absent', namespace }).then(() => 'found', failure);
const created = await core.createNamespacedConfigMap({ namespace, body: { metadata: { name: 'cm', namespace }, data: { k: 'v1' } } });
const replaced = await core.replaceNamespacedConfigMap({ name: 'cm', namespace, body: { ...created, data: { k: 'v2' } } });
out.stale = await core.replaceNamespacedConfigMap({ name: 'cm', namespace, body: { ...created, data: { k: 'v3' } } }).then(() => 'replaced', failure);
out.read = (await core.readNamespacedConfigMap({ name: 'cm', namespace })).data;
out.versions = [created.metadata.resourceVersion, replaced.metadata.resourceVersion];
const denied = new KubeConfig();
denied.loadFromString(process.env.KUBECONFIG_YAML.replaceAll(process.env.TOKEN, 'wrong-token'));
out.denied = await denied.makeApiClient(CoreV1Api).readNamespacedConfigMap({ name: 'cm', namespace }).then(() => 'read', failure);
const coord = kc.makeApiClient(CoordinationV1Api);
const renewTime = new V1MicroTime(Date.UTC(2026, 0, 1, 0, 0, 0, 123));
await coord.createNamespacedLease({ namespace, body: { metadata: { name: 'l', namespace }, spec: { holderIdentity: 'me', leaseDurationSeconds: 15, renewTime } } });
const lease = await coord.readNamespacedLease({ name: 'l', namespace });
out.lease = { holder: lease.spec.holderIdentity, duration: lease.spec.leaseDurationSeconds, renewMs: new Date(lease.spec.renewTime).getTime() };
out.leaseConflict = await coord.createNamespacedLease({ namespace, body: { metadata: { name: 'l', namespace }, spec: {} } }).then(() => 'created', failure);
process.stdout.write(JSON.stringify(out));
`;

describe('the @kubernetes/client-node bundle of npm run build (scripts/bundle-kube.mjs)', () => {
  let outdir: string;
  let api: ApiServerHandle;
  const text = (name: string): string => readFileSync(join(outdir, name), 'utf8');

  beforeAll(async () => {
    outdir = mkdtempSync(join(tmpdir(), 'eventide-kube-bundle-'));
    await run(process.execPath, [join(ROOT, 'scripts', 'bundle-kube.mjs'), '--outdir', outdir], { cwd: ROOT });
    api = await startApiServer({ token: TOKEN });
  }, 120_000);
  afterAll(async () => {
    await api?.close();
    if (outdir) rmSync(outdir, { recursive: true, force: true });
  });

  it('keeps the typed API clients out of what KubeConfig loads, and unused dependencies out of both', () => {
    const files = readdirSync(outdir).sort();
    expect(files.filter((f) => !f.startsWith('chunk-'))).toEqual(['apis.js', 'client.js']);
    const client = text('client.js');
    // what importing client.js loads: itself and the chunks it imports
    const loaded = [client, ...[...client.matchAll(/from "\.\/(chunk-[^"]+\.js)"/g)].map((m) => text(m[1]!))].join('\n');
    expect(loaded).toContain('var KubeConfig = class');
    for (const absent of ['ObjectCoreV1Api', 'ObjectCoordinationV1Api', 'V1PodSpec', 'ObjectSerializer']) expect(loaded).not.toContain(absent);
    const apis = text('apis.js');
    expect(apis).toContain('ObjectCoreV1Api');
    // generated clients eventide never uses, and dependencies of exec/attach/cp/port-forward
    const all = files.map(text).join('\n');
    for (const absent of ['ObjectAppsV1Api', 'ObjectEventsV1Api', 'node_modules/ws/', 'node_modules/tar-fs/', 'node_modules/isomorphic-ws/']) {
      expect(all).not.toContain(absent);
    }
  });

  it('talks to an API server like the package does: auth, ConfigMaps, Leases, API errors', async () => {
    const kubeconfig = api.kubeconfigYaml();
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', CHILD, outdir], {
      env: { ...process.env, KUBECONFIG_YAML: kubeconfig, TOKEN },
    });
    const out = JSON.parse(stdout) as Record<string, unknown>;
    expect(out).toMatchObject({
      server: api.url,
      authorization: `Bearer ${TOKEN}`,
      missing: { apiException: true, code: 404 },
      stale: { apiException: true, code: 409 },
      read: { k: 'v2' },
      denied: { apiException: true, code: 401 },
      lease: { holder: 'me', duration: 15, renewMs: Date.UTC(2026, 0, 1, 0, 0, 0, 123) },
      leaseConflict: { apiException: true, code: 409 },
    });
    const [v1, v2] = out['versions'] as [string, string];
    expect(v1).not.toBe(v2);
    // V1MicroTime is written with microseconds, as the Lease API requires
    const leases = api.store.list('leases', NAMESPACE) as { metadata: { name: string }; spec?: { renewTime?: string } }[];
    expect(leases.find((o) => o.metadata.name === 'l')?.spec?.renewTime).toBe('2026-01-01T00:00:00.123000Z');
  });
});
