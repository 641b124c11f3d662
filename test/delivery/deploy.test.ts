import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { deliveryConfigSchema } from '../../src/delivery/config.js';
import { leaderConfigSchema } from '../../src/leader/config.js';
import { shardCheckpoint, shardsOf } from '../../src/leader/shard.js';

const DEPLOY = join(import.meta.dirname, '..', '..', 'deploy');

interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; annotations?: Record<string, string>; labels?: Record<string, string> };
  [key: string]: unknown;
}

interface Rule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
  resourceNames?: string[];
}

interface Container {
  name: string;
  image: string;
  args?: string[];
  env?: Array<{ name: string; value?: string }>;
  ports?: Array<{ name: string; containerPort: number }>;
  livenessProbe?: { httpGet?: { path: string; port: string | number } };
  readinessProbe?: { httpGet?: { path: string; port: string | number } };
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  securityContext?: {
    allowPrivilegeEscalation?: boolean;
    readOnlyRootFilesystem?: boolean;
    runAsNonRoot?: boolean;
    privileged?: boolean;
    capabilities?: { drop?: string[]; add?: string[] };
    seccompProfile?: { type: string };
  };
  volumeMounts?: Array<{ name: string; mountPath: string }>;
}

const yamlFiles = readdirSync(DEPLOY).filter((f) => f.endsWith('.yaml'));

/** Every object of every manifest, parsed strictly (a YAML error fails the test). */
function loadObjects(): Array<K8sObject & { file: string }> {
  const out: Array<K8sObject & { file: string }> = [];
  for (const file of yamlFiles) {
    if (file === 'kustomization.yaml') continue;
    for (const doc of parseAllDocuments(readFileSync(join(DEPLOY, file), 'utf8'))) {
      expect(doc.errors, `${file}: ${doc.errors.join('; ')}`).toEqual([]);
      const obj = doc.toJS() as K8sObject | null;
      if (obj) out.push({ ...obj, file });
    }
  }
  return out;
}

const objects = loadObjects();
const byKind = (kind: string): Array<K8sObject & { file: string }> => objects.filter((o) => o.kind === kind);
const one = (kind: string): K8sObject => {
  const found = byKind(kind);
  expect(found, kind).toHaveLength(1);
  return found[0] as K8sObject;
};
const rulesOf = (kind: string): Rule[] => (one(kind) as unknown as { rules: Rule[] }).rules;
const deployment = one('Deployment') as unknown as {
  spec: {
    replicas: number;
    strategy?: { type: string };
    selector: { matchLabels: Record<string, string> };
    template: {
      metadata: { labels: Record<string, string>; annotations: Record<string, string> };
      spec: {
        serviceAccountName: string;
        securityContext: { runAsNonRoot?: boolean; runAsUser?: number; seccompProfile?: { type: string } };
        containers: Container[];
        volumes: Array<{ name: string; emptyDir?: object; configMap?: { name: string } }>;
      };
    };
  };
};
const container = deployment.spec.template.spec.containers[0] as Container;

describe('deploy/ manifests', () => {
  it('kustomization lists every manifest, and each parses with apiVersion, kind and name', () => {
    const kustomization = parse(readFileSync(join(DEPLOY, 'kustomization.yaml'), 'utf8')) as { resources: string[]; namespace: string };
    expect([...kustomization.resources].sort()).toEqual(yamlFiles.filter((f) => f !== 'kustomization.yaml').sort());
    for (const o of objects) {
      expect(o.apiVersion, o.file).toBeTruthy();
      expect(o.kind, o.file).toBeTruthy();
      expect(o.metadata?.name, o.file).toBeTruthy();
    }
    const kinds = objects.map((o) => o.kind).sort();
    expect(kinds).toEqual(['ClusterRole', 'ClusterRoleBinding', 'ConfigMap', 'Deployment', 'Namespace', 'Role', 'RoleBinding', 'ServiceAccount']);
    for (const o of objects.filter((x) => !x.kind.startsWith('Cluster') && x.kind !== 'Namespace')) {
      expect(o.metadata.namespace, `${o.kind} namespace`).toBe(kustomization.namespace);
    }
  });

  it('the ClusterRole has no wildcards, no secrets, and only the verbs eventide needs', () => {
    const rules = rulesOf('ClusterRole');
    for (const r of rules) {
      for (const field of [r.apiGroups, r.resources, r.verbs]) expect(field).not.toContain('*');
      expect(r.resources).not.toContain('secrets');
      expect(r.resources).not.toContain('configmaps');
      for (const v of r.verbs) expect(['get', 'list', 'watch', 'create', 'update']).toContain(v);
      // update only for Events (series updates of eventide's own anomaly Events)
      if (r.verbs.includes('update')) expect(r.resources).toEqual(['events']);
    }
    const allowed = (group: string, resource: string, verb: string): boolean =>
      rules.some((r) => r.apiGroups.includes(group) && r.resources.includes(resource) && r.verbs.includes(verb));
    for (const group of ['', 'events.k8s.io']) {
      for (const verb of ['get', 'list', 'watch', 'create', 'update']) expect(allowed(group, 'events', verb), `${group}/events ${verb}`).toBe(true);
      expect(allowed(group, 'events', 'delete')).toBe(false);
    }
    for (const [group, resource] of [
      ['', 'pods'],
      ['', 'nodes'],
      ['', 'persistentvolumeclaims'],
      ['apps', 'replicasets'],
      ['batch', 'jobs'],
    ] as const) {
      for (const verb of ['get', 'list', 'watch']) expect(allowed(group, resource, verb), `${group}/${resource} ${verb}`).toBe(true);
      expect(allowed(group, resource, 'create')).toBe(false);
    }
  });

  it('the namespaced Role reaches only the checkpoint ConfigMap (by name, plus create) and the Lease', () => {
    const rules = rulesOf('Role');
    const checkpointName = deliveryConfigSchema.parse({}).checkpoint.name;
    for (const r of rules) {
      for (const field of [r.apiGroups, r.resources, r.verbs]) expect(field).not.toContain('*');
      expect(r.resources).not.toContain('secrets');
      expect(['configmaps', 'leases']).toEqual(expect.arrayContaining(r.resources));
      const unnamed = r.verbs.filter((v) => v !== 'create');
      if (unnamed.length > 0) expect(r.resourceNames, JSON.stringify(r)).toBeDefined();
      expect(r.verbs).not.toContain('delete');
      expect(r.verbs).not.toContain('list');
    }
    // One checkpoint and one Lease per shard in leader.mode sharded (src/leader/shard.ts names them).
    const shards = shardsOf(leaderConfigSchema.parse({ mode: 'sharded', shards: 4 }));
    const checkpoint = deliveryConfigSchema.parse({}).checkpoint;
    const cm = rules.find((r) => r.resources.includes('configmaps') && r.resourceNames);
    expect(cm?.resourceNames).toEqual([checkpointName, ...shards.map((s) => shardCheckpoint(checkpoint, s).name)]);
    expect(cm?.verbs.sort()).toEqual(['get', 'update']);
    const leases = rules.find((r) => r.apiGroups.includes('coordination.k8s.io') && r.resources.includes('leases') && r.resourceNames);
    expect(leases?.resourceNames).toEqual([leaderConfigSchema.parse({}).leaseName, ...shards.map((s) => s.leaseName)]);
    expect(leases?.verbs.sort()).toEqual(['get', 'update']);
  });

  it('the bindings give the roles to the eventide ServiceAccount', () => {
    const sa = one('ServiceAccount');
    for (const kind of ['ClusterRoleBinding', 'RoleBinding']) {
      const binding = one(kind) as unknown as { roleRef: { kind: string; name: string }; subjects: Array<{ kind: string; name: string; namespace: string }> };
      expect(binding.roleRef.name).toBe(one(binding.roleRef.kind).metadata.name);
      expect(binding.subjects).toEqual([{ kind: 'ServiceAccount', name: sa.metadata.name, namespace: sa.metadata.namespace }]);
    }
    expect(deployment.spec.template.spec.serviceAccountName).toBe(sa.metadata.name);
  });

  it('the Deployment runs one non-root, read-only, capability-less replica under RuntimeDefault seccomp', () => {
    expect(deployment.spec.replicas).toBe(1);
    expect(deployment.spec.strategy?.type).toBe('Recreate');
    const pod = deployment.spec.template.spec;
    expect(pod.securityContext.runAsNonRoot).toBe(true);
    expect(pod.securityContext.runAsUser).toBeGreaterThan(0);
    expect(pod.securityContext.seccompProfile?.type).toBe('RuntimeDefault');
    expect(pod.containers).toHaveLength(1);
    const sc = container.securityContext;
    expect(sc?.runAsNonRoot).toBe(true);
    expect(sc?.readOnlyRootFilesystem).toBe(true);
    expect(sc?.allowPrivilegeEscalation).toBe(false);
    expect(sc?.privileged).toBe(false);
    expect(sc?.capabilities?.drop).toEqual(['ALL']);
    expect(sc?.capabilities?.add).toBeUndefined();
    expect(sc?.seccompProfile?.type).toBe('RuntimeDefault');
    expect(Object.entries(deployment.spec.selector.matchLabels).every(([k, v]) => deployment.spec.template.metadata.labels[k] === v)).toBe(true);
  });

  it('the container has resources, probes on /healthz and /readyz, metrics annotations and the OTEL env', () => {
    for (const key of ['cpu', 'memory']) {
      expect(container.resources?.requests?.[key], `requests.${key}`).toBeTruthy();
      expect(container.resources?.limits?.[key], `limits.${key}`).toBeTruthy();
    }
    const port = container.ports?.find((p) => p.name === 'http-metrics');
    expect(port?.containerPort).toBe(9464);
    expect(container.livenessProbe?.httpGet).toEqual({ path: '/healthz', port: 'http-metrics' });
    expect(container.readinessProbe?.httpGet).toEqual({ path: '/readyz', port: 'http-metrics' });
    const annotations = deployment.spec.template.metadata.annotations;
    expect(annotations['prometheus.io/scrape']).toBe('true');
    expect(annotations['prometheus.io/port']).toBe(String(port?.containerPort));
    expect(annotations['prometheus.io/path']).toBe('/metrics');
    const env = Object.fromEntries((container.env ?? []).map((e) => [e.name, e.value]));
    expect(env.OTEL_EXPORTER_OTLP_ENDPOINT).toBe('http://otel-collector.observability:4317');
    expect(env.OTEL_RESOURCE_ATTRIBUTES).toMatch(/(^|,)k8s\.cluster\.name=[^,]+/);
  });

  it('every writable path is an emptyDir, and the config file is mounted where --config points', () => {
    const volumes = new Map(deployment.spec.template.spec.volumes.map((v) => [v.name, v]));
    const mounts = container.volumeMounts ?? [];
    const configMount = mounts.find((m) => volumes.get(m.name)?.configMap);
    const configFile = container.args?.[(container.args?.indexOf('--config') ?? -2) + 1];
    expect(configFile).toBe(`${configMount?.mountPath}/config.yaml`);
    const cm = one('ConfigMap') as unknown as { metadata: { name: string }; data: Record<string, string> };
    expect(volumes.get(configMount?.name ?? '')?.configMap?.name).toBe(cm.metadata.name);
    for (const m of mounts.filter((x) => x !== configMount)) expect(volumes.get(m.name)?.emptyDir, m.mountPath).toBeDefined();
    expect(mounts.map((m) => m.mountPath)).toContain('/tmp');
  });

  it('the example config parses, and its delivery section is valid', () => {
    const cm = one('ConfigMap') as unknown as { data: Record<string, string> };
    const config = parse(cm.data['config.yaml'] as string) as { delivery: unknown; server: { port: number } };
    const delivery = deliveryConfigSchema.parse(config.delivery);
    expect(delivery.checkpoint.type).toBe('configmap');
    expect(delivery.checkpoint.name).toBe(deliveryConfigSchema.parse({}).checkpoint.name);
    expect(config.server.port).toBe(9464);
  });

  it('the Dockerfile builds multi-stage on node:22-slim and runs `eventide run` as a non-root user', () => {
    const text = readFileSync(join(DEPLOY, 'Dockerfile'), 'utf8');
    const froms = [...text.matchAll(/^FROM\s+(\S+)/gm)].map((m) => m[1]);
    expect(froms.length).toBeGreaterThanOrEqual(2);
    for (const image of froms) expect(image).toBe('node:22-slim');
    expect(text).toMatch(/npm ci --omit=dev/);
    expect(text).toMatch(/npm run build/);
    // every script `npm run build` runs is in the build stage (npm ci runs it as `prepare`)
    const pkg = JSON.parse(readFileSync(join(DEPLOY, '..', 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    for (const m of pkg.scripts['build']!.matchAll(/\bnode (\S+)/g)) expect(text).toMatch(new RegExp(`^COPY ${m[1]!.split('/')[0]} `, 'm'));
    expect(text).toMatch(/^ENTRYPOINT \["node","bin\/eventide\.js","run"\]$/m);
    const user = [...text.matchAll(/^USER\s+(\S+)/gm)].at(-1)?.[1] ?? 'root';
    expect(user).not.toMatch(/^(root|0)(:|$)/);
    expect(user.split(':')[0]).toBe(String(deployment.spec.template.spec.securityContext.runAsUser));
  });
});
